"""The booking engine: free times, booking, moving, cancelling and marking a meeting.

Two people reaching for one time are settled by the database, never by a check in Python
alone: a booking locks its host's day (HostDay) before it reads the day's bookings, so the
buffer and the daily cap are checked one booking after the other, and a partial unique index
keeps one live booking per host and start whatever happens. The one who loses is offered the
nearest free times instead.

Functions take a Session, the acting person, plain values and `now`; they flush, never commit.
"""

from __future__ import annotations

import heapq
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.audit import services as audit
from portal.db import insert_ignoring_conflicts, serialize_on
from portal.errors import Forbidden, Invalid, NotFound
from portal.events import publish
from portal.meetings import slots
from portal.meetings.events import MeetingAttended
from portal.meetings.models import (
    Booking,
    BookingEvent,
    BookingEventKind,
    BookingState,
    Closure,
    HostDay,
    MeetingKind,
    Schedule,
    Venue,
)
from portal.permissions import Actor, Permission, can, require
from portal.places.codes import ALPHABET
from portal.workdays.services import calendar_from

# Bookings one resident (one phone) may have waiting at once.
OPEN_BOOKINGS_MAX = 2
# Free times offered instead of one refused.
OFFERED = 3

REFUSALS = {
    slots.Refusal.PAST: _l("That time has passed."),
    slots.Refusal.TOO_SOON: _l("That time is too soon to book."),
    slots.Refusal.BEYOND_HORIZON: _l("That time is too far ahead to book yet."),
    slots.Refusal.CLOSED: _l("The host does not receive at that time."),
    slots.Refusal.NOT_A_SLOT: _l("Meetings do not start at that time."),
    slots.Refusal.TAKEN: _l("Someone has just booked that time."),
    slots.Refusal.FULL_DAY: _l("That day is fully booked."),
    slots.Refusal.BUFFER: _l("That time is too close to another meeting."),
}


class Unavailable(Invalid):
    """The time asked for cannot be booked; `offers` holds the nearest free times."""

    def __init__(self, refusal: slots.Refusal, offers: Sequence[slots.Slot]):
        super().__init__(REFUSALS[refusal], refusal=refusal.value)
        self.refusal = refusal
        self.offers = list(offers)


@dataclass(frozen=True)
class Booker:
    """The resident a booking is for: their phone proved (signed in, or by an SMS code)."""

    phone: str
    user_id: int | None = None
    name: str = ""
    locale: str = "zh_Hans_CN"


# --- reading ---------------------------------------------------------------------------------


def get_schedule(session: Session, schedule_id: int) -> Schedule:
    schedule = session.get(Schedule, schedule_id)
    if schedule is None or not schedule.is_active:
        raise NotFound(_l("There is no such meeting schedule."))
    return schedule


def _closures_of(
    session: Session, host_ids: Sequence[int], first: date
) -> dict[int, tuple[slots.Closure, ...]]:
    """Each host's days off from `first` on."""
    found: dict[int, list[slots.Closure]] = {}
    rows = session.scalars(
        select(Closure).where(Closure.host_id.in_(host_ids), Closure.last_day >= first)
    )
    for row in rows:
        found.setdefault(row.host_id, []).append(row.rule())
    return {host_id: tuple(found.get(host_id, ())) for host_id in host_ids}


def _booked_of(
    session: Session,
    host_ids: Sequence[int],
    first: date,
    last: date,
    ignore: int | None = None,
) -> dict[int, list[slots.Booked]]:
    """Each host's live bookings on local days first..last (a day either side, for buffers
    that cross midnight), booking `ignore` left out."""
    found: dict[int, list[slots.Booked]] = {host_id: [] for host_id in host_ids}
    rows = session.execute(
        select(Booking.id, Booking.host_id, Booking.starts_at, Booking.ends_at).where(
            Booking.host_id.in_(host_ids),
            Booking.cancelled_at.is_(None),
            Booking.day >= first - timedelta(days=1),
            Booking.day <= last + timedelta(days=1),
        )
    )
    for id_, host_id, start, end in rows:
        if id_ != ignore:
            found[host_id].append(slots.Booked(start, end))
    return found


