"""Which days are working days in China, as pure logic over dates.

Three sources, in this order, for a whole year at a time:

1. ENTERED: the year's holidays and make-up working days as administrators entered them; for
   them an entered year wins over the package, which may be out of date;
2. PACKAGE: `chinese-calendar`, which carries the State Council's arrangement of every year
   it knows (2004 up to the year it was last released for);
3. WEEKENDS: neither knows the year, so Monday to Friday are working days. The
   administrators' page warns about every such year ahead.

Nothing here reads the database: portal/workdays/services.py hands in the entered years.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from itertools import islice

import chinese_calendar


class Source(StrEnum):
    """Where the working days of a year come from."""

    ENTERED = "entered"
    PACKAGE = "package"
    WEEKENDS = "weekends"


class DayKind(StrEnum):
    """What an entered day is: a day off (a holiday, or a weekend day within one), or a
    make-up working day (补班, a Saturday or Sunday worked in exchange for one)."""

    HOLIDAY = "holiday"
    WORKDAY = "workday"


@dataclass(frozen=True)
class Day:
    """A day of a year's arrangement, with the holiday's name it belongs to ("" when none)."""

    day: date
    kind: DayKind
    name_zh: str = ""
    name_en: str = ""


def is_weekend(day: date) -> bool:
    return day.weekday() >= 5


@cache
def package_knows(year: int) -> bool:
    """Whether `chinese-calendar` carries the arrangement of `year`.

    The one place its refusal is caught: for any other year it raises NotImplementedError
    ("no available data for year 2027"), and the calendar falls back to another source.
    """
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def package_arrangement(year: int) -> list[Day]:
    """The days off and make-up working days the package carries for `year`, by date
    (empty for a year it does not know). Weekends outside a holiday are not listed."""
    if not package_knows(year):
        return []
    found = [
        Day(day, DayKind.HOLIDAY, *_package_names(name))
        for day, name in chinese_calendar.holidays.items()
        if day.year == year
    ]
    found += [
        Day(day, DayKind.WORKDAY, *_package_names(name))
        for day, name in chinese_calendar.workdays.items()
        if day.year == year
    ]
    return sorted(found, key=lambda each: each.day)


def _package_names(english: str) -> tuple[str, str]:
    """The Chinese and English names of one of the package's holidays."""
    return chinese_calendar.Holiday(english).chinese, english


@dataclass(frozen=True)
class Calendar:
    """The working days of some years: `entered` maps each year administrators entered to
    its days (the other days of an entered year follow the weekends). A year not in it comes
    from the package, or from the weekends alone."""

    entered: Mapping[int, Mapping[date, DayKind]] = field(default_factory=dict)

    def source_of(self, year: int) -> Source:
        """Where the working days of `year` come from."""
        if year in self.entered:
            return Source.ENTERED
        if package_knows(year):
            return Source.PACKAGE
        return Source.WEEKENDS

    def is_working_day(self, day: date) -> bool:
        """Whether people work on `day`: a weekday that is no holiday, or a make-up day."""
        source = self.source_of(day.year)
        if source is Source.ENTERED:
            kind = self.entered[day.year].get(day)
            if kind is not None:
                return kind is DayKind.WORKDAY
        elif source is Source.PACKAGE:
            return chinese_calendar.is_workday(day)
        return not is_weekend(day)

    def working_days_after(self, start: date) -> Iterator[date]:
        """The working days after `start`, in order, without end."""
        day = start
        while True:
            day += timedelta(days=1)
            if self.is_working_day(day):
                yield day

    def nth_working_day_after(self, start: date, count: int) -> date:
        """The `count`-th working day after `start` (1: the next one); `start` itself never
        counts, working day or not."""
        if count < 1:
            raise ValueError(f"count must be 1 or more, not {count}")
        return next(islice(self.working_days_after(start), count - 1, None))

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days come after `start` up to and including `end` (0 when `end`
        is not after `start`): the working days a deadline took or has left."""
        count = 0
        day = start + timedelta(days=1)
        while day <= end:
            count += self.is_working_day(day)
            day += timedelta(days=1)
        return count
