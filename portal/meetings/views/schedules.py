"""Setting when hosts receive residents: the schedules a person may set (their own, their
deputies', their area's), a schedule's form with a preview of the times it gives, a host's
days off, and a community's online hours for 书记在线."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts.models import User
from portal.db import db, utcnow
from portal.meetings import schedules
from portal.meetings.models import MeetingKind
from portal.meetings.schedule_forms import DayOffForm, OnlineHoursForm, ScheduleForm, show_problems
from portal.meetings.slots import local_date
from portal.meetings.views import bp
from portal.meetings.views.resident import by_day
from portal.numbers import parse_id
from portal.permissions import Permission, can, require_staff
from portal.places.models import Place, PlaceKind
from portal.web.forms import EmptyForm, saving


@bp.get("/staff/meetings/schedules")
@login_required
def schedules_list():
    require_staff(current_user)
    rows = schedules.schedules_to_set(db.session, current_user)
    communities = {row.place.id: row.place for row in rows if row.kind is MeetingKind.SECRETARY}
    return render_template(
        "meetings/schedules.html",
        rows=rows,
        online_hours=[
            place for place in communities.values()
            if can(current_user, Permission.LEAD_MEETINGS, place)
            or can(current_user, Permission.MANAGE_MEETINGS, place)
        ],
    )  # fmt: skip


def _schedule_page(form, *, host, place, kind, action: str, preview=None, schedule=None,
                   status: int = 200):  # fmt: skip
    return render_template(
        "meetings/schedule.html", form=form, host=host, place=place, kind=kind, action=action,
        days=by_day(preview) if preview is not None else None, schedule=schedule,
        day_names=schedules.WEEKDAY_NAMES,
    ), status  # fmt: skip


def _plan_or_problems(form: ScheduleForm, kind: MeetingKind):
    plan = form.plan(kind)
    if plan is None:
        return None
    problems = schedules.check(plan)
    if problems:
        show_problems(form, problems)
        return None
    return plan


def _query_id(name: str) -> int:
    try:
        return parse_id(request.args.get(name))
    except ValueError:
        abort(404)


@bp.route("/staff/meetings/schedules/new", methods=["GET", "POST"])
@login_required
def schedule_new():
    require_staff(current_user)
    host_id, place_id = _query_id("host"), _query_id("place")
    kind = (
        MeetingKind(request.args["kind"]) if request.args.get("kind") in set(MeetingKind) else None
    )
    if kind is None:
        abort(404)
    host, place = schedules.new_schedule_for(db.session, current_user, host_id, place_id, kind)
    action = url_for("meetings.schedule_new", host=host.id, place=place.id, kind=kind.value)
    form = ScheduleForm()
    if request.method == "GET":
        form.fill(schedules.Plan.default(kind))
        return _schedule_page(form, host=host, place=place, kind=kind, action=action)
    plan = _plan_or_problems(form, kind)
    if plan is not None and request.form.get("preview"):
        free = schedules.preview(db.session, host.id, place.id, kind, plan, utcnow())
        return _schedule_page(form, host=host, place=place, kind=kind, action=action, preview=free)
    if plan is not None:
        with saving(form) as saved:
            made = schedules.create_schedule(
                db.session, current_user, host.id, place.id, kind, plan, now=utcnow()
            )
        if saved:
            flash(_("Saved. Residents can book these times now."), "success")
            return redirect(url_for("meetings.schedule_edit", schedule_id=made.id))
    return _schedule_page(form, host=host, place=place, kind=kind, action=action, status=400)


@bp.route("/staff/meetings/schedules/<int:schedule_id>", methods=["GET", "POST"])
@login_required
def schedule_edit(schedule_id: int):
    require_staff(current_user)
    schedule = schedules.get_schedule(db.session, current_user, schedule_id)
    host = db.session.get(User, schedule.host_id)
    page = {"host": host, "place": schedule.place, "kind": schedule.kind, "schedule": schedule,
            "action": url_for("meetings.schedule_edit", schedule_id=schedule.id)}  # fmt: skip
    form = ScheduleForm()
    now = utcnow()
    if request.method == "GET":
        form.fill(schedules.Plan.of(schedule))
        return _schedule_page(form, preview=_stored_preview(schedule, now), **page)
    plan = _plan_or_problems(form, schedule.kind)
    if plan is not None and request.form.get("preview"):
        free = schedules.preview(db.session, host.id, schedule.place_id, schedule.kind, plan, now)
        return _schedule_page(form, preview=free, **page)
    if plan is not None:
        with saving(form) as saved:
            schedules.update_schedule(db.session, current_user, schedule, plan, now=now)
        if saved:
            flash(_("Saved. Meetings already booked keep their times."), "success")
            return redirect(url_for("meetings.schedule_edit", schedule_id=schedule.id))
    return _schedule_page(form, status=400, **page)


def _stored_preview(schedule, now):
    from portal.meetings import booking as engine

    if not schedule.is_active:
        return []
    return engine.free_times(db.session, schedule, now, limit=schedules.PREVIEWED)


# --- days off --------------------------------------------------------------------------------


def _days_off_page(host, form, status: int = 200):
    today = local_date(utcnow())
    closures = schedules.days_off(db.session, host, today)
    return render_template(
        "meetings/closures.html", host=host, form=form, closures=closures,
        clashes=schedules.clashes(db.session, host, closures), remove_form=EmptyForm(),
        own=host.id == current_user.id,
    ), status  # fmt: skip


@bp.route("/staff/meetings/hosts/<int:host_id>/days-off", methods=["GET", "POST"])
@login_required
def days_off(host_id: int):
    require_staff(current_user)
    host = schedules.get_host(db.session, current_user, host_id)
    form = DayOffForm()
    if request.method == "GET":
        return _days_off_page(host, form)
    values = form.values()
    if values is not None:
        with saving(form) as saved:
            schedules.add_day_off(db.session, current_user, host, now=utcnow(), **values)
        if saved:
            flash(_("Saved. Nobody can book those times now."), "success")
            return redirect(url_for("meetings.days_off", host_id=host.id))
    return _days_off_page(host, form, status=400)


@bp.post("/staff/meetings/days-off/<int:closure_id>/remove")
@login_required
def day_off_remove(closure_id: int):
    require_staff(current_user)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    host = schedules.remove_day_off(db.session, current_user, closure_id, now=utcnow())
    db.session.commit()
    flash(_("Removed. Those times can be booked again."), "success")
    return redirect(url_for("meetings.days_off", host_id=host.id))


# --- online hours ----------------------------------------------------------------------------


@bp.route("/staff/meetings/communities/<int:community_id>/online-hours", methods=["GET", "POST"])
@login_required
def online_hours(community_id: int):
    require_staff(current_user)
    community = db.session.get(Place, community_id)
    if community is None or community.kind is not PlaceKind.COMMUNITY:
        abort(404)
    current = schedules.online_hours_of(db.session, current_user, community)
    form = OnlineHoursForm()
    status = 200
    if request.method == "GET":
        form.fill(current)
    else:
        status = 400
        weekly = form.weekly()
        if weekly is not None:
            with saving(form) as saved:
                schedules.set_online_hours(db.session, current_user, community, weekly,
                                           now=utcnow())  # fmt: skip
            if saved:
                flash(_("Saved. Requests are answered in these hours from now on."), "success")
                return redirect(url_for("meetings.online_hours", community_id=community.id))
    return render_template(
        "meetings/online_hours.html", form=form, community=community,
        day_names=schedules.WEEKDAY_NAMES, days=schedules.ONLINE_WEEKDAYS,
    ), status  # fmt: skip