def _span(schedule: Schedule, now: datetime) -> tuple[date, date]:
    today = slots.local_date(now)
    return today, today + timedelta(days=schedule.horizon_days)


def free_times_of(
    session: Session, schedules: Sequence[Schedule], now: datetime, *, limit: int | None = None
) -> dict[int, list[slots.Slot]]:
    """The times residents may book now with each of `schedules` (by schedule id), soonest
    first: three queries however many there are (a community's advisers, a district's
    hosts)."""
    if not schedules:
        return {}
    today = slots.local_date(now)
    last = today + timedelta(days=max(schedule.horizon_days for schedule in schedules))
    host_ids = sorted({schedule.host_id for schedule in schedules})
    calendar = calendar_from(session, today.year, last.year + 1)
    closures = _closures_of(session, host_ids, today)
    booked = _booked_of(session, host_ids, today, last)
    return {
        schedule.id: slots.free_slots(
            schedule.availability(closures[schedule.host_id]),
            calendar,
            booked[schedule.host_id],
            now,
            limit=limit,
        )
        for schedule in schedules
    }


def free_times(
    session: Session,
    schedule: Schedule,
    now: datetime,
    *,
    first: date | None = None,
    last: date | None = None,
    limit: int | None = None,
) -> list[slots.Slot]:
    """The times residents may book with `schedule` now, soonest first."""
    start, end = _span(schedule, now)
    first, last = max(first or start, start), min(last or end, end)
    if last < first:
        return []
    calendar = calendar_from(session, first.year, last.year + 1)
    availability = schedule.availability(_closures_of(session, [schedule.host_id], first)[
        schedule.host_id])  # fmt: skip
    booked = _booked_of(session, [schedule.host_id], first, last)[schedule.host_id]
    return slots.free_slots(
        availability, calendar, booked, now, first=first, last=last, limit=limit
    )


def rule_slots(session: Session, schedule: Schedule, first: date, last: date) -> list[slots.Slot]:
    """Every slot `schedule`'s rules give on local days `first` to `last`, booked or not."""
    return rule_slots_of(session, [schedule], first, last)[schedule.id]


def rule_slots_of(
    session: Session, schedules: Sequence[Schedule], first: date, last: date
) -> dict[int, list[slots.Slot]]:
    """Every slot each schedule's rules give on local days `first` to `last`, booked or not,
    by schedule id: two queries however many there are."""
    if not schedules:
        return {}
    calendar = calendar_from(session, first.year, last.year + 1)
    closures = _closures_of(session, sorted({s.host_id for s in schedules}), first)
    return {
        schedule.id: slots.slots_between(
            schedule.availability(closures[schedule.host_id]), calendar, first, last
        )
        for schedule in schedules
    }


def open_bookings(session: Session, phone: str, now: datetime) -> int:
    """The bookings a phone has waiting (live, not yet started)."""
    return session.scalar(
        select(func.count(Booking.id)).where(
            Booking.phone == phone, Booking.cancelled_at.is_(None), Booking.starts_at > now
        )
    )


# --- booking ---------------------------------------------------------------------------------


def _lock_days(session: Session, host_id: int, days: Sequence[date]) -> None:
    """Lock the host's days, in date order so that two bookings never wait on each other.

    On PostgreSQL the row lock orders bookings of one host and day; SQLite's writing
    transactions hold the database's write lock from their start (portal/db.py)."""
    for day in sorted(set(days)):
        insert_ignoring_conflicts(
            session, HostDay, {"host_id": host_id, "day": day}, ["host_id", "day"]
        )
        session.execute(
            select(HostDay.host_id)
            .where(HostDay.host_id == host_id, HostDay.day == day)
            .with_for_update()
        )


