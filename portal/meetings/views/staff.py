"""The hosts' side of meetings: the 书记在线 requests waiting (time left on each, overdue
first), a request's page where it is marked seen and a meeting arranged, the day's meetings,
and a meeting's page where the host marks it or cancels it."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.appeals import services as appeals
from portal.db import db, utcnow
from portal.errors import DomainError, NotFound
from portal.meetings import agenda, hosting, legal, secretary
from portal.meetings import booking as engine
from portal.meetings.forms import (
    CancelForm,
    MarkForm,
    TimeForm,
    WalkInForm,
    parse_start,
    start_value,
)
from portal.meetings.models import Booking, BookingState, MeetingRequest, Venue
from portal.meetings.slots import local_date
from portal.meetings.views import bp, settings
from portal.meetings.views.resident import TIMES_SHOWN, by_day
from portal.permissions import Permission, holds_anywhere, require_staff
from portal.web.forms import EmptyForm, one_button_action, saving

# The meetings a host sees coming on the desk, beyond today's.
COMING_DAYS = 14


@bp.get("/staff/meetings")
@login_required
def desk():
    return desk_page()


def walk_in_form(schedule_id: int) -> WalkInForm:
    """A schedule's walk-in form; each has its own field names, as an adviser may receive at
    two communities on one day."""
    return WalkInForm(prefix=f"s{schedule_id}")


def desk_page(walk_in: tuple[int, WalkInForm] | None = None, status: int = 200):
    """The desk; `walk_in` is a legal schedule's walk-in form sent with mistakes to show."""
    require_staff(current_user)
    now = utcnow()
    today = agenda.hosts_day(db.session, current_user, local_date(now))
    sessions = []
    for schedule in legal.advisers_schedules(db.session, current_user):
        times = legal.walk_in_times(db.session, current_user, schedule, now)
        sent = walk_in is not None and walk_in[0] == schedule.id
        if times or sent:  # a form sent with mistakes shows them, even once the day is full
            form = walk_in[1] if walk_in is not None and sent else walk_in_form(schedule.id)
            sessions.append((schedule, times, form))
    return render_template(
        "meetings/desk.html",
        waiting=secretary.requests_to_answer(db.session, current_user),
        today=today,
        coming=agenda.hosts_days(
            db.session,
            current_user,
            local_date(now) + timedelta(days=1),
            local_date(now) + timedelta(days=COMING_DAYS),
        ),
        answers=holds_anywhere(current_user, Permission.ANSWER_MEETING_REQUESTS),
        numbers=legal.queue_numbers(db.session, today),
        walk_ins=[(s, [(start_value(t.start), t) for t in ts], f) for s, ts, f in sessions],
        now=now,
        hosts=holds_anywhere(current_user, Permission.HOST_MEETINGS),
        sets_schedules=holds_anywhere(current_user, Permission.MANAGE_MEETINGS),
    ), status


def _request(reference: str, *, for_update: bool = False) -> MeetingRequest:
    """The request; locked when about to be acted on, so that two hosts arranging it at
    once (or the resident withdrawing it meanwhile) act one after the other."""
    require_staff(current_user)
    try:
        return secretary.get_request(db.session, current_user, reference, for_update=for_update)
    except NotFound:
        abort(404)


def _request_page(made: MeetingRequest, form: TimeForm | None = None, full_phone: str = ""):
    now = utcnow()
    try:
        schedule = secretary.host_schedule(db.session, current_user, made.place)
    except DomainError:
        schedule = None
    free = engine.free_times(db.session, schedule, now, limit=TIMES_SHOWN) if schedule else []
    return render_template(
        "meetings/staff_request.html", made=made, form=form or TimeForm(), schedule=schedule,
        appeal_tracking=appeals.tracking_of(db.session, made.appeal_id),
        days=by_day(free), now=now, full_phone=full_phone, venue_either=bool(
            schedule and schedule.venue is Venue.EITHER),
    )  # fmt: skip


@bp.get("/staff/meetings/requests/<reference>")
@login_required
def request_detail(reference: str):
    return _request_page(_request(reference))


@bp.post("/staff/meetings/requests/<reference>/seen")
@login_required
def seen(reference: str):
    made = _request(reference, for_update=True)
    one_button_action(
        lambda: secretary.mark_seen(db.session, current_user, made, now=utcnow()),
        _("Marked as seen. The resident has been texted your name and the community's number."),
    )
    return redirect(url_for("meetings.request_detail", reference=made.reference))


