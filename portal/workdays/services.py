"""The working-day calendar every feature counts its deadlines by, and the years of holidays
that administrators enter when chinese-calendar does not know them yet.

"Due at the end of the Nth working day, Shanghai time" is `due_after_working_days`; whether
a day is worked is `is_working_day`. Each call reads the entered years it needs in one query
(portal/workdays/days.py says which source decides which year). Functions take a Session,
the acting user where someone acts, plain values and `now`; they flush but never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit import services as audit
from portal.db import serialize_on
from portal.errors import Forbidden, NotFound
from portal.i18n import SHANGHAI
from portal.permissions import Actor, Permission, holds_anywhere
from portal.workdays.arrangement import parse_arrangement, write_arrangement
from portal.workdays.days import (
    Calendar,
    Day,
    DayKind,
    Source,
    package_arrangement,
    package_knows,
)
from portal.workdays.models import WorkdayEntry, WorkdayYear

# The years administrators may enter: any the portal could count a deadline in.
FIRST_YEAR, LAST_YEAR = 2000, 2099


def local_date(moment: datetime) -> date:
    """The date of `moment` (aware) in Shanghai, as the district counts its days."""
    return moment.astimezone(SHANGHAI).date()


def calendar_from(session: Session, first_year: int, last_year: int | None = None) -> Calendar:
    """The calendar from `first_year` to `last_year` (None: without end), with the years
    administrators entered among them read in one query."""
    query = (
        select(WorkdayYear.year, WorkdayEntry.day, WorkdayEntry.kind)
        .outerjoin(WorkdayEntry, WorkdayEntry.year == WorkdayYear.year)
        .where(WorkdayYear.year >= first_year)
    )
    if last_year is not None:
        query = query.where(WorkdayYear.year <= last_year)
    entered: dict[int, dict[date, DayKind]] = {}
    for year, day, kind in session.execute(query):
        days = entered.setdefault(year, {})
        if day is not None:
            days[day] = kind
    return Calendar(entered)


def due_after_working_days(session: Session, start: datetime, days: int) -> datetime:
    """When something started at `start` is due if it has `days` working days: the end of
    the `days`-th working day after `start`'s date in Shanghai (the day it started never
    counts).

    The end is that day's last moment, 23:59:59.999999 Shanghai time, so that the deadline
    reads as that day wherever it is shown; it is returned in UTC, as the portal stores
    times. Something done at `due_at` or before is on time.
    """
    first = local_date(start)
    due_day = calendar_from(session, first.year).nth_working_day_after(first, days)
    return datetime.combine(due_day, time.max, tzinfo=SHANGHAI).astimezone(UTC)


def is_working_day(session: Session, day: date) -> bool:
    """Whether people work on `day` (a date in Shanghai)."""
    return calendar_from(session, day.year, day.year).is_working_day(day)


def working_days_between(session: Session, start: date, end: date) -> int:
    """How many working days come after `start` up to and including `end` (dates in
    Shanghai; 0 when `end` is not after `start`)."""
    return calendar_from(session, start.year, end.year).working_days_between(start, end)


def year_sources(session: Session, years: Iterable[int]) -> dict[int, Source]:
    """Where the working days of each of `years` come from."""
    years = sorted(set(years))
    if not years:
        return {}
    calendar = calendar_from(session, years[0], years[-1])
    return {year: calendar.source_of(year) for year in years}


def years_unknown(session: Session, years: Iterable[int]) -> list[int]:
    """Those of `years` whose holidays nobody knows: their working days are the weekdays."""
    return [
        year for year, source in year_sources(session, years).items() if source is Source.WEEKENDS
    ]


# --- the administrators' pages ---------------------------------------------------------------


def require_calendar_manager(actor: Actor) -> None:
    """Raise Forbidden unless `actor` keeps the calendar (one for the whole portal: China's)."""
    if not holds_anywhere(actor, Permission.MANAGE_CALENDAR):
        raise Forbidden(
            _l("You do not have permission to do this here."),
            permission=Permission.MANAGE_CALENDAR.value,
        )


@dataclass(frozen=True)
class YearArrangement:
    """A year as the calendar has it: where its days come from, who entered it (if anyone)
    and its days off and make-up working days (none listed for a year of weekends only)."""

    year: int
    source: Source
    entered: WorkdayYear | None
    days: list[Day]

    @property
    def holidays(self) -> int:
        return sum(day.kind is DayKind.HOLIDAY for day in self.days)

    @property
    def make_up_days(self) -> int:
        return sum(day.kind is DayKind.WORKDAY for day in self.days)


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise NotFound(_l("The calendar has no such year."))


def _entered_days(entered: WorkdayYear) -> list[Day]:
    return [Day(each.day, each.kind, each.name_zh, each.name_en) for each in entered.days]


def year_arrangement(session: Session, actor: Actor, year: int) -> YearArrangement:
    """How the calendar counts `year`."""
    require_calendar_manager(actor)
    _check_year(year)
    entered = session.get(WorkdayYear, year)
    if entered is not None:
        return YearArrangement(year, Source.ENTERED, entered, _entered_days(entered))
    source = Source.PACKAGE if package_knows(year) else Source.WEEKENDS
    return YearArrangement(year, source, None, package_arrangement(year))


def calendar_overview(
    session: Session, actor: Actor, first_year: int, count: int = 3
) -> list[YearArrangement]:
    """`count` years from `first_year` on, as the calendar counts them."""
    return [
        year_arrangement(session, actor, year) for year in range(first_year, first_year + count)
    ]


def enter_year(
    session: Session, actor: Actor, year: int, text: str, *, now: datetime
) -> WorkdayYear:
    """Make the days listed in `text` (portal/workdays/arrangement.py) the arrangement of
    `year`, in place of what was entered before and of what chinese-calendar says."""
    require_calendar_manager(actor)
    _check_year(year)
    days = parse_arrangement(year, text)
    # Two administrators entering the same year at once: one after the other, the last wins.
    serialize_on(session, f"workdays.year:{year}")
    entered = session.get(WorkdayYear, year, populate_existing=True)
    before = None
    if entered is None:
        entered = WorkdayYear(year=year, entered_at=now)
        session.add(entered)
    else:
        before = write_arrangement(_entered_days(entered))
        entered.days.clear()
        # The old days go before the new ones with the same dates come.
        session.flush()
    entered.entered_by_id = actor.id
    entered.entered_at = now
    entered.days = [
        WorkdayEntry(day=day.day, kind=day.kind, name_zh=day.name_zh, name_en=day.name_en)
        for day in days
    ]
    session.flush()
    audit.record(
        session, "workdays.enter_year", actor=actor, target=("workday_years", year), now=now,
        details={"year": year, "before": before, "after": write_arrangement(days)},
    )  # fmt: skip
    return entered


def remove_year(session: Session, actor: Actor, year: int, *, now: datetime) -> Source:
    """Forget what administrators entered for `year`: chinese-calendar counts it again, or
    the weekends do. Returns the year's source from now on."""
    require_calendar_manager(actor)
    _check_year(year)
    serialize_on(session, f"workdays.year:{year}")
    entered = session.get(WorkdayYear, year, populate_existing=True)
    if entered is None:
        raise NotFound(_l("Nothing was entered for this year."))
    before = write_arrangement(_entered_days(entered))
    session.delete(entered)
    session.flush()
    audit.record(
        session, "workdays.remove_year", actor=actor, target=("workday_years", year), now=now,
        details={"year": year, "before": before},
    )  # fmt: skip
    return Calendar().source_of(year)
