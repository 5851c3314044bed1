"""HTTP for legal service days (遇8有约): a community's next service days for anyone, booking a
time for a signed-in resident, and the adviser's walk-ins from the meetings desk."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal import ratelimit
from portal.db import db, utcnow
from portal.errors import NotFound
from portal.meetings import booking as engine
from portal.meetings import legal
from portal.meetings.forms import LegalBookingForm, parse_start
from portal.meetings.models import Schedule
from portal.meetings.views import bp, settings
from portal.meetings.views.resident import TIMES_SHOWN, booker, by_day
from portal.meetings.views.staff import desk_page, walk_in_form
from portal.places.models import Place
from portal.web.forms import saving
from portal.web.templating import local_time

TOO_MANY = _l(
    "Too many bookings were made from here. Please try again later or call your community."
)


def _community(code: str) -> Place:
    try:
        return legal.community_by_code(db.session, code)
    except NotFound:
        abort(404)


@bp.get("/c/<code>/legal")
def legal_days(code: str):
    """The community's next legal service days and their free times: no sign-in needed."""
    community = _community(code)
    return render_template(
        "meetings/legal_days.html",
        community=community,
        days=legal.legal_days(db.session, community, utcnow()),
    )


def _schedule_at(community: Place, schedule_id: int) -> Schedule:
    try:
        schedule = legal.legal_schedule(db.session, schedule_id)
    except NotFound:
        abort(404)
    if schedule.place_id != community.id:
        abort(404)
    return schedule


def _limits_refused() -> bool:
    """Count a booking against the limits per address and per phone; True when refused."""
    config = current_app.config
    refused = ratelimit.first_refused([
        ("legal-book", config["LEGAL_BOOKING_LIMIT_PER_ADDRESS"], None),
        ("legal-book-phone", config["LEGAL_BOOKING_LIMIT_PER_PHONE"], current_user.phone),
    ])  # fmt: skip
    return refused is not None


@bp.route("/c/<code>/legal/<int:schedule_id>/book", methods=["GET", "POST"])
@login_required
def legal_book(code: str, schedule_id: int):
    """Book a time with a legal adviser, saying what it is about."""
    community = _community(code)
    schedule = _schedule_at(community, schedule_id)
    now = utcnow()
    form = LegalBookingForm()
    offers: list = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            start = parse_start(form.start.data)
            if start is None:
                form.start.errors = [_("Choose a time.")]
            elif _limits_refused():
                form.form_errors.append(str(TOO_MANY))
                status = 429
            else:
                with saving(form) as saved:
                    try:
                        made = legal.book(db.session, booker(), schedule.id, start,
                                          about=form.about.data, now=now)  # fmt: skip
                        legal.tell_booked(db.session, settings(), made, now=now)
                    except engine.Unavailable as refused:
                        offers = refused.offers
                        raise
                if saved:
                    flash(_("Your meeting with the lawyer is booked for %(when)s.",
                            when=local_time(made.starts_at)), "success")  # fmt: skip
                    return redirect(url_for("meetings.booking_page", reference=made.reference))
    # From a service day's own button, that day's times only (every day a link away).
    day = _day_asked()
    free = offers or engine.free_times(
        db.session, schedule, now, first=day, last=day, limit=TIMES_SHOWN
    )
    return render_template(
        "meetings/legal_book.html", community=community, schedule=schedule, form=form,
        days=by_day(free), offered=bool(offers), adviser=legal.adviser_name(db.session, schedule),
        one_day=day,
    ), status  # fmt: skip


def _day_asked() -> date | None:
    """The service day in the address (?day=2026-12-18), if it reads as one."""
    raw = request.args.get("day", "")
    try:
        return date.fromisoformat(raw) if len(raw) == 10 and raw.isascii() else None
    except ValueError:
        return None


@bp.post("/staff/meetings/legal/<int:schedule_id>/walk-in")
@login_required
def walk_in(schedule_id: int):
    """The adviser adds a resident who came without booking to today's queue."""
    legal.walk_in_schedule(db.session, current_user, schedule_id)
    form = walk_in_form(schedule_id)
    if form.validate_on_submit():
        start = parse_start(form.start.data) if form.start.data else None
        if form.start.data and start is None:
            form.start.errors = [_("Choose one of today's free times.")]
        else:
            with saving(form) as saved:
                made = legal.add_walk_in(
                    db.session, current_user, schedule_id, phone=form.phone.data,
                    name=form.name.data or "", start=start, now=utcnow(),
                )  # fmt: skip
            if saved:
                flash(_("Added to today's queue at %(when)s.", when=local_time(made.starts_at)),
                      "success")  # fmt: skip
                return redirect(url_for("meetings.desk"))
    return desk_page(walk_in=(schedule_id, form), status=400)