def _check_free(
    session: Session, schedule: Schedule, start: datetime, now: datetime, ignore: int | None
) -> slots.Slot:
    """The slot starting at `start` if it is free (not counting booking `ignore`), else
    Unavailable with the nearest free times."""
    day = slots.local_date(start)
    today = slots.local_date(now)
    first = min(day, today)
    last = max(day, today + timedelta(days=schedule.horizon_days))
    calendar = calendar_from(session, first.year, last.year + 1)
    availability = schedule.availability(
        _closures_of(session, [schedule.host_id], first)[schedule.host_id]
    )
    # Whether `start` is free hangs on its own day's bookings alone (its buffer, the day's
    # cap): the whole window's are read only to offer other times.
    host = schedule.host_id
    booked = _booked_of(session, [host], day, day, ignore)[host]
    refusal = slots.why_not(availability, calendar, booked, now, start)
    if refusal is not None:
        booked = _booked_of(session, [host], first, last, ignore)[host]
        offers = slots.nearest_free(availability, calendar, booked, now, start, OFFERED)
        raise Unavailable(refusal, sorted(offers))
    return slots.Slot(start, start + timedelta(minutes=schedule.slot_minutes))


def _venue(schedule: Schedule, venue: Venue | None) -> Venue:
    if schedule.venue is not Venue.EITHER:
        return schedule.venue
    if venue is None and schedule.kind is MeetingKind.LEGAL:
        # A legal service day's booking page asks no venue: the lawyer is at the centre.
        return Venue.CENTRE
    if venue not in (Venue.CENTRE, Venue.PHONE):
        raise Invalid(_l("Choose whether to meet at the service centre or by phone."))
    return venue


def _new_reference(session: Session) -> str:
    while True:
        # Door codes' letters (no 0/O, 1/I/L): a reference is read aloud on the phone.
        reference = "M" + "".join(secrets.choice(ALPHABET) for _ in range(7))
        if session.scalar(select(Booking.id).where(Booking.reference == reference)) is None:
            return reference


def _nearest_times(
    session: Session, schedule: Schedule, start: datetime, now: datetime
) -> list[slots.Slot]:
    """The free times nearest to `start`, in time order: what a lost race is offered."""
    free = free_times(session, schedule, now)
    nearest = heapq.nsmallest(OFFERED, free, key=lambda slot: (abs(slot.start - start), slot.start))
    return sorted(nearest)


def _lost_race(session: Session, schedule: Schedule, start: datetime, now: datetime):
    """Someone won `start` between the check and the write: the unique index said so."""
    return Unavailable(slots.Refusal.TAKEN, _nearest_times(session, schedule, start, now))


def _taken(error: IntegrityError) -> bool:
    # Both databases name the columns or the index of the one live booking per start.
    return "starts_at" in str(error.orig)


def _insert(session: Session, booking: Booking, schedule: Schedule, now: datetime) -> None:
    """Write the booking; the unique index refusing it means someone else won the time."""
    try:
        with session.begin_nested():
            session.add(booking)
            session.flush()
    except IntegrityError as error:
        if not _taken(error):
            raise
        raise _lost_race(session, schedule, booking.starts_at, now) from error


def book(
    session: Session,
    booker: Booker,
    schedule_id: int,
    start: datetime,
    *,
    about: str = "",
    venue: Venue | None = None,
    now: datetime,
    actor: Actor | None = None,
    walk_in: bool = False,
) -> Booking:
    """Book `start` with a schedule's host for `booker`: by the resident, or by the host
    (`actor`) for them. A walk-in is added by the host on the day, at any time not booked."""
    schedule = get_schedule(session, schedule_id)
    if actor is not None or walk_in:
        _require_host_of(actor, schedule)
    if not walk_in:
        # Two bookings of one phone at once are counted one after the other.
        serialize_on(session, f"meeting-bookings:{booker.phone}")
    if not walk_in and open_bookings(session, booker.phone, now) >= OPEN_BOOKINGS_MAX:
        raise Invalid(
            _l(
                "You already have %(count)d meetings booked. Cancel one to book another.",
                count=OPEN_BOOKINGS_MAX,
            )
        )
    chosen_venue = _venue(schedule, venue)
    day = slots.local_date(start)
    _lock_days(session, schedule.host_id, [day])
    if not walk_in:
        _one_a_day(session, booker, schedule.host_id, day)
    if walk_in:
        slot = _walk_in_slot(session, schedule, start)
    else:
        slot = _check_free(session, schedule, start, now, ignore=None)
    booking = Booking(
        reference=_new_reference(session),
        schedule_id=schedule.id,
        host_id=schedule.host_id,
        place_id=schedule.place_id,
        kind=schedule.kind,
        starts_at=slot.start,
        ends_at=slot.end,
        day=day,
        venue=chosen_venue,
        user_id=booker.user_id,
        phone=booker.phone,
        name=booker.name,
        about=about,
        locale=booker.locale,
        walk_in=walk_in,
        created_at=now,
    )
    _insert(session, booking, schedule, now)
    _event(session, booking, BookingEventKind.BOOKED, now, actor, {"starts_at": _iso(slot.start)})
    if actor is not None:
        action = "meetings.walk_in" if walk_in else "meetings.book"
        audit.record(session, action, actor=actor, now=now, target=booking)
    return booking


