"""HTTP for volunteer activities. Residents: the activities to come (by community and kind),
an activity's page with signing up, cancelling and the place in line, and their own
activities. Coordinators: their communities' activities, publishing, changing and cancelling
one, and its roster."""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from portal.db import db, utcnow
from portal.drafts.web import TypedAcrossLanguages
from portal.errors import NotFound
from portal.numbers import optional_id
from portal.permissions import Permission, can, require, require_staff
from portal.places.models import Place, PlaceKind
from portal.volunteering import activities as services
from portal.volunteering import activity_lists as lists
from portal.volunteering import activity_reminders, volunteers
from portal.volunteering.activity_forms import (
    ActivityCancelForm,
    ActivityEditForm,
    ActivityForm,
    SeatForm,
    worth_label,
)
from portal.volunteering.models import Activity, ActivityState, ServiceKind, SignUp, SignUpState
from portal.volunteering.views import bp
from portal.volunteering.when import clock_words, when_words
from portal.web.forms import EmptyForm, one_button_action, saving
from portal.web.templating import local_text

# What was typed on the form of an activity (new, or changed), kept across a switch of language.
typed_activity = TypedAcrossLanguages(
    "volunteering.activity",
    ("community", "title", "service_kind", "description", "day", "starts_at", "ends_at",
     "location", "seats", "worth_minutes", "serves_elderly"),
)  # fmt: skip


@bp.context_processor
def _helpers() -> dict:
    def activity_time(activity: Activity) -> str:
        """When, in words, in Shanghai: "今天（12月8日周二） 14:00–16:00", "12月9日周三 14:00–16:00"
        / "Tomorrow (Wed 9 Dec) 14:00–16:00"; the year only when it is not this year's."""
        return when_words(activity.starts_at, activity.ends_at, utcnow())

    def clock(moment: datetime | None) -> str:
        """The time of day in Shanghai, for a moment on the activity's own day: "14:05"."""
        return clock_words(moment) if moment is not None else ""

    def kind_name(kind: ServiceKind) -> str:
        return local_text(kind.name_zh, kind.name_en)

    return {
        "activity_time": activity_time,
        "clock": clock,
        "kind_name": kind_name,
        "worth_label": worth_label,
    }


def _activity(activity_id: int) -> Activity:
    try:
        return services.get_activity(db.session, activity_id)
    except NotFound:
        abort(404)


# --- residents -------------------------------------------------------------------------------


@bp.get("/activities")
def activities():
    """The activities to come, soonest first, by community and kind of service."""
    now = utcnow()
    try:
        community_id = optional_id(request.args.get("community"))
    except ValueError:
        community_id = None
    community = db.session.get(Place, community_id) if community_id else None
    if community is not None and community.kind != PlaceKind.COMMUNITY:
        community = None
    kinds = volunteers.service_kinds(db.session)
    code = request.args.get("kind", "")
    kind = next((each for each in kinds if each.code == code), None)
    page = lists.upcoming(
        db.session, community=community, kind=kind, after=now, page=request.args.get("page")
    )
    communities = db.session.scalars(
        select(Place).where(Place.kind == PlaceKind.COMMUNITY).order_by(Place.name_zh, Place.id)
    ).all()
    return render_template(
        "volunteering/activities.html", page=page, communities=communities, kinds=kinds,
        community=community, kind=kind,
    )  # fmt: skip


@bp.get("/activities/<int:activity_id>")
def activity(activity_id: int):
    found = _activity(activity_id)
    now = utcnow()
    mine = lists.own_sign_up(db.session, current_user, found)
    place = None
    if mine is not None and mine.state is SignUpState.WAITING:
        place = lists.places_in_line(db.session, [mine]).get(mine.id)
    return render_template(
        "volunteering/activity.html",
        activity=found,
        mine=mine,
        place_in_line=place,
        reminded=mine is not None and activity_reminders.will_remind(mine, found),
        volunteer=volunteers.volunteer_of(db.session, current_user),
        coordinates=can(current_user, Permission.COORDINATE_VOLUNTEERS, found.community),
        form=EmptyForm(),
        now=now,
        seats_left=max(0, found.seats - found.seats_taken),
        open=found.state is ActivityState.PUBLISHED and now < found.starts_at,
    )


def _seated_words(seat: SignUp, found: Activity) -> str:
    """What a volunteer just seated is told: the reminder to come, or, when it will not come
    (the activity is within a day), when to be there."""
    if activity_reminders.will_remind(seat, found):
        return _("You have a seat. We text you the day before.")
    return _("You have a seat: %(when)s. Please be there on time.",
             when=when_words(found.starts_at, found.ends_at, utcnow()))  # fmt: skip


@bp.post("/activities/<int:activity_id>/sign-up")
@login_required
def sign_up(activity_id: int):
    found = _activity(activity_id)
    form = EmptyForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            made = services.sign_up(db.session, current_user, found, now=utcnow())
        if saved and made.state is SignUpState.SEATED:
            flash(_seated_words(made, found), "success")
        elif saved:
            flash(_("The activity is full: you are on the waiting list. We text you if a "
                    "seat frees."), "info")  # fmt: skip
        for message in form.form_errors:
            flash(message, "error")
    return redirect(url_for("volunteering.activity", activity_id=found.id))


@bp.post("/activities/<int:activity_id>/cancel-sign-up")
@login_required
def cancel_sign_up(activity_id: int):
    found = _activity(activity_id)
    mine = lists.own_sign_up(db.session, current_user, found)
    if mine is None:
        abort(404)
    one_button_action(
        lambda: services.cancel_sign_up(db.session, current_user, mine, now=utcnow()),
        _("You have cancelled. Thank you for saying so in time."),
    )
    return redirect(url_for("volunteering.activity", activity_id=found.id))


