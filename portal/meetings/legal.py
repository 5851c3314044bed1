"""Legal service days (遇8有约): a community's legal advisers receive residents at its service
centre on days of the month (the 8th, 18th and 28th by default), in short slots.

A resident finds the next service days of their community without signing in, books a slot
with their phone proved and says what it is about (only the adviser reads it), and learns
their place in the day's queue. The adviser adds residents who come without booking (walk-ins)
to the day's queue. The booking engine (booking.py) settles who gets a time.

Functions take a Session, the acting person, plain values and `now`; they flush, never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.accounts.services import valid_phone
from portal.errors import Forbidden, Invalid, NotFound
from portal.meetings import booking as engine
from portal.meetings import slots
from portal.meetings.models import Booking, MeetingKind, Schedule
from portal.meetings.secretary import MeetingSettings, booked_params
from portal.notifications.services import queue_sms
from portal.permissions import Actor, Permission, can, require
from portal.places.models import Place, PlaceKind

ABOUT_MIN, ABOUT_MAX = 2, 300
NAME_MAX = 50
# Service days shown on a community's page: the next few are what a resident plans around.
DAYS_SHOWN = 3


@dataclass(frozen=True)
class LegalDay:
    """One adviser's service day at a community, with the times still free on it."""

    schedule: Schedule
    adviser: str
    day: date
    centre_zh: str
    centre_en: str
    free: list[slots.Slot] = field(default_factory=list)


def community_by_code(session: Session, code: str) -> Place:
    """The community with the place code `code`; any other place is not found."""
    place = session.scalar(select(Place).where(Place.code == code.strip()))
    if place is None or place.kind is not PlaceKind.COMMUNITY:
        raise NotFound(_l("There is no such community."))
    return place


def schedules_of(session: Session, community: Place) -> list[Schedule]:
    """The active legal schedules of a community's advisers."""
    return list(
        session.scalars(
            select(Schedule)
            .where(
                Schedule.place_id == community.id,
                Schedule.kind == MeetingKind.LEGAL,
                Schedule.is_active.is_(True),
            )
            .order_by(Schedule.id)
        )
    )


def legal_days(
    session: Session, community: Place, now: datetime, *, count: int = DAYS_SHOWN
) -> list[LegalDay]:
    """The next `count` service days of the community's advisers, soonest first, each with
    its free times (a day fully booked shows with none): a handful of queries however many
    advisers the community has."""
    schedules = schedules_of(session, community)
    if not schedules:
        return []
    today = slots.local_date(now)
    last = today + timedelta(days=max(schedule.horizon_days for schedule in schedules))
    given = engine.rule_slots_of(session, schedules, today, last)
    free = engine.free_times_of(session, schedules, now)
    found = sorted(
        {
            (slots.local_date(slot.start), schedule.id)
            for schedule in schedules
            for slot in given[schedule.id]
            if slot.start >= now
            and slots.local_date(slot.start) <= today + timedelta(days=schedule.horizon_days)
        }
    )[:count]
    by_id = {schedule.id: schedule for schedule in schedules}
    advisers = dict(
        session.execute(
            select(User.id, User.display_name).where(
                User.id.in_({schedule.host_id for schedule in schedules})
            )
        ).all()
    )
    return [
        LegalDay(
            schedule=by_id[schedule_id],
            adviser=advisers.get(by_id[schedule_id].host_id, ""),
            day=day,
            centre_zh=community.service_centre_zh or community.name_zh,
            centre_en=community.service_centre_en or community.name_en,
            free=[slot for slot in free[schedule_id] if slots.local_date(slot.start) == day],
        )
        for day, schedule_id in found
    ]


def adviser_name(session: Session, schedule: Schedule) -> str:
    """The display name of the schedule's adviser."""
    return session.scalar(select(User.display_name).where(User.id == schedule.host_id)) or ""


def legal_schedule(session: Session, schedule_id: int) -> Schedule:
    """An active legal schedule; any other is not found."""
    schedule = engine.get_schedule(session, schedule_id)
    if schedule.kind is not MeetingKind.LEGAL:
        raise NotFound(_l("There is no such meeting schedule."))
    return schedule


def book(
    session: Session,
    booker: engine.Booker,
    schedule_id: int,
    start: datetime,
    *,
    about: str,
    now: datetime,
) -> Booking:
    """Book `start` on a legal service day for a resident whose phone is proved, saying what
    it is about. A time refused, or lost to someone quicker, comes with the nearest free
    times."""
    schedule = legal_schedule(session, schedule_id)
    about = about.strip()
    if len(about) < ABOUT_MIN:
        raise Invalid(_l("Say in a few words what you would like advice on."), field="about")
    if len(about) > ABOUT_MAX:
        raise Invalid(_l("Keep it within 300 characters."), field="about")
    return engine.book(session, booker, schedule.id, start, about=about, now=now)


