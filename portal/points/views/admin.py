"""District administrators keep the earning rules (/points/admin/rules): add, change, retire
and bring back."""

from __future__ import annotations

from functools import partial

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from portal.db import db, utcnow
from portal.errors import NotFound
from portal.permissions import Permission, require, require_staff
from portal.places.models import Place, PlaceKind
from portal.points import earning_rules as service
from portal.points.forms import NewRuleForm, RuleForm
from portal.points.models import PointsRule
from portal.points.views import bp, place_by_code
from portal.web.forms import one_button_action, saving


def _district() -> Place:
    """The district asked for by its code, or the first the administrator keeps."""
    require_staff(current_user)
    found = place_by_code(PlaceKind.DISTRICT, Permission.MANAGE_POINTS)
    if found is not None:
        return found
    districts = service.managed_districts(db.session, current_user)
    if not districts:
        require(current_user, Permission.MANAGE_POINTS, None)
    return districts[0]


def _values(form: RuleForm):
    return partial(
        service.check_values, name_zh=form.name_zh.data, name_en=form.name_en.data,
        points=form.points.data, needs_review=form.needs_review.data, per_day=form.per_day.data,
        per_month=form.per_month.data, per_year=form.per_year.data,
    )  # fmt: skip


def _new_rule_form(form: NewRuleForm | None = None) -> NewRuleForm:
    form = form or NewRuleForm()
    form.source.choices = [
        SelectChoice(source.value, str(words)) for source, words in service.SOURCE_NAMES.items()
    ]
    return form


def _rules_page(district: Place, form: NewRuleForm | None = None, status: int = 200):
    every = service.district_rules(db.session, current_user, district)
    return render_template(
        "points/rules.html", district=district, form=_new_rule_form(form),
        sources=service.SOURCE_NAMES,
        districts=service.managed_districts(db.session, current_user),
        live=[rule for rule in every if rule.retired_at is None],
        retired=[rule for rule in every if rule.retired_at is not None],
    ), status  # fmt: skip


@bp.get("/admin/rules")
@login_required
def rules():
    return _rules_page(_district())


@bp.post("/admin/rules")
@login_required
def add_rule():
    district = _district()
    form = NewRuleForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            made = service.add_rule(
                db.session, current_user, district, _values(form)(),
                source=service.check_source(form.source.data), now=utcnow(),
            )  # fmt: skip
        if saved:
            flash(_("Added: %(name)s.", name=made.name_zh), "success")
            return redirect(url_for("points.rules", district=district.code))
    return _rules_page(district, form, 400)


def _rule(rule_id: int) -> PointsRule:
    require_staff(current_user)
    try:
        return service.get_rule(db.session, current_user, rule_id)
    except NotFound:
        abort(404)


@bp.route("/admin/rules/<int:rule_id>", methods=["GET", "POST"])
@login_required
def rule(rule_id: int):
    made = _rule(rule_id)
    form = RuleForm(obj=made)
    if form.validate_on_submit():
        with saving(form) as saved:
            service.change_rule(db.session, current_user, made, _values(form)(), now=utcnow())
        if saved:
            flash(_("Saved. Awards from now on follow the changed rule."), "success")
            return redirect(url_for("points.rules", district=made.district.code))
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "points/rule.html", rule=made, form=form, sources=service.SOURCE_NAMES
    ), status


@bp.post("/admin/rules/<int:rule_id>/retire", defaults={"retired": True})
@bp.post("/admin/rules/<int:rule_id>/restore", defaults={"retired": False})
@login_required
def retire_rule(rule_id: int, retired: bool):
    made = _rule(rule_id)
    action = partial(
        service.retire_rule, db.session, current_user, made, retired=retired, now=utcnow()
    )
    one_button_action(action, _("Retired: no longer awarded.") if retired else _("Awarded again."))
    return redirect(url_for("points.rules", district=made.district.code))
