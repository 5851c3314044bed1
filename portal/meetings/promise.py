"""The promise of 书记在线, as clocks: a request is seen within 10 minutes and a meeting is
arranged within 30, counted in the community's online hours only (pure logic).

A request that arrives while the community is online starts its clocks at once; one that
arrives at night starts them when the community is next online, and the resident is told
then and there when that is. The minutes run only while the community is online: a request
seen due at 17:35 when the hours end at 17:30 is due five minutes after they open again.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import MappingProxyType

from portal.meetings.slots import SHANGHAI, Hours, WorkingDays, local_date

SEEN_MINUTES = 10
ARRANGED_MINUTES = 30
# How far ahead the next opening is looked for: past the longest run of days off.
LOOK_AHEAD_DAYS = 40


@dataclass(frozen=True)
class OnlineHours:
    """When a community answers online: hours for each weekday (0 Monday), on working days
    as the calendar says; a make-up working day (补班) is online as a Monday."""

    weekly: Mapping[int, tuple[Hours, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "weekly", MappingProxyType(dict(self.weekly)))

    def hours_on(self, day: date, calendar: WorkingDays) -> tuple[Hours, ...]:
        if not calendar.is_working_day(day):
            return ()
        weekday = day.weekday() if day.weekday() < 5 else 0
        return self.weekly.get(weekday, ())


def _spans_from(
    moment: datetime, hours: OnlineHours, calendar: WorkingDays
) -> Iterator[tuple[datetime, datetime]]:
    """The online spans (UTC) from `moment` on, the first cut to begin at `moment`."""
    first = local_date(moment)
    for offset in range(LOOK_AHEAD_DAYS):
        day = first + timedelta(days=offset)
        for each in sorted(hours.hours_on(day, calendar), key=lambda h: h.start):
            start = datetime.combine(day, each.start, tzinfo=SHANGHAI).astimezone(moment.tzinfo)
            end = datetime.combine(day, each.end, tzinfo=SHANGHAI).astimezone(moment.tzinfo)
            if end <= moment:
                continue
            yield max(start, moment), end


def clocks_start(moment: datetime, hours: OnlineHours, calendar: WorkingDays) -> datetime:
    """When a request made at `moment` starts its clocks: then, if the community is online,
    else when it is next online (or `moment` itself if it is never online in the weeks ahead:
    a promise never waits forever)."""
    return next((start for start, _end in _spans_from(moment, hours, calendar)), moment)


def online_after(
    start: datetime, minutes: int, hours: OnlineHours, calendar: WorkingDays
) -> datetime:
    """The moment `minutes` of online time have passed since `start`."""
    left = timedelta(minutes=minutes)
    for span_start, span_end in _spans_from(start, hours, calendar):
        if span_end - span_start >= left:
            return span_start + left
        left -= span_end - span_start
    return start + timedelta(minutes=minutes)


@dataclass(frozen=True)
class Clocks:
    """When a request's clocks start, and when it is due to be seen and to be arranged."""

    start: datetime
    seen_due: datetime
    arranged_due: datetime


def clocks_for(moment: datetime, hours: OnlineHours, calendar: WorkingDays) -> Clocks:
    start = clocks_start(moment, hours, calendar)
    return Clocks(
        start,
        online_after(start, SEEN_MINUTES, hours, calendar),
        online_after(start, ARRANGED_MINUTES, hours, calendar),
    )


def default_hours(opens: time = time(8, 30), closes: time = time(17, 30)) -> OnlineHours:
    """Online on working days from `opens` to `closes`, for a community that set none."""
    return OnlineHours({day: (Hours(opens, closes),) for day in range(5)})
