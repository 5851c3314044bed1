"""Hosts' schedules, their days off and a community's online hours for 书记在线: who may set
them, and the checks that turn what was typed into rules the slot generator takes.

A host sets their own schedules; a community's secretary those of the 书记在线 hosts of the
community (the deputies); an administrator those of every host of their area, and creates
schedules for them. The rules are checked by slots.Availability itself: each of its refusals
becomes a message in the reader's language, on the field it concerns.

Functions take a Session, the acting person, plain values and `now`; they flush, never commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.accounts.models import RoleGrant, User
from portal.audit import services as audit
from portal.db import insert_ignoring_conflicts
from portal.errors import Invalid, NotFound
from portal.meetings import booking as engine
from portal.meetings import promise, slots
from portal.meetings.models import (
    Booking,
    BookingState,
    Closure,
    MeetingKind,
    OnlineHoursSetting,
    Schedule,
    Venue,
)
from portal.permissions import Actor, Permission, Role, can, covers, granted_places, require, scopes
from portal.places.models import Place, PlaceKind

Span = tuple[time, time]
WEEKDAYS = range(7)
# 书记在线 is answered on working days: a make-up Saturday or Sunday is online as a Monday.
ONLINE_WEEKDAYS = range(5)
WEEKDAY_NAMES = (
    _l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"),
    _l("Saturday"), _l("Sunday"),
)  # fmt: skip
LEGAL_DAYS = frozenset({8, 18, 28})
# Who may host which kind of meeting: the role held on the community (or an area around it).
HOSTS_OF = {
    MeetingKind.SECRETARY: frozenset({Role.SECRETARY, Role.DEPUTY_SECRETARY}),
    MeetingKind.LEGAL: frozenset({Role.LEGAL_ADVISER}),
}
REASON_MAX = 200
# Days off entered at once: a year at most (a longer absence is not a day off).
CLOSURE_DAYS_MAX = 366
PREVIEWED = 5

# The refusals of slots.Availability, one message per rule, for the number it concerns.
NUMBER_RULES = {
    "slot_minutes": _l("A meeting must last 5 minutes or more."),
    "buffer_minutes": _l("The time between meetings must be 0 minutes or more."),
    "daily_cap": _l("The most meetings a day must be 1 or more, or left empty for no limit."),
    "horizon_days": _l("Residents may book from 1 to 366 days ahead."),
    "notice_minutes": _l("The shortest notice must be 0 minutes or more."),
}
# ...and of slots.MonthDays, by the start of its message.
MONTH_RULES = (
    ("month days need at least one day", "month_days", _l("Give at least one day of the month.")),
    ("days of the month are 1 to 31", "month_days", _l("Days of the month are 1 to 31.")),
    ("month days need hours", "month_hours", _l("Give the hours of those days.")),
    ("the hours of", "month_hours", _l("The two times of those days overlap.")),
)
ENDS_BEFORE_START = _l("Each time must end after it starts.")


@dataclass(frozen=True)
class Plan:
    """A schedule's rules as typed: hours as local times, numbers as whole minutes or days."""

    venue: Venue = Venue.CENTRE
    weekly: Mapping[int, Sequence[Span]] = field(default_factory=dict)
    month_days: frozenset[int] = frozenset()
    month_hours: tuple[Span, ...] = ()
    slot_minutes: int = 20
    buffer_minutes: int = 0
    daily_cap: int | None = None
    horizon_days: int = 14
    notice_minutes: int = 30
    on_holiday: slots.HolidayRule = slots.HolidayRule.MOVE
    is_active: bool = True

    @classmethod
    def of(cls, schedule: Schedule) -> Plan:
        """The plan a stored schedule follows."""
        rule = schedule.month_days[0] if schedule.month_days else {"days": [], "hours": []}
        return cls(
            venue=schedule.venue,
            weekly={
                int(day): tuple(_span(p) for p in hours) for day, hours in schedule.weekly.items()
            },
            month_days=frozenset(rule["days"]),
            month_hours=tuple(_span(p) for p in rule["hours"]),
            slot_minutes=schedule.slot_minutes,
            buffer_minutes=schedule.buffer_minutes,
            daily_cap=schedule.daily_cap,
            horizon_days=schedule.horizon_days,
            notice_minutes=schedule.notice_minutes,
            on_holiday=schedule.on_holiday,
            is_active=schedule.is_active,
        )

    @classmethod
    def default(cls, kind: MeetingKind) -> Plan:
        """What a new schedule starts from: 20-minute meetings two weeks ahead, and for legal
        service days the 8th, 18th and 28th in the morning."""
        if kind is MeetingKind.LEGAL:
            return cls(month_days=LEGAL_DAYS, month_hours=((time(9), time(11, 30)),))
        return cls()

    def stored(self) -> dict[str, Any]:
        """The columns of a Schedule that hold the plan."""
        weekly = {
            str(day): [_pair(each) for each in sorted(spans)]
            for day, spans in sorted(self.weekly.items())
            if spans
        }
        month = (
            [
                {
                    "days": sorted(self.month_days),
                    "hours": [_pair(e) for e in sorted(self.month_hours)],
                }
            ]
            if self.month_days or self.month_hours
            else []
        )
        return {
            "venue": self.venue,
            "weekly": weekly,
            "month_days": month,
            "slot_minutes": self.slot_minutes,
            "buffer_minutes": self.buffer_minutes,
            "daily_cap": self.daily_cap,
            "horizon_days": self.horizon_days,
            "notice_minutes": self.notice_minutes,
            "on_holiday": self.on_holiday,
            "is_active": self.is_active,
        }


