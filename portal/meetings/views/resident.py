"""The resident's side of meetings: ask to meet the community's secretary from a building's
door, follow the request, and keep, move or cancel the meeting arranged.

A resident proves their phone by signing in with an SMS code (the SMS-code service); the
pages then show only what belongs to that phone.
"""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import ratelimit
from portal.db import db, utcnow
from portal.doors import recent_door
from portal.doors.services import normalize_code
from portal.errors import NotFound
from portal.i18n import text_in
from portal.meetings import agenda, calendar_files, hosting, legal, secretary
from portal.meetings import booking as engine
from portal.meetings.forms import AskForm, CancelForm, TimeForm, parse_start, start_value
from portal.meetings.models import Booking, MeetingKind, Venue
from portal.meetings.slots import local_date
from portal.meetings.views import bp, settings
from portal.web.forms import one_button_action, saving
from portal.web.templating import current_locale, local_time

# Free times offered on one page: every one within the host's horizon (the later days fold).
TIMES_SHOWN = None


def booker() -> engine.Booker:
    return engine.Booker(
        phone=current_user.phone,
        user_id=current_user.id,
        name=current_user.display_name or "",
        locale=current_locale(),
    )


@bp.route("/b/<code>/meet", methods=["GET", "POST"])
@login_required
def ask(code: str):
    """书记在线: ask to meet the secretary of the building's community."""
    normal = normalize_code(code)
    door = recent_door(db.session, normal) if normal else None
    if door is None or door.retired:
        return redirect(url_for("doors.door", code=door.code if door else code))
    community = secretary.community_of(db.session, door.building_id)
    waiting = secretary.open_request(db.session, current_user.phone, community.id)
    if waiting is not None:
        # One request at a time: a second tap, or Back and send again, leads to the first.
        flash(_("You have asked to meet the secretary already. Here is your request."), "info")
        return redirect(url_for("meetings.request_page", reference=waiting.reference))
    form = AskForm()
    limited = False
    if form.validate_on_submit() and not (limited := _too_many_requests(form)):
        with saving(form) as saved:
            made = secretary.ask(
                db.session, community, booker(), about=form.about.data,
                suits=form.suits.data or "", now=utcnow(),
            )  # fmt: skip
        if saved:
            return redirect(url_for("meetings.request_page", reference=made.reference))
    clocks = secretary.clocks_for(db.session, community.id, utcnow())
    return render_template(
        "meetings/ask.html", form=form, door=door, community=community, clocks=clocks,
        now=utcnow(),
    ), 429 if limited else 200  # fmt: skip


def _too_many_requests(form: AskForm) -> bool:
    """Requests to meet are counted per address and per phone, as reports are."""
    refused = ratelimit.first_refused([
        ("meeting-request", current_app.config["MEETING_REQUESTS_PER_ADDRESS"], None),
        ("meeting-request-phone", current_app.config["MEETING_REQUESTS_PER_PHONE"],
         current_user.phone),
    ])  # fmt: skip
    if refused is None:
        return False
    form.form_errors.append(
        _("Too many requests were sent from here. Please try again later or call your community.")
    )
    return True


@bp.post("/meetings/requests/<reference>/withdraw")
@login_required
def withdraw(reference: str):
    made = secretary.get_own_request(db.session, current_user, reference, for_update=True)
    one_button_action(
        lambda: secretary.withdraw(db.session, current_user, made, now=utcnow()),
        _("Your request is withdrawn."),
    )
    return redirect(url_for("meetings.request_page", reference=made.reference))


@bp.get("/meetings")
@login_required
def mine():
    return render_template(
        "meetings/mine.html",
        requests=secretary.residents_requests(db.session, current_user),
        bookings=agenda.residents_bookings(db.session, booker()),
        now=utcnow(),
    )


@bp.get("/meetings/requests/<reference>")
@login_required
def request_page(reference: str):
    made = secretary.get_own_request(db.session, current_user, reference)
    return render_template("meetings/request.html", made=made, now=utcnow())


def _own_booking(reference: str) -> Booking:
    try:
        return engine.get_booking(db.session, reference, booker=booker())
    except NotFound:
        abort(404)


@bp.get("/m/<reference>")
@login_required
def booking_page(reference: str):
    made = _own_booking(reference)
    queue = legal.queue_number(db.session, made) if made.kind is MeetingKind.LEGAL else None
    return render_template(
        "meetings/booking.html", made=made, cancel_form=CancelForm(), now=utcnow(),
        deadline=engine.resident_deadline(made), queue=queue,
    )  # fmt: skip


@bp.get("/m/<reference>/calendar.ics")
@login_required
def booking_calendar(reference: str):
    made = _own_booking(reference)
    entry = calendar_files.Entry(
        uid=f"{made.reference}@meetings",
        start=made.starts_at,
        end=made.ends_at,
        summary=_("Meeting at %(community)s", community=text_in(
            current_locale(), made.place.name_zh, made.place.name_en)),
        location=where_text(made),
        url=settings().booking_url(made.reference),
        cancelled=not made.is_live,
        sequence=agenda.moves(db.session, made),
    )  # fmt: skip
    body = calendar_files.calendar(
        [entry], name=_("Meetings"), stamp=utcnow(), alarm_text=_("Your meeting is coming up")
    )
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{made.reference}.ics"'},
    )


def where_text(made: Booking) -> str:
    """Where the meeting is, as the resident reads it."""
    if made.venue is Venue.PHONE:
        return _("By phone: the host calls you")
    place = made.place
    return text_in(
        current_locale(),
        place.service_centre_zh or place.name_zh,
        place.service_centre_en or place.name_en,
    )


@bp.route("/m/<reference>/move", methods=["GET", "POST"])
@login_required
def move(reference: str):
    made = _own_booking(reference)
    now = utcnow()
    form = TimeForm()
    if request.method == "POST" and form.validate_on_submit():
        start = parse_start(form.start.data)
        if start is None:
            form.start.errors = [_("Choose a time.")]
        else:
            with saving(form) as saved:
                before = made.starts_at
                engine.move(db.session, made, start, booker=booker(), now=now)
                hosting.resident_moved(db.session, made, before, now=now)
            if saved:
                flash(_("Your meeting is now on %(when)s.", when=local_time(start)), "success")
                return redirect(url_for("meetings.booking_page", reference=made.reference))
    free = engine.free_times(db.session, made.schedule, now, limit=TIMES_SHOWN)
    return render_template("meetings/move.html", made=made, form=form, days=by_day(free), now=now)


def by_day(free) -> list[tuple]:
    """Free times grouped by local day, for a list a phone scrolls."""
    days: dict = {}
    for slot in free:
        days.setdefault(local_date(slot.start), []).append((start_value(slot.start), slot))
    return list(days.items())


@bp.post("/m/<reference>/cancel")
@login_required
def cancel(reference: str):
    made = _own_booking(reference)
    form = CancelForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            engine.cancel(db.session, made, booker=booker(), reason=form.reason.data or "",
                          now=utcnow())  # fmt: skip
            hosting.resident_cancelled(db.session, made, now=utcnow())
        if saved:
            flash(_("Your meeting is cancelled."), "success")
        for message in form.form_errors:
            flash(message, "error")
    return redirect(url_for("meetings.booking_page", reference=made.reference))