@bp.post("/staff/meetings/requests/<reference>/reveal")
@login_required
def reveal(reference: str):
    made = _request(reference)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("meetings.request_detail", reference=made.reference))
    phone = secretary.reveal_phone(db.session, current_user, made, now=utcnow())
    db.session.commit()
    # Shown on this one page, never put in a URL or kept in the session.
    return _request_page(made, full_phone=phone)


@bp.post("/staff/meetings/requests/<reference>/arrange")
@login_required
def arrange(reference: str):
    made = _request(reference, for_update=True)
    form = TimeForm()
    if form.validate_on_submit():
        start = parse_start(form.start.data)
        if start is None:
            form.start.errors = [_("Choose a time.")]
        else:
            venue = Venue(form.venue.data) if form.venue.data else None
            with saving(form) as saved:
                secretary.arrange(
                    db.session, settings(), current_user, made, start, venue=venue, now=utcnow()
                )
            if saved:
                flash(_("The meeting is booked and the resident has been texted its time."),
                      "success")  # fmt: skip
                return redirect(url_for("meetings.request_detail", reference=made.reference))
    return _request_page(made, form), 400


def _booking(reference: str) -> Booking:
    require_staff(current_user)
    try:
        return engine.get_booking(db.session, reference, actor=current_user)
    except NotFound:
        abort(404)


def _booking_page(
    made: Booking, cancel_form=None, mark_form=None, status: int = 200, full_phone: str = ""
):
    return render_template(
        "meetings/staff_booking.html", made=made, now=utcnow(),
        cancel_form=cancel_form or CancelForm(), mark_form=mark_form or MarkForm(),
        events=agenda.timeline(db.session, made), full_phone=full_phone,
    ), status  # fmt: skip


@bp.get("/staff/meetings/bookings/<reference>")
@login_required
def booking_detail(reference: str):
    return _booking_page(_booking(reference))


@bp.post("/staff/meetings/bookings/<reference>/reveal")
@login_required
def reveal_booking(reference: str):
    made = _booking(reference)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("meetings.booking_detail", reference=made.reference))
    phone = engine.reveal_phone(db.session, current_user, made, now=utcnow())
    db.session.commit()
    # Shown on this one page (to call the resident), never put in a URL or the session.
    return _booking_page(made, full_phone=phone)


@bp.post("/staff/meetings/bookings/<reference>/mark")
@login_required
def mark(reference: str):
    made = _booking(reference)
    form = MarkForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            engine.mark(db.session, current_user, made, BookingState(form.outcome.data),
                        note=form.note.data or "", now=utcnow())  # fmt: skip
        if saved:
            flash(_("Saved."), "success")
            return redirect(url_for("meetings.booking_detail", reference=made.reference))
    return _booking_page(made, mark_form=form, status=400)


@bp.post("/staff/meetings/bookings/<reference>/cancel")
@login_required
def host_cancel(reference: str):
    made = _booking(reference)
    form = CancelForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            hosting.cancel(db.session, settings(), current_user, made,
                           reason=form.reason.data or "", now=utcnow())  # fmt: skip
        if saved:
            flash(_("The meeting is cancelled and the resident has been texted why."), "success")
            return redirect(url_for("meetings.booking_detail", reference=made.reference))
    return _booking_page(made, cancel_form=form, status=400)


@bp.route("/staff/meetings/bookings/<reference>/move", methods=["GET", "POST"])
@login_required
def host_move(reference: str):
    made = _booking(reference)
    now = utcnow()
    form = TimeForm()
    status = 200
    if request.method == "POST":
        status = 400
        start = parse_start(form.start.data) if form.validate_on_submit() else None
        if start is not None:
            with saving(form) as saved:
                hosting.move(db.session, settings(), current_user, made, start, now=now)
            if saved:
                flash(_("The meeting is moved and the resident has been texted."), "success")
                return redirect(url_for("meetings.booking_detail", reference=made.reference))
        elif not form.start.errors:
            form.start.errors = [_("Choose a time.")]
    free = engine.free_times(db.session, made.schedule, now, limit=TIMES_SHOWN)
    return render_template(
        "meetings/move.html", made=made, form=form, days=by_day(free), now=now, staff=True
    ), status
