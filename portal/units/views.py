"""HTTP for administrators: the units (street offices and departments) that take level-3
appeals, with their members."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from portal.db import db, utcnow
from portal.features import panels
from portal.pagination import paginate
from portal.places.labels import KIND_LABELS
from portal.units import services as units
from portal.units.forms import MemberForm, UnitForm
from portal.units.models import Unit
from portal.web.forms import one_button_action, saving
from portal.web.templating import local_name

bp = Blueprint("units", __name__, url_prefix="/admin")


@bp.get("/units")
@login_required
def unit_list():
    page = paginate(db.session, units.units_query(current_user), request.args.get("page"))
    return render_template(
        "units/units.html", page=page, members=units.member_counts(db.session, page.items)
    )


def _place_choices(form: UnitForm, unit: Unit | None) -> None:
    places = units.unit_places(db.session, current_user)
    if unit is not None and unit.place not in places:
        places.append(unit.place)
    form.place_id.choices = [SelectChoice("", _("Choose one"))] + [
        SelectChoice(place.id, f"{local_name(place)} · {KIND_LABELS[place.kind]}")
        for place in places
    ]


def _unit_fields(form: UnitForm) -> dict:
    return {
        "place_id": form.place_id.data,
        "name_zh": form.name_zh.data,
        "name_en": form.name_en.data,
        "phone": form.phone.data or "",
    }


@bp.route("/units/new", methods=["GET", "POST"])
@login_required
def new_unit():
    units.require_catalogue_manager(current_user)
    form = UnitForm()
    _place_choices(form, None)
    if form.validate_on_submit():
        with saving(form) as saved:
            unit = units.create_unit(
                db.session, current_user, code=form.code.data, now=utcnow(),
                **_unit_fields(form),
            )  # fmt: skip
        if saved:
            flash(_("The unit is added. Now add the officers who work its queue."), "success")
            return redirect(url_for("units.unit", unit_id=unit.id, _anchor="members"))
    return render_template("units/new_unit.html", form=form)


def _unit_page(unit: Unit, form: UnitForm | None = None, member_form: MemberForm | None = None):
    """The unit's page, with the form that was just sent (and its problems) if any."""
    if form is None:
        form = UnitForm(formdata=None, obj=unit)
        del form.code
        _place_choices(form, unit)
    page = render_template(
        "units/unit.html",
        unit=unit,
        form=form,
        member_form=member_form or MemberForm(formdata=None, prefix="member"),
        members=units.members_of(db.session, unit),
        panels=panels(current_app, "units.unit", db.session, current_user, unit),
    )
    return page, 400 if form.errors or form.form_errors or member_form else 200


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@login_required
def unit(unit_id: int):
    unit = units.get_unit(db.session, current_user, unit_id)
    if request.method == "GET":
        return _unit_page(unit)
    form = UnitForm(obj=unit)
    del form.code
    _place_choices(form, unit)
    if form.validate_on_submit():
        with saving(form) as saved:
            units.update_unit(db.session, current_user, unit, now=utcnow(), **_unit_fields(form))
        if saved:
            flash(_("The changes are saved."), "success")
            return redirect(url_for("units.unit", unit_id=unit.id))
    return _unit_page(unit, form=form)


@bp.post("/units/<int:unit_id>/members")
@login_required
def add_member(unit_id: int):
    unit = units.get_unit(db.session, current_user, unit_id)
    form = MemberForm(prefix="member")
    if form.validate_on_submit():
        with saving(form) as saved:
            user = units.add_member(db.session, current_user, unit, form.phone.data, now=utcnow())
        if saved:
            flash(
                _(
                    "%(name)s is a member of the unit now.",
                    name=user.display_name or _("The officer"),
                ),
                "success",
            )
            return redirect(url_for("units.unit", unit_id=unit_id, _anchor="members"))
    return _unit_page(unit, member_form=form)


@bp.post("/units/<int:unit_id>/members/<int:user_id>/remove")
@login_required
def remove_member(unit_id: int, user_id: int):
    unit = units.get_unit(db.session, current_user, unit_id)
    one_button_action(
        partial(units.remove_member, db.session, current_user, unit, user_id, now=utcnow()),
        _("The officer is no longer a member of the unit."),
    )
    return redirect(url_for("units.unit", unit_id=unit_id, _anchor="members"))


@bp.post("/units/<int:unit_id>/retire")
@login_required
def retire_unit(unit_id: int):
    return _set_unit_retired(unit_id, True, _("The unit is retired. It takes nothing new."))


@bp.post("/units/<int:unit_id>/restore")
@login_required
def restore_unit(unit_id: int):
    return _set_unit_retired(unit_id, False, _("The unit is in use again."))


def _set_unit_retired(unit_id: int, retired: bool, message: str):
    unit = units.get_unit(db.session, current_user, unit_id)
    one_button_action(
        partial(units.set_unit_retired, db.session, current_user, unit, retired, now=utcnow()),
        message,
    )
    return redirect(url_for("units.unit", unit_id=unit_id))