def _one_a_day(session: Session, booker: Booker, host_id: int, day: date) -> None:
    """A resident meets a host once a day: a second tab, or Back and book again, must not take
    a second of the host's scarce times."""
    booked = session.scalar(
        select(Booking.reference).where(
            Booking.host_id == host_id,
            Booking.day == day,
            Booking.phone == booker.phone,
            Booking.cancelled_at.is_(None),
        )
    )
    if booked is not None:
        raise Invalid(
            _l(
                "You already have a meeting with this host that day (%(reference)s). Change "
                "that one if this time suits you better.",
                reference=booked,
            ),
            reference=booked,
        )


def _walk_in_slot(session: Session, schedule: Schedule, start: datetime) -> slots.Slot:
    """A walk-in takes any start not already booked with the host."""
    end = start + timedelta(minutes=schedule.slot_minutes)
    taken = session.scalar(
        select(Booking.id).where(
            Booking.host_id == schedule.host_id,
            Booking.cancelled_at.is_(None),
            Booking.starts_at < end,
            Booking.ends_at > start,
        )
    )
    if taken is not None:
        raise Unavailable(slots.Refusal.TAKEN, [])
    return slots.Slot(start, end)


# --- changing --------------------------------------------------------------------------------


def _require_host_of(actor: Actor | None, schedule: Schedule) -> None:
    """A host acts on their own meetings; a community's secretary on every host's there."""
    if actor is None:
        raise Forbidden(_l("You do not have permission to do this here."))
    if getattr(actor, "id", None) == schedule.host_id:
        require(actor, Permission.HOST_MEETINGS, schedule.place)
    elif schedule.kind is MeetingKind.SECRETARY:
        require(actor, Permission.LEAD_MEETINGS, schedule.place)
    else:
        raise Forbidden(_l("You do not have permission to do this here."))


def _may_change(booking: Booking, booker: Booker | None, actor: Actor | None) -> bool:
    """Whether the resident is the booking's own, or `actor` hosts it or leads its host."""
    if booker is not None:
        own_phone = booker.phone == booking.phone
        own_account = booker.user_id is not None and booker.user_id == booking.user_id
        return own_phone or own_account
    if actor is None:
        return False
    if getattr(actor, "id", None) == booking.host_id:
        return can(actor, Permission.HOST_MEETINGS, booking.place)
    # A secretary leads their deputies, not the legal advisers who receive at the community.
    return booking.kind is MeetingKind.SECRETARY and can(
        actor, Permission.LEAD_MEETINGS, booking.place
    )


def get_booking(
    session: Session,
    reference: str,
    *,
    booker: Booker | None = None,
    actor: Actor | None = None,
    for_update: bool = False,
) -> Booking:
    """A booking its resident or its host may see; anyone else is told it does not exist."""
    query = select(Booking).where(Booking.reference == reference.strip().upper())
    if for_update:
        query = query.with_for_update(of=Booking)
    booking = session.scalar(query)
    if booking is None or not _may_change(booking, booker, actor):
        raise NotFound(_l("There is no such booking."))
    return booking


def reveal_phone(session: Session, actor: Actor, booking: Booking, *, now: datetime) -> str:
    """The resident's full number, for the host to call; every look is in the audit log."""
    if not _may_change(booking, None, actor):
        raise NotFound(_l("There is no such booking."))
    audit.record(session, "meetings.reveal_phone", actor=actor, now=now, target=booking)
    return booking.phone


def resident_deadline(booking: Booking) -> datetime:
    """Until when the resident may move or cancel the meeting themselves."""
    return booking.starts_at - timedelta(minutes=booking.schedule.notice_minutes)


