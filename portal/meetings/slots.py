"""The free times a host offers: a host's rules, the working days, the bookings and "now" in,
the slots out, as pure logic (no database, no request, no clock).

A host (a community secretary, a legal adviser) receives in `Hours`, local times in
Asia/Shanghai; every datetime in and out is timezone-aware UTC, and the local date decides
which day a time belongs to. The day's hours come from three rules:

1. The weekly plan gives each weekday (0 Monday .. 6 Sunday) its hours; the gaps between them
   are the breaks. It follows the calendar's working days:
   - Monday to Friday: the day's own hours on a working day, none on a public holiday;
   - a Saturday or Sunday that is a working day (a make-up day, 补班) is worked "as a Monday":
     it gets the plan's Monday hours, as offices do when the State Council moves a day;
   - a Saturday or Sunday that is not a working day gets the plan's own Saturday or Sunday
     hours (a centre open at weekends), usually none.
2. Day-of-month rules (`MonthDays`, e.g. the legal service days 遇8有约: the 8th, 18th and
   28th) add their hours on those dates of every month that has them. On a date that is not a
   working day they follow `on_holiday`: MOVE to the next working day (past any further days
   off), keeping their local times, or DROP. Moved hours share the day with its own hours;
   a slot they both give is offered once.
3. Closures (leave, a closed day, a closed afternoon) remove the slots they overlap, after
   hours have moved: hours moved onto a closed day are not held.

Each day's hours are cut into slots of `slot_minutes` from their start; a last piece shorter
than a slot is not offered, and of slots that overlap (hours that do not line up) the earlier
one is kept, as a host receives one person at a time. A slot is free when no booking, widened
by `buffer_minutes` on both sides, overlaps it, its day has fewer bookings than `daily_cap`,
it starts at least `notice_minutes` after now, and its day is at most `horizon_days` after
today. `why_not` says which of these refuses a time a resident picked.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from itertools import pairwise
from types import MappingProxyType
from typing import Protocol

from portal.i18n import SHANGHAI

# How far back a working day looks for day-of-month hours moved onto it: longer than any run
# of days off an arrangement has (Spring Festival is 9), so a calendar with no working days
# at all cannot loop forever.
LONGEST_RUN_OFF = 31


class WorkingDays(Protocol):
    """What the slots need of a calendar; portal.workdays.days.Calendar is one."""

    def is_working_day(self, day: date, /) -> bool: ...


@dataclass(frozen=True)
class Hours:
    """A span of local time (Asia/Shanghai) in which the host receives, within one day.

    Named Hours, not Session, so that it never meets a database Session in a services module.
    """

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("hours are local times in Asia/Shanghai: give them without a zone")
        if self.end <= self.start:
            raise ValueError(f"hours must end after they start, not {self.start}–{self.end}")


def _tuple_of_hours(hours: Sequence[Hours], where: str) -> tuple[Hours, ...]:
    """`hours` by start, refusing overlaps: they would offer the host twice at once."""
    ordered = tuple(sorted(hours, key=lambda each: each.start))
    for before, after in pairwise(ordered):
        if after.start < before.end:
            raise ValueError(
                f"the hours of {where} overlap: {before.start}–{before.end} and "
                f"{after.start}–{after.end}"
            )
    return ordered


@dataclass(frozen=True)
class MonthDays:
    """Hours on given days of every month (遇8有约: {8, 18, 28}); a month without such a
    day (the 31st in April) has no such hours."""

    days: frozenset[int]
    hours: tuple[Hours, ...]

    def __post_init__(self) -> None:
        if not self.days:
            raise ValueError("month days need at least one day of the month")
        wrong = sorted(day for day in self.days if not 1 <= day <= 31)
        if wrong:
            raise ValueError(f"days of the month are 1 to 31, not {wrong}")
        if not self.hours:
            raise ValueError("month days need hours")
        object.__setattr__(self, "days", frozenset(self.days))
        object.__setattr__(self, "hours", _tuple_of_hours(self.hours, f"days {sorted(self.days)}"))


@dataclass(frozen=True)
class Closure:
    """Days the host does not receive, first to last: whole days (leave, a closed office),
    or, with start and end, that span of local time on each of them (a meeting elsewhere)."""

    first: date
    last: date
    start: time | None = None
    end: time | None = None

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(
                f"a closure must not end ({self.last}) before it starts ({self.first})"
            )
        if (self.start is None) != (self.end is None):
            raise ValueError("a closure of part of a day needs both a start and an end")
        if self.start is not None and self.end is not None:
            Hours(self.start, self.end)  # the same rules as hours

    def span_on(self, day: date) -> tuple[datetime, datetime]:
        """The closed span of local `day`, in UTC: all of it, or from start to end."""
        if self.start is None or self.end is None:
            return _at(day, time.min), _at(day + timedelta(days=1), time.min)
        return _at(day, self.start), _at(day, self.end)


class HolidayRule(StrEnum):
    """What happens to day-of-month hours on a day that is not a working day."""

    MOVE = "move"  # to the next working day, at the same local times
    DROP = "drop"


@dataclass(frozen=True)
class Availability:
    """A host's rules: when they receive, how long a meeting is, and how far ahead and how
    soon residents may book. Its checks raise ValueError in English for the caller; the
    forms that build it give residents' and staff's messages."""

    weekly: Mapping[int, tuple[Hours, ...]] = field(default_factory=dict)
    month_days: tuple[MonthDays, ...] = ()
    closures: tuple[Closure, ...] = ()
    slot_minutes: int = 20
    # Kept free before and after each booking, for notes and the next person to come in.
    buffer_minutes: int = 0
    # Bookings a day may take at most (None: as many as there are slots).
    daily_cap: int | None = None
    horizon_days: int = 14
    notice_minutes: int = 30
    on_holiday: HolidayRule = HolidayRule.MOVE

    def __post_init__(self) -> None:
        wrong_days = sorted(day for day in self.weekly if day not in range(7))
        if wrong_days:
            raise ValueError(f"weekdays are 0 (Monday) to 6 (Sunday), not {wrong_days}")
        weekly = {
            day: _tuple_of_hours(hours, f"weekday {day}") for day, hours in self.weekly.items()
        }
        object.__setattr__(self, "weekly", MappingProxyType(weekly))
        object.__setattr__(self, "month_days", tuple(self.month_days))
        object.__setattr__(self, "closures", tuple(self.closures))
        if self.slot_minutes < 5:
            raise ValueError(f"a slot must last 5 minutes or more, not {self.slot_minutes}")
        if self.buffer_minutes < 0:
            raise ValueError(f"the buffer must be 0 minutes or more, not {self.buffer_minutes}")
        if self.daily_cap is not None and self.daily_cap < 1:
            raise ValueError(f"a daily cap must be 1 or more (or none), not {self.daily_cap}")
        if not 1 <= self.horizon_days <= 366:
            raise ValueError(f"the horizon must be 1 to 366 days, not {self.horizon_days}")
        if self.notice_minutes < 0:
            raise ValueError(f"the notice must be 0 minutes or more, not {self.notice_minutes}")
        object.__setattr__(self, "on_holiday", HolidayRule(self.on_holiday))


def _check_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime, not {value!r}")


@dataclass(frozen=True, order=True)
class Slot:
    """A time a resident may book, in UTC; slots sort by start."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Booked:
    """A live booking of the host, in UTC (a cancelled one is not passed at all)."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _check_aware(self.start, "a booking's start")
        _check_aware(self.end, "a booking's end")
        if self.end <= self.start:
            raise ValueError(f"a booking must end after it starts, not {self.start}–{self.end}")


class Refusal(StrEnum):
    """Why a time a resident picked cannot be booked."""

    PAST = "past"
    TOO_SOON = "too_soon"  # within the notice the host needs
    BEYOND_HORIZON = "beyond_horizon"  # further ahead than the host takes bookings
    CLOSED = "closed"  # not a time the host receives: a closure, a holiday, no hours then
    NOT_A_SLOT = "not_a_slot"  # within the host's hours but not where a slot starts
    TAKEN = "taken"  # a booking overlaps the slot itself
    FULL_DAY = "full_day"  # the day has as many bookings as the daily cap
    BUFFER = "buffer"  # only the buffer around a booking overlaps it


def local_date(moment: datetime) -> date:
    """The date in Asia/Shanghai at `moment`."""
    return moment.astimezone(SHANGHAI).date()


def _at(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=SHANGHAI).astimezone(UTC)


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _weekly_hours(availability: Availability, working: bool, day: date) -> tuple[Hours, ...]:
    weekday = day.weekday()
    if weekday < 5:
        return availability.weekly.get(weekday, ()) if working else ()
    # A make-up day is worked as a Monday; a weekend day off keeps the plan's own hours.
    return availability.weekly.get(0 if working else weekday, ())


def _month_day_hours(
    availability: Availability, calendar: WorkingDays, working: bool, day: date
) -> list[Hours]:
    if not working:
        return []
    found = [
        hours for rule in availability.month_days if day.day in rule.days for hours in rule.hours
    ]
    if availability.on_holiday is HolidayRule.MOVE:
        # The days off just before this working day moved their month-day hours here.
        before = day
        for _ in range(LONGEST_RUN_OFF):
            before -= timedelta(days=1)
            if calendar.is_working_day(before):
                break
            found += [
                hours
                for rule in availability.month_days
                if before.day in rule.days
                for hours in rule.hours
            ]
    return found


def hours_of(availability: Availability, calendar: WorkingDays, day: date) -> list[Hours]:
    """The hours the host keeps on local `day` by the weekly plan and the month days, before
    closures, by start."""
    working = calendar.is_working_day(day)
    hours = [*_weekly_hours(availability, working, day)]
    if availability.month_days:
        hours += _month_day_hours(availability, calendar, working, day)
    return sorted(hours, key=lambda each: (each.start, each.end))


def _closed_spans(availability: Availability, day: date) -> list[tuple[datetime, datetime]]:
    return [each.span_on(day) for each in availability.closures if each.first <= day <= each.last]


def _slots_of_day(availability: Availability, calendar: WorkingDays, day: date) -> list[Slot]:
    """The slots of local `day` by the rules, closures applied, in time order."""
    closed = _closed_spans(availability, day)
    step = timedelta(minutes=availability.slot_minutes)
    slots: list[Slot] = []
    for hours in hours_of(availability, calendar, day):
        start, end = _at(day, hours.start), _at(day, hours.end)
        while start + step <= end:
            slots.append(Slot(start, start + step))
            start += step
    slots.sort()
    kept: list[Slot] = []
    for slot in slots:
        if not kept or slot.start >= kept[-1].end:
            kept.append(slot)
    for shut, opens in closed:
        kept = [slot for slot in kept if not (slot.start < opens and shut < slot.end)]
    return kept


def slots_between(
    availability: Availability, calendar: WorkingDays, first: date, last: date
) -> list[Slot]:
    """Every slot the rules give on local days `first` to `last`, whether booked or not."""
    return [
        slot for day in _days(first, last) for slot in _slots_of_day(availability, calendar, day)
    ]


class _Blocks:
    """Bookings widened by a buffer and merged into disjoint spans, to ask by bisection
    whether a slot overlaps any (no loop over bookings for each slot)."""

    def __init__(self, booked: Sequence[Booked], buffer: timedelta) -> None:
        self.starts: list[datetime] = []
        self.ends: list[datetime] = []
        for each in sorted(booked, key=lambda each: each.start):
            start, end = each.start - buffer, each.end + buffer
            if self.ends and start <= self.ends[-1]:
                # Spans that touch may merge too: a slot overlapping the union overlaps one.
                self.ends[-1] = max(self.ends[-1], end)
            else:
                self.starts.append(start)
                self.ends.append(end)

    def overlap(self, slot: Slot) -> bool:
        index = bisect_right(self.ends, slot.start)  # the first span ending after the start
        return index < len(self.starts) and self.starts[index] < slot.end


@dataclass(frozen=True)
class _Window:
    """What "now" allows: the earliest start and the days from today to the horizon."""

    earliest: datetime
    today: date
    last_day: date

    @classmethod
    def of(cls, availability: Availability, now: datetime) -> _Window:
        _check_aware(now, "now")
        today = local_date(now)
        return cls(
            earliest=now + timedelta(minutes=availability.notice_minutes),
            today=today,
            last_day=today + timedelta(days=availability.horizon_days),
        )


def _bookings_by_day(booked: Sequence[Booked]) -> Counter[date]:
    return Counter(local_date(each.start) for each in booked)


def free_slots(
    availability: Availability,
    calendar: WorkingDays,
    booked: Sequence[Booked],
    now: datetime,
    *,
    first: date | None = None,
    last: date | None = None,
    limit: int | None = None,
) -> list[Slot]:
    """The slots residents may book now, in time order: within notice and horizon (and
    `first` to `last` when given), the first `limit` of them when given."""
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be 1 or more (or none), not {limit}")
    window = _Window.of(availability, now)
    first = window.today if first is None else max(first, window.today)
    last = window.last_day if last is None else min(last, window.last_day)
    blocks = _Blocks(booked, timedelta(minutes=availability.buffer_minutes))
    per_day = _bookings_by_day(booked) if availability.daily_cap is not None else Counter()
    found: list[Slot] = []
    for day in _days(first, last):
        if availability.daily_cap is not None and per_day[day] >= availability.daily_cap:
            continue
        for slot in _slots_of_day(availability, calendar, day):
            if slot.start < window.earliest or blocks.overlap(slot):
                continue
            found.append(slot)
            if limit is not None and len(found) == limit:
                return found
    return found


def why_not(
    availability: Availability,
    calendar: WorkingDays,
    booked: Sequence[Booked],
    now: datetime,
    start: datetime,
) -> Refusal | None:
    """Why a slot starting at `start` cannot be booked now, or None when it is free.

    Checked in this order: the time (PAST, TOO_SOON, BEYOND_HORIZON), then the host's rules
    (CLOSED, NOT_A_SLOT), then the bookings (TAKEN, FULL_DAY, BUFFER), so that the reason
    given is the one the resident can least change by picking a nearby time.
    """
    _check_aware(start, "the start")
    window = _Window.of(availability, now)
    if start < now:
        return Refusal.PAST
    if start < window.earliest:
        return Refusal.TOO_SOON
    day = local_date(start)
    if day > window.last_day:
        return Refusal.BEYOND_HORIZON
    slot = next(
        (each for each in _slots_of_day(availability, calendar, day) if each.start == start),
        None,
    )
    if slot is None:
        return _outside_slots(availability, calendar, day, start)
    if _Blocks(booked, timedelta(0)).overlap(slot):
        return Refusal.TAKEN
    cap = availability.daily_cap
    if cap is not None and _bookings_by_day(booked)[day] >= cap:
        return Refusal.FULL_DAY
    if _Blocks(booked, timedelta(minutes=availability.buffer_minutes)).overlap(slot):
        return Refusal.BUFFER
    return None


def _outside_slots(
    availability: Availability, calendar: WorkingDays, day: date, start: datetime
) -> Refusal:
    """CLOSED when the host does not receive at `start`, NOT_A_SLOT when they do but no slot
    starts then."""
    if any(shut <= start < opens for shut, opens in _closed_spans(availability, day)):
        return Refusal.CLOSED
    for hours in hours_of(availability, calendar, day):
        if _at(day, hours.start) <= start < _at(day, hours.end):
            return Refusal.NOT_A_SLOT
    return Refusal.CLOSED


def nearest_free(
    availability: Availability,
    calendar: WorkingDays,
    booked: Sequence[Booked],
    now: datetime,
    start: datetime,
    count: int = 3,
) -> list[Slot]:
    """The `count` free slots nearest to `start`, nearest first (of two as near, the earlier),
    to offer when `start` was refused."""
    _check_aware(start, "the start")
    if count < 1:
        raise ValueError(f"count must be 1 or more, not {count}")
    free = free_slots(availability, calendar, booked, now)
    return heapq.nsmallest(count, free, key=lambda slot: (abs(slot.start - start), slot.start))