def _span(pair: Sequence[str]) -> Span:
    return time.fromisoformat(pair[0]), time.fromisoformat(pair[1])


def _pair(span: Span) -> list[str]:
    return [span[0].strftime("%H:%M"), span[1].strftime("%H:%M")]


# --- checking --------------------------------------------------------------------------------


def _hours(spans: Sequence[Span]) -> tuple[slots.Hours, ...]:
    return tuple(slots.Hours(start, end) for start, end in spans)


def check_weekly(weekly: Mapping[int, Sequence[Span]]) -> list[tuple[str, str]]:
    """The mistakes of a weekly plan, each as (f"day{weekday}", message)."""
    problems = []
    for day in sorted(weekly):
        where = f"day{day}"
        name = WEEKDAY_NAMES[day] if day in WEEKDAYS else day
        try:
            hours = _hours(weekly[day])
        except ValueError:
            problems.append((where, _l("%(day)s: each time must end after it starts.", day=name)))
            continue
        try:
            slots.Availability(weekly={day: hours})
        except ValueError:
            problems.append((where, _l("%(day)s: the two times overlap.", day=name)))
    return problems


def _check_month(plan: Plan) -> list[tuple[str, str]]:
    if not plan.month_days and not plan.month_hours:
        return []
    try:
        hours = _hours(plan.month_hours)
    except ValueError:
        return [("month_hours", ENDS_BEFORE_START)]
    try:
        slots.MonthDays(plan.month_days, hours)
    except ValueError as error:
        for start, where, message in MONTH_RULES:
            if str(error).startswith(start):
                return [(where, message)]
        raise
    return []


def check(plan: Plan) -> list[tuple[str, str]]:
    """The plan's mistakes, each as (the field it concerns, a message in the reader's
    language); none when slots.Availability takes it. Every mistake is found at once, so
    that the host corrects them in one go."""
    problems = check_weekly(plan.weekly) + _check_month(plan)
    for name, message in NUMBER_RULES.items():
        try:
            slots.Availability(**{name: getattr(plan, name)})
        except ValueError:
            problems.append((name, message))
    if not problems and plan.is_active and not any(plan.weekly.values()) and not plan.month_days:
        problems.append(("", _l("Give at least one time when you receive residents.")))
    if not problems:
        availability(plan)  # what slots.py refuses beyond these is a mistake of this module
    return problems


def availability(plan: Plan, closures: tuple[slots.Closure, ...] = ()) -> slots.Availability:
    return Schedule(**plan.stored()).availability(closures)


def _require_valid(plan: Plan) -> None:
    problems = check(plan)
    if problems:
        where, message = problems[0]
        raise Invalid(message, field=where, each=[m for _w, m in problems])


# --- who may set what ------------------------------------------------------------------------


def hosts_kind(host: User, place: Place, kind: MeetingKind) -> bool:
    """Whether `host` holds a role on `place` (or around it) that hosts `kind` meetings."""
    return bool(host.is_active) and any(
        grant.role in HOSTS_OF[kind] and covers(grant.place, place) for grant in host.grants
    )