def day_queue(session: Session, host_id: int, day: date) -> list[Booking]:
    """The live bookings of a host's day by start: the order residents are seen in."""
    return list(
        session.scalars(
            select(Booking)
            .where(Booking.host_id == host_id, Booking.day == day, Booking.cancelled_at.is_(None))
            .order_by(Booking.starts_at, Booking.id)
        )
    )


def queue_number(session: Session, made: Booking) -> tuple[int, int] | None:
    """The booking's place in its host's day (walk-ins included) and how many there are that
    day; None for a cancelled booking."""
    if not made.is_live:
        return None
    live = (
        Booking.host_id == made.host_id,
        Booking.day == made.day,
        Booking.cancelled_at.is_(None),
    )
    before = session.scalar(
        select(func.count(Booking.id)).where(*live, Booking.starts_at < made.starts_at)
    )
    total = session.scalar(select(func.count(Booking.id)).where(*live))
    return before + 1, total


def queue_numbers(session: Session, bookings: Sequence[Booking]) -> dict[int, int]:
    """The queue number of each legal booking among `bookings` (a desk's day list)."""
    numbers: dict[int, int] = {}
    for host_id, day in {(b.host_id, b.day) for b in bookings if b.kind is MeetingKind.LEGAL}:
        numbers |= {b.id: at for at, b in enumerate(day_queue(session, host_id, day), start=1)}
    return numbers


# --- walk-ins --------------------------------------------------------------------------------


def _require_adviser(actor: Actor, schedule: Schedule) -> None:
    """Only the schedule's own adviser, still granted at its community, adds walk-ins."""
    if getattr(actor, "id", None) != schedule.host_id:
        raise Forbidden(_l("You do not have permission to do this here."))
    require(actor, Permission.HOST_MEETINGS, schedule.place)


def advisers_schedules(session: Session, actor: Actor) -> list[Schedule]:
    """The active legal schedules `actor` receives residents by, where they still may."""
    rows = session.scalars(
        select(Schedule)
        .where(
            Schedule.host_id == getattr(actor, "id", None),
            Schedule.kind == MeetingKind.LEGAL,
            Schedule.is_active.is_(True),
        )
        .order_by(Schedule.id)
    )
    return [schedule for schedule in rows if can(actor, Permission.HOST_MEETINGS, schedule.place)]


def walk_in_schedule(session: Session, actor: Actor, schedule_id: int) -> Schedule:
    """A legal schedule `actor` may add walk-ins to (its own adviser's); Forbidden else."""
    schedule = legal_schedule(session, schedule_id)
    _require_adviser(actor, schedule)
    return schedule


def walk_in_times(
    session: Session, actor: Actor, schedule: Schedule, now: datetime
) -> list[slots.Slot]:
    """Today's times of the session not yet booked and not over, in order: a walk-in takes
    the first, or one the adviser picks."""
    _require_adviser(actor, schedule)
    today = slots.local_date(now)
    taken = [(b.starts_at, b.ends_at) for b in day_queue(session, schedule.host_id, today)]
    return [
        slot
        for slot in engine.rule_slots(session, schedule, today, today)
        if slot.end > now and not any(s < slot.end and slot.start < e for s, e in taken)
    ]


def add_walk_in(
    session: Session,
    actor: Actor,
    schedule_id: int,
    *,
    phone: str,
    name: str = "",
    start: datetime | None = None,
    now: datetime,
) -> Booking:
    """The adviser adds a resident who came without booking to today's queue: at the next
    free time of today's session, or at `start`, one of those free times."""
    schedule = legal_schedule(session, schedule_id)
    _require_adviser(actor, schedule)
    try:
        number = valid_phone(phone)
    except Invalid as error:
        raise Invalid(error.message, field="phone") from None
    name = name.strip()
    if len(name) > NAME_MAX:
        raise Invalid(_l("Keep it within 50 characters."), field="name")
    free = walk_in_times(session, actor, schedule, now)
    if not free:
        raise Invalid(_l("There is no free time left in today's session."))
    if start is None:
        start = free[0].start
    elif start not in {slot.start for slot in free}:
        raise Invalid(_l("Choose one of today's free times."), field="start")
    booker = engine.Booker(phone=number, name=name)
    return engine.book(session, booker, schedule.id, start, now=now, actor=actor, walk_in=True)


def tell_booked(
    session: Session, settings: MeetingSettings, made: Booking, *, now: datetime
) -> None:
    """Text the resident their booking: when, with whom, and its link (where they see their
    number in the day's queue, and change or cancel it)."""
    # The name alone: the host's account, its grants and all, is not needed for one SMS.
    host_name = session.scalar(select(User.display_name).where(User.id == made.host_id)) or ""
    queue_sms(
        session,
        phone=made.phone,
        kind="meeting_booked",
        params=booked_params(settings, made, host_name),
        locale=made.locale,
        key=f"meeting:{made.id}:booked",
        cause=f"meetings:{made.reference}",
        now=now,
    )
