"""HTTP for a volunteer giving hours: to a confirmed relative, to the community's pool, and
declaring the relatives to give to. One thing per page; a refusal is shown on its field with
everything typed kept, and nothing is written."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from portal.db import db, start_writing, utcnow
from portal.ledger.models import AccountKind
from portal.numbers import optional_id
from portal.volunteering import giving, timebank
from portal.volunteering.giving_forms import DonateForm, GiveForm, RelativeForm
from portal.volunteering.hours_page import held_account
from portal.volunteering.models import Relative, RelativeState
from portal.volunteering.views import bp
from portal.web.forms import saving


def _rules() -> timebank.TimeBankRules:
    return current_app.extensions[timebank.RULES]


def _kinships() -> frozenset:
    return current_app.extensions.get(giving.KINSHIPS, giving.DEFAULT_KINSHIPS)


def _held() -> int:
    account = held_account(db.session, AccountKind.PERSON, user_id=current_user.id)
    return account.balance if account is not None else 0


@bp.route("/hours/give", methods=["GET", "POST"])
@login_required
def give():
    """Give stored hours to a confirmed relative."""
    volunteer = giving.own_volunteer(db.session, current_user)
    relatives = [
        each for each in giving.relatives_of(db.session, volunteer)
        if each.state is RelativeState.CONFIRMED
    ]  # fmt: skip
    form = GiveForm()
    form.relative.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(str(each.id), f"{giving.KINSHIP_LABELS[each.kinship]} · {each.name}")
        for each in relatives
    ]
    if request.method == "GET" and len(relatives) == 1:
        form.relative.data = str(relatives[0].id)
    if form.validate_on_submit():
        minutes = form.minutes()
        try:
            relative_id = optional_id(form.relative.data)
        except ValueError:
            relative_id = None
        relative = db.session.get(Relative, relative_id) if relative_id else None
        if relative is None or relative.volunteer_id != volunteer.id:
            form.relative.errors = [*form.relative.errors, _("Choose who to give hours to.")]
        elif minutes is not None:
            start_writing(db.session)
            with saving(form) as saved:
                relative = db.session.get(Relative, relative.id)
                giving.give_hours(db.session, current_user, relative, minutes=minutes,
                                  rules=_rules(), now=utcnow())  # fmt: skip
            if saved:
                flash(_("Given. %(name)s is texted that the hours are theirs.", name=relative.name),
                      "success")  # fmt: skip
                return redirect(url_for("volunteering.hours"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "volunteering/giving_give.html", form=form, relatives=relatives, held=_held()
    ), status


@bp.route("/hours/donate", methods=["GET", "POST"])
@login_required
def donate():
    """Donate stored hours to the community's pool."""
    volunteer = giving.own_volunteer(db.session, current_user)
    form = DonateForm()
    if form.validate_on_submit():
        minutes = form.minutes()
        if minutes is not None:
            start_writing(db.session)
            with saving(form) as saved:
                giving.donate_hours(db.session, current_user, minutes=minutes, rules=_rules(),
                                    now=utcnow())  # fmt: skip
            if saved:
                flash(_("Thank you. The hours are in the community's pool, for older neighbours "
                        "who need help."), "success")  # fmt: skip
                return redirect(url_for("volunteering.hours"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "volunteering/giving_donate.html", form=form, volunteer=volunteer, held=_held()
    ), status


@bp.route("/hours/relatives", methods=["GET", "POST"])
@login_required
def relatives():
    """The relatives the volunteer declared, and declaring another."""
    volunteer = giving.own_volunteer(db.session, current_user)
    form = RelativeForm()
    form.allow(_kinships())
    if form.validate_on_submit():
        with saving(form) as saved:
            giving.declare_relative(
                db.session, current_user, kinship=form.kinship.data or "", name=form.name.data,
                phone=form.phone.data, allowed=_kinships(), now=utcnow(),
            )  # fmt: skip
        if saved:
            flash(_("Declared. Bring their household register or a certificate to the community "
                    "to have it confirmed; we text you when it is."), "success")  # fmt: skip
            return redirect(url_for("volunteering.relatives"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "volunteering/giving_relatives.html",
        form=form,
        relatives=giving.relatives_of(db.session, volunteer),
        labels=giving.KINSHIP_LABELS,
        states=giving.STATE_LABELS,
    ), status