def may_set(actor: Actor, host_id: int, place: Place, kind: MeetingKind) -> bool:
    """Whether `actor` may set the `kind` schedule of host `host_id` at `place`: their own, a
    deputy's 书记在线 as the community's secretary, or any in their area as administrator."""
    if getattr(actor, "id", None) == host_id and can(actor, Permission.HOST_MEETINGS, place):
        return True
    if kind is MeetingKind.SECRETARY and can(actor, Permission.LEAD_MEETINGS, place):
        return True
    return can(actor, Permission.MANAGE_MEETINGS, place)


def _refused() -> NotFound:
    # Somebody else's schedule looks like one that does not exist.
    return NotFound(_l("There is no such meeting schedule."))


def get_schedule(session: Session, actor: Actor, schedule_id: int) -> Schedule:
    """A schedule `actor` may set; any other is NotFound."""
    schedule = session.get(Schedule, schedule_id)
    if schedule is None or not may_set(actor, schedule.host_id, schedule.place, schedule.kind):
        raise _refused()
    return schedule


def new_schedule_for(
    session: Session, actor: Actor, host_id: int, place_id: int, kind: MeetingKind
) -> tuple[User, Place]:
    """The host and community of a schedule `actor` may create; NotFound otherwise."""
    host, place = session.get(User, host_id), session.get(Place, place_id)
    if host is None or place is None or place.kind is not PlaceKind.COMMUNITY:
        raise _refused()
    if not may_set(actor, host.id, place, kind) or not hosts_kind(host, place, kind):
        raise _refused()
    return host, place


def _audit_details(plan: Plan) -> dict[str, Any]:
    stored = plan.stored()
    return {
        key: (str(value) if hasattr(value, "value") else value) for key, value in stored.items()
    }


def create_schedule(
    session: Session, actor: Actor, host_id: int, place_id: int, kind: MeetingKind, plan: Plan,
    *, now: datetime,
) -> Schedule:  # fmt: skip
    """Create the host's `kind` schedule at a community: one per host, community and kind,
    even when two people create it at once."""
    host, place = new_schedule_for(session, actor, host_id, place_id, kind)
    _require_valid(plan)
    schedule = Schedule(host_id=host.id, place_id=place.id, kind=kind, created_at=now,
                        updated_at=now, **plan.stored())  # fmt: skip
    try:
        with session.begin_nested():
            session.add(schedule)
            session.flush()
    except IntegrityError as error:
        raise Invalid(
            _l("This host already has such a schedule: open it from the list to change it.")
        ) from error
    audit.record(session, "meetings.schedule_created", actor=actor, now=now, target=schedule,
                 details=_audit_details(plan))  # fmt: skip
    return schedule


def update_schedule(
    session: Session, actor: Actor, schedule: Schedule, plan: Plan, *, now: datetime
) -> Schedule:
    """Change a schedule's rules; bookings already made keep their times."""
    if not may_set(actor, schedule.host_id, schedule.place, schedule.kind):
        raise _refused()
    _require_valid(plan)
    for name, value in plan.stored().items():
        setattr(schedule, name, value)
    schedule.updated_at = now
    session.flush()
    audit.record(session, "meetings.schedule_changed", actor=actor, now=now, target=schedule,
                 details=_audit_details(plan))  # fmt: skip
    return schedule


def preview(
    session: Session, host_id: int, place_id: int, kind: MeetingKind, plan: Plan, now: datetime
) -> list[slots.Slot]:
    """The next free times a plan would give, with the host's days off and bookings, without
    saving it."""
    draft = Schedule(host_id=host_id, place_id=place_id, kind=kind, **plan.stored())
    return engine.free_times(session, draft, now, limit=PREVIEWED)


@dataclass(frozen=True)
class HostSchedule:
    """A host who receives `kind` meetings at `place`, with their schedule if they have one."""

    host: User
    place: Place
    kind: MeetingKind
    schedule: Schedule | None


def _hosting_grants(session: Session, places: list[Place | None], roles) -> list[RoleGrant]:
    query = (
        select(RoleGrant)
        .join(User, User.id == RoleGrant.user_id)
        .join(Place, Place.id == RoleGrant.place_id)
        .where(
            RoleGrant.role.in_(roles),
            User.disabled_at.is_(None),
            Place.kind == PlaceKind.COMMUNITY,
        )
        .order_by(Place.path, RoleGrant.role, RoleGrant.id)
    )
    if None not in places:
        query = query.where(or_(*[Place.path.startswith(p.path) for p in places]))
    return list(session.scalars(query))


