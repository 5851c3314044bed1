"""Coordinators' desk of grid points (/points/desk?community=<code>): award a listed deed,
review awards proposed by another coordinator, and decide objections lodged during the
public notice."""

from __future__ import annotations

from functools import partial

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from portal.db import db, utcnow
from portal.errors import NotFound
from portal.permissions import Permission, require, require_staff
from portal.places.models import Place
from portal.points import accounts, awards, earning_rules, notice
from portal.points.forms import AwardForm, DecisionForm, RejectForm
from portal.points.models import PointsAward, PointsObjection
from portal.points.settings import PointsSettings
from portal.points.views import bp, coordinators_community
from portal.web.forms import PortalForm, one_button_action, saving
from portal.web.templating import local_text


def _settings() -> PointsSettings:
    return PointsSettings.from_config(current_app.config)


def _award_form(community: Place, form: AwardForm | None = None) -> AwardForm:
    form = form or AwardForm()
    district = accounts.district_of(community)
    form.rule.choices = [SelectChoice("", _("Choose a deed"))] + [
        SelectChoice(str(rule.id), _("%(deed)s: %(points)s points", deed=local_text(
            rule.name_zh, rule.name_en), points=rule.points))
        for rule in earning_rules.offered_rules(db.session, district)
    ]  # fmt: skip
    return form


def _desk_page(community: Place, failed: dict[str, PortalForm] | None = None, status=200):
    failed = failed or {}
    queue = notice.review_queue(db.session, current_user, community)
    objections = notice.open_objections(db.session, current_user, community)
    shown = {"award"} | {f"r{a.id}" for a in queue} | {f"d{o.id}" for o in objections}
    for key, form in failed.items():
        # Decided meanwhile, by another coordinator: the form is gone, say why here.
        if key not in shown:
            for message in [*form.form_errors, *(m for item in form for m in item.errors)]:
                flash(message, "error")
    return render_template(
        "points/desk.html", community=community,
        form=_award_form(community, failed.get("award")),  # type: ignore[arg-type]
        queue=queue, objections=objections,
        on_notice=notice.on_notice(db.session, community),
        reject_forms={a.id: failed.get(f"r{a.id}") or RejectForm(prefix=f"r{a.id}")
                      for a in queue},
        decision_forms={o.id: failed.get(f"d{o.id}") or DecisionForm(prefix=f"d{o.id}")
                        for o in objections},
    ), status  # fmt: skip


@bp.get("/desk")
@login_required
def desk():
    community = coordinators_community()
    if community is None:
        communities = awards.awarding_communities(db.session, current_user)
        return render_template("points/desk_choose.html", communities=communities)
    return _desk_page(community)


@bp.post("/desk/award")
@login_required
def award():
    community = coordinators_community()
    if community is None:
        abort(404)
    form = _award_form(community)
    if form.validate_on_submit():
        with saving(form) as saved:
            made = awards.award_points(
                db.session, current_user, community, rule_id=form.rule.data,
                phone=form.phone.data, reason=form.reason.data, now=utcnow(),
            )  # fmt: skip
        if saved:
            flash(_("Awarded: it waits for another coordinator's review.")
                  if made.state == "reviewing" else
                  _("Awarded: the points are credited and the resident is texted."),
                  "success")  # fmt: skip
            return redirect(url_for("points.desk", community=community.code))
    return _desk_page(community, {"award": form}, 400)


def _award(award_id: int) -> PointsAward:
    require_staff(current_user)
    found = db.session.get(PointsAward, award_id)
    if found is None:
        abort(404)
    require(current_user, Permission.AWARD_POINTS, found.community)
    return found


@bp.post("/desk/awards/<int:award_id>/approve")
@login_required
def approve(award_id: int):
    found = _award(award_id)
    action = partial(awards.approve_award, db.session, current_user, found.id,
                     notice_days=_settings().notice_days_in(found.community), now=utcnow())  # fmt: skip
    one_button_action(action, _("Approved: it is on the public notice now."))
    return redirect(url_for("points.desk", community=found.community.code))


@bp.post("/desk/awards/<int:award_id>/reject")
@login_required
def reject(award_id: int):
    found = _award(award_id)
    community = found.community
    form = RejectForm(prefix=f"r{found.id}")
    if form.validate_on_submit():
        with saving(form) as saved:
            awards.reject_award(db.session, current_user, found.id, reason=form.reason.data,
                                now=utcnow())  # fmt: skip
        if saved:
            flash(_("Not approved. The award is kept with your reason."), "success")
            return redirect(url_for("points.desk", community=community.code))
    return _desk_page(community, {f"r{award_id}": form}, 400)


@bp.post("/desk/objections/<int:objection_id>/uphold", defaults={"upheld": True})
@bp.post("/desk/objections/<int:objection_id>/dismiss", defaults={"upheld": False})
@login_required
def decide(objection_id: int, upheld: bool):
    require_staff(current_user)
    objection = db.session.get(PointsObjection, objection_id)
    if objection is None:
        abort(404)
    community = objection.award.community
    require(current_user, Permission.AWARD_POINTS, community)
    form = DecisionForm(prefix=f"d{objection.id}")
    if form.validate_on_submit():
        try:
            with saving(form) as saved:
                notice.decide_objection(db.session, current_user, objection.id, upheld=upheld,
                                        decision=form.decision.data, now=utcnow())  # fmt: skip
        except NotFound:
            abort(404)
        if saved:
            flash(_("Upheld: the award is refused and kept with your decision.") if upheld
                  else _("Dismissed: the award stands."), "success")  # fmt: skip
            return redirect(url_for("points.desk", community=community.code))
    return _desk_page(community, {f"d{objection_id}": form}, 400)