def _require_live(booking: Booking) -> None:
    if not booking.is_live or booking.state is not BookingState.BOOKED:
        raise Invalid(_l("This meeting can no longer be changed."))


def move(
    session: Session,
    booking: Booking,
    start: datetime,
    *,
    now: datetime,
    booker: Booker | None = None,
    actor: Actor | None = None,
) -> Booking:
    """Move a booking to another free time of its host: the resident until the notice
    before it, the host at any time. Its reminders are written again for the new time."""
    if not _may_change(booking, booker, actor):
        raise NotFound(_l("There is no such booking."))
    _require_live(booking)
    if booker is not None and now >= resident_deadline(booking):
        raise Invalid(_l("It is too late to change this meeting here. Please call the community."))
    new_day = slots.local_date(start)
    _lock_days(session, booking.host_id, [booking.day, new_day])
    if booker is not None and new_day != booking.day:
        _one_a_day(session, booker, booking.host_id, new_day)
    slot = _check_free(session, booking.schedule, start, now, ignore=booking.id)
    before = booking.starts_at
    try:
        with session.begin_nested():
            booking.starts_at, booking.ends_at, booking.day = slot.start, slot.end, new_day
            booking.reminded_day_before_at = booking.reminded_hour_before_at = None
            session.flush()
    except IntegrityError as error:
        session.refresh(booking)
        if not _taken(error):
            raise
        raise _lost_race(session, booking.schedule, start, now) from error
    _event(
        session,
        booking,
        BookingEventKind.MOVED,
        now,
        actor,
        {"from": _iso(before), "to": _iso(slot.start)},
    )
    if actor is not None:
        audit.record(session, "meetings.move", actor=actor, now=now, target=booking)
    return booking


def cancel(
    session: Session,
    booking: Booking,
    *,
    now: datetime,
    reason: str = "",
    booker: Booker | None = None,
    actor: Actor | None = None,
) -> Booking:
    """Cancel a booking: the resident until the notice before it; the host with a reason,
    which the resident is told. Its time is free again at once."""
    if not _may_change(booking, booker, actor):
        raise NotFound(_l("There is no such booking."))
    _require_live(booking)
    reason = reason.strip()
    if booker is not None and now >= resident_deadline(booking):
        raise Invalid(_l("It is too late to cancel this meeting here. Please call the community."))
    if actor is not None and not reason:
        raise Invalid(_l("Say why the meeting is cancelled: the resident is told."))
    booking.state = BookingState.CANCELLED
    booking.cancelled_at = now
    booking.cancel_reason = reason
    session.flush()
    _event(session, booking, BookingEventKind.CANCELLED, now, actor, {"reason": reason})
    if actor is not None:
        audit.record(session, "meetings.cancel", actor=actor, now=now, target=booking)
    return booking


def mark(
    session: Session,
    actor: Actor,
    booking: Booking,
    state: BookingState,
    *,
    note: str = "",
    now: datetime,
) -> Booking:
    """The host says how a meeting went: held, or the resident did not come."""
    if state not in (BookingState.HELD, BookingState.NO_SHOW):
        raise Invalid(_l("Say whether the meeting was held or the resident did not come."))
    if not _may_change(booking, None, actor):
        raise NotFound(_l("There is no such booking."))
    _require_live(booking)
    if now < booking.starts_at:
        raise Invalid(_l("A meeting can be marked once its time has come."))
    booking.state = state
    booking.outcome_note = note.strip()
    session.flush()
    kind = BookingEventKind.HELD if state is BookingState.HELD else BookingEventKind.NO_SHOW
    _event(session, booking, kind, now, actor, {"note": booking.outcome_note})
    audit.record(session, f"meetings.{state.value}", actor=actor, now=now, target=booking)
    if state is BookingState.HELD:
        publish(session, MeetingAttended(booking, now))
    return booking


def _event(
    session: Session,
    booking: Booking,
    kind: BookingEventKind,
    now: datetime,
    actor: Actor | None,
    details: dict,
) -> None:
    session.add(
        BookingEvent(
            booking_id=booking.id,
            kind=kind,
            at=now,
            actor_id=getattr(actor, "id", None),
            details=details,
        )
    )


def _iso(moment: datetime) -> str:
    return moment.isoformat()