def schedules_to_set(session: Session, actor: Actor) -> list[HostSchedule]:
    """Every host and schedule `actor` may set: their own, their community's 书记在线 hosts,
    the hosts of their area; hosts with no schedule yet included, to create one."""
    secretary_roles = HOSTS_OF[MeetingKind.SECRETARY]
    grants = [g for g in getattr(actor, "grants", ()) if g.place is not None and
              g.place.kind is PlaceKind.COMMUNITY and g.role in secretary_roles | HOSTS_OF[MeetingKind.LEGAL]]  # fmt: skip
    led = granted_places(actor, Permission.LEAD_MEETINGS)
    if led:
        grants += _hosting_grants(session, led, secretary_roles)
    area = scopes(actor, Permission.MANAGE_MEETINGS)
    if area:
        grants += _hosting_grants(session, area, secretary_roles | HOSTS_OF[MeetingKind.LEGAL])
    found: dict[tuple[int, int, MeetingKind], HostSchedule] = {}
    for grant in grants:
        kind = MeetingKind.LEGAL if grant.role is Role.LEGAL_ADVISER else MeetingKind.SECRETARY
        key = (grant.user_id, grant.place_id, kind)
        if key not in found and may_set(actor, grant.user_id, grant.place, kind):
            found[key] = HostSchedule(grant.user, grant.place, kind, None)
    # Schedules held through a grant around the community (a district's legal adviser).
    stored = session.scalars(select(Schedule).order_by(Schedule.id))
    for schedule in stored:
        key = (schedule.host_id, schedule.place_id, schedule.kind)
        if key in found:
            found[key] = replace(found[key], schedule=schedule)
        elif may_set(actor, schedule.host_id, schedule.place, schedule.kind):
            host = session.get(User, schedule.host_id)
            found[key] = HostSchedule(host, schedule.place, schedule.kind, schedule)
    return sorted(found.values(), key=lambda row: (row.place.path, row.kind, row.host.id))


# --- days off --------------------------------------------------------------------------------


def may_set_days_off(actor: Actor, host: User) -> bool:
    """Whether `actor` may set `host`'s days off: the host, or whoever may set a schedule of
    theirs (days off hold for every schedule of the host)."""
    if getattr(actor, "id", None) == host.id:
        return bool(scopes(actor, Permission.HOST_MEETINGS))
    for grant in host.grants:
        for kind, roles in HOSTS_OF.items():
            if (
                grant.role in roles
                and grant.place is not None
                and may_set(actor, host.id, grant.place, kind)
            ):
                return True
    return False


def get_host(session: Session, actor: Actor, host_id: int) -> User:
    host = session.get(User, host_id)
    if host is None or not may_set_days_off(actor, host):
        raise NotFound(_l("There is no such host."))
    return host


def days_off(session: Session, host: User, today: date) -> list[Closure]:
    """The host's days off from `today` on, soonest first."""
    return list(
        session.scalars(
            select(Closure)
            .where(Closure.host_id == host.id, Closure.last_day >= today)
            .order_by(Closure.first_day, Closure.start_time, Closure.id)
        )
    )


def _closure_rule(first: date, last: date, start: time | None, end: time | None) -> slots.Closure:
    try:
        return slots.Closure(first, last, start, end)
    except ValueError as error:
        text = str(error)
        if text.startswith("a closure must not end"):
            raise Invalid(
                _l("The last day must not be before the first."), field="last_day"
            ) from error
        if text.startswith("a closure of part of a day"):
            raise Invalid(_l("For part of a day, give both a start and an end."),
                          field="start_time") from error  # fmt: skip
        raise Invalid(_l("The end must be after the start."), field="end_time") from error


def add_day_off(
    session: Session, actor: Actor, host: User, *, first: date, last: date | None = None,
    start: time | None = None, end: time | None = None, reason: str = "", now: datetime,
) -> Closure:  # fmt: skip
    """Close whole days, or part of each of them, for `host`; no one can book them then.
    Bookings already made are kept: the host moves or cancels them (clashes lists them)."""
    if not may_set_days_off(actor, host):
        raise NotFound(_l("There is no such host."))
    last = last or first
    reason = reason.strip()
    if first < slots.local_date(now):
        raise Invalid(_l("Days off start today or later."), field="first_day")
    rule = _closure_rule(first, last, start, end)
    if (last - first).days >= CLOSURE_DAYS_MAX:
        raise Invalid(_l("Days off cover a year at most."), field="last_day")
    if len(reason) > REASON_MAX:
        raise Invalid(_l("Keep it within 200 characters."), field="reason")
    closure = Closure(host_id=host.id, first_day=rule.first, last_day=rule.last,
                      start_time=rule.start, end_time=rule.end, reason=reason, created_at=now)  # fmt: skip
    session.add(closure)
    session.flush()
    audit.record(session, "meetings.day_off_added", actor=actor, now=now, target=closure,
                 details={"host_id": host.id, "first": first.isoformat(), "last": last.isoformat()})  # fmt: skip
    return closure