@bp.get("/activities/mine")
@login_required
def my_activities():
    now = utcnow()
    return render_template(
        "volunteering/my_activities.html",
        mine=lists.mine(db.session, current_user, now=now),
        volunteer=volunteers.volunteer_of(db.session, current_user),
        now=now,
    )


# --- coordinators ----------------------------------------------------------------------------


@bp.get("/desk/activities")
@login_required
def desk_activities():
    require_staff(current_user)
    now = utcnow()
    page = lists.coordinators_activities(
        db.session, current_user, now=now, page=request.args.get("page")
    )
    return render_template("volunteering/desk_activities.html", page=page, now=now)


def _choices(form: ActivityForm, communities: list[Place]) -> None:
    from wtforms import SelectChoice

    form.community.choices = [
        SelectChoice(str(each.id), local_text(each.name_zh, each.name_en or ""))
        for each in communities
    ]
    form.service_kind.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(kind.code, local_text(kind.name_zh, kind.name_en))
        for kind in volunteers.service_kinds(db.session)
    ]


@bp.route("/desk/activities/new", methods=["GET", "POST"])
@login_required
def publish():
    require_staff(current_user)
    communities = volunteers.coordinated_communities(db.session, current_user)
    if not communities:
        require(current_user, Permission.COORDINATE_VOLUNTEERS, None)
    if typed_activity.switching_language():
        return typed_activity.keep_and_switch("new", request.path)
    form = ActivityForm()
    _choices(form, communities)
    if request.method == "GET":
        form.worth_minutes.data = "120"
        form.serves_elderly.data = True
        typed_activity.typed_before(form, "new")
    if form.validate_on_submit():
        moments, seats, worth = form.read_moments, form.read_seats, form.read_worth
        try:
            community_id = optional_id(form.community.data)
        except ValueError:
            community_id = None
        community = next((c for c in communities if c.id == community_id), None)
        if community is None:
            form.community.errors = [*form.community.errors, _("Choose a community.")]
        if moments and seats is not None and worth and community is not None:
            with saving(form) as saved:
                made = services.publish(
                    db.session, current_user, community=community, title=form.title.data,
                    description=form.description.data or "", service_kind=form.service_kind.data,
                    location=form.location.data, starts_at=moments[0], ends_at=moments[1],
                    seats=seats, worth_minutes=worth, serves_elderly=form.serves_elderly.data,
                    now=utcnow(),
                )  # fmt: skip
                typed_activity.forget("new", str(made.id))
            if saved:
                flash(_("The activity is published: volunteers can sign up now."), "success")
                return redirect(url_for("volunteering.roster", activity_id=made.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "volunteering/activity_form.html", form=form, activity=None, language_form="activity-form"
    ), status


@bp.get("/desk/activities/<int:activity_id>")
@login_required
def roster(activity_id: int):
    require_staff(current_user)
    return _roster_page(_activity(activity_id))


def _roster_page(found: Activity, *, cancel_form=None, seat_form=None, status: int = 200):
    return render_template(
        "volunteering/roster.html",
        activity=found,
        lines=lists.roster(db.session, current_user, found),
        cancel_form=cancel_form or ActivityCancelForm(formdata=None),
        seat_form=seat_form or SeatForm(formdata=None),
        now=utcnow(),
    ), status


@bp.post("/desk/activities/<int:activity_id>/seat")
@login_required
def seat(activity_id: int):
    """Seat a volunteer who came without signing up (or is waiting), by their mobile number."""
    require_staff(current_user)
    found = _activity(activity_id)
    form = SeatForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            services.seat_by_coordinator(
                db.session, current_user, found, phone=form.phone.data, now=utcnow()
            )
        if saved:
            flash(_("The volunteer has a seat and can be checked in."), "success")
            return redirect(url_for("volunteering.roster", activity_id=found.id))
    return _roster_page(found, seat_form=form, status=400)


@bp.route("/desk/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@login_required
def edit(activity_id: int):
    require_staff(current_user)
    found = _activity(activity_id)
    require(current_user, Permission.COORDINATE_VOLUNTEERS, found.community)
    scope = str(found.id)
    if typed_activity.switching_language():
        return typed_activity.keep_and_switch(scope, request.path)
    form = ActivityEditForm()
    if request.method == "GET":
        form.fill_when(found.starts_at, found.ends_at, found.location, found.seats)
        typed_activity.typed_before(form, scope)
    if form.validate_on_submit():
        moments, seats = form.read_moments, form.read_seats
        if moments and seats is not None:
            with saving(form) as saved:
                services.edit(
                    db.session, current_user, found, starts_at=moments[0], ends_at=moments[1],
                    location=form.location.data, seats=seats, now=utcnow(),
                )  # fmt: skip
                typed_activity.forget(scope, "changed")
            if saved:
                flash(_("Saved. Volunteers with a seat are texted if the time or place "
                        "changed."), "success")  # fmt: skip
                return redirect(url_for("volunteering.roster", activity_id=found.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "volunteering/activity_form.html", form=form, activity=found, language_form="activity-form"
    ), status


@bp.post("/desk/activities/<int:activity_id>/cancel")
@login_required
def cancel(activity_id: int):
    require_staff(current_user)
    found = _activity(activity_id)
    form = ActivityCancelForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            services.cancel(db.session, current_user, found, reason=form.reason.data,
                            now=utcnow())  # fmt: skip
        if saved:
            flash(_("The activity is cancelled; everyone signed up is texted."), "success")
            return redirect(url_for("volunteering.roster", activity_id=found.id))
    return _roster_page(found, cancel_form=form, status=400)