def remove_day_off(session: Session, actor: Actor, closure_id: int, *, now: datetime) -> User:
    """Open a host's day off again; returns the host."""
    closure = session.get(Closure, closure_id)
    host = session.get(User, closure.host_id) if closure is not None else None
    if host is None or not may_set_days_off(actor, host):
        raise NotFound(_l("There is no such day off."))
    audit.record(session, "meetings.day_off_removed", actor=actor, now=now, target=closure,
                 details={"host_id": host.id, "first": closure.first_day.isoformat()})  # fmt: skip
    session.delete(closure)
    session.flush()
    return host


def clashes(session: Session, host: User, closures: Sequence[Closure]) -> list[Booking]:
    """The host's live bookings that fall on their days off, soonest first: to move or cancel."""
    if not closures:
        return []
    first = min(each.first_day for each in closures)
    last = max(each.last_day for each in closures)
    booked = session.scalars(
        select(Booking)
        .where(
            Booking.host_id == host.id,
            Booking.cancelled_at.is_(None),
            Booking.state == BookingState.BOOKED,
            Booking.day >= first,
            Booking.day <= last,
        )
        .order_by(Booking.starts_at)
    )
    rules = [each.rule() for each in closures]

    def closed(made: Booking) -> bool:
        for rule in rules:
            if rule.first <= made.day <= rule.last:
                shut, opens = rule.span_on(made.day)
                if made.starts_at < opens and shut < made.ends_at:
                    return True
        return False

    return [made for made in booked if closed(made)]


# --- a community's online hours --------------------------------------------------------------


def _require_online_hours_setter(actor: Actor, community: Place) -> None:
    if community.kind is not PlaceKind.COMMUNITY:
        raise NotFound(_l("There is no such community."))
    if not can(actor, Permission.LEAD_MEETINGS, community):
        require(actor, Permission.MANAGE_MEETINGS, community)


def online_hours_of(
    session: Session, actor: Actor, community: Place
) -> dict[int, tuple[Span, ...]]:
    """The community's online hours for each weekday (Monday to Friday), as set or by default."""
    _require_online_hours_setter(actor, community)
    from portal.meetings.secretary import online_hours

    hours = online_hours(session, community.id)
    return {
        day: tuple((h.start, h.end) for h in hours.weekly.get(day, ())) for day in ONLINE_WEEKDAYS
    }


def set_online_hours(
    session: Session, actor: Actor, community: Place, weekly: Mapping[int, Sequence[Span]], *,
    now: datetime,
) -> OnlineHoursSetting:  # fmt: skip
    """Set when the community answers 书记在线 requests, for each weekday; the promise's clocks
    run in these hours from the next request on."""
    _require_online_hours_setter(actor, community)
    if set(weekly) - set(ONLINE_WEEKDAYS):
        raise Invalid(_l("Online hours are set for Monday to Friday."))
    problems = check_weekly(weekly)
    if problems:
        where, message = problems[0]
        raise Invalid(message, field=where, each=[m for _w, m in problems])
    if not any(weekly.values()):
        raise Invalid(_l("Give the online hours of at least one day."))
    promise.OnlineHours({day: _hours(spans) for day, spans in weekly.items()})
    stored = {
        str(day): [_pair(s) for s in sorted(spans)]
        for day, spans in sorted(weekly.items())
        if spans
    }
    insert_ignoring_conflicts(
        session, OnlineHoursSetting, {"place_id": community.id, "weekly": {}, "updated_at": now},
        ["place_id"],
    )  # fmt: skip
    setting = session.scalar(
        select(OnlineHoursSetting)
        .where(OnlineHoursSetting.place_id == community.id)
        .with_for_update()
    )
    setting.weekly = stored
    setting.updated_at = now
    session.flush()
    audit.record(session, "meetings.online_hours_changed", actor=actor, now=now,
                 target=("places", community.id), details={"weekly": stored})  # fmt: skip
    return setting


def default_online_hours() -> dict[int, tuple[Span, ...]]:
    hours = promise.default_hours()
    return {
        day: tuple((h.start, h.end) for h in hours.weekly.get(day, ())) for day in ONLINE_WEEKDAYS
    }
