"""A year's arrangement of holidays (放假) and make-up working days (补班) as administrators
type it: one line a date or a range of dates, then what it is.

    2027-10-01..2027-10-07 国庆节 National Day
    2027-09-26 补班 国庆节 National Day

The format forgives what people type: full-width digits and spaces, 2027/10/01 or
2027年10月1日, a range joined by "..", "~", "至" or "到" whose end may leave out the year.
A line whose first word is 补班, 上班 or workday is a make-up working day; any other is a day
off. The names that follow (optional) are the Chinese then the English name of the holiday.
Lines that begin with # are notes to the one typing, and are not saved.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l

from portal.errors import Invalid
from portal.workdays.days import Day, DayKind, is_weekend

MAX_CHARACTERS = 5000
# No holiday has lasted a month: a longer range is a typing mistake.
LONGEST_RANGE_DAYS = 31
NAME_ZH_MAX = 20
NAME_EN_MAX = 50
MAKE_UP_WORDS = frozenset({"补班", "上班", "调休上班", "workday", "make-up", "makeup"})
DAY_OFF_WORDS = frozenset({"放假", "休息", "休", "holiday", "off"})

_DATE = r"(?P<{0}year>\d{{4}})\s*[-/.年]\s*(?P<{0}month>\d{{1,2}})\s*[-/.月]\s*(?P<{0}day>\d{{1,2}})日?(?!\d)"
_END = r"(?:(?:(?P<end_year>\d{4})\s*[-/.年]\s*)?(?P<end_month>\d{1,2})\s*[-/.月]\s*)?(?P<end_day>\d{1,2})日?(?!\d)"
_LINE = re.compile(
    rf"{_DATE.format('')}(?:\s*(?:\.\.|~|至|到|—|–|-)\s*{_END})?\s*(?P<rest>.*)", re.IGNORECASE
)
# What follows the dates must not look like more of them.
_UNCLEAR = re.compile(r"[\d.~至到—–-]")
_CJK = re.compile(r"[\u3400-\u9fff]")


def parse_arrangement(year: int, text: str) -> list[Day]:
    """The days `text` lists for `year`, by date; Invalid naming every line that is wrong."""
    text = unicodedata.normalize("NFKC", text or "")
    if len(text) > MAX_CHARACTERS:
        raise Invalid(_l("Keep it within 5,000 characters."), field="days")
    days: dict[date, tuple[int, Day]] = {}
    problems: list[Any] = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            parsed = _parse_line(year, number, line)
        except _LineProblem as problem:
            problems.append(problem.message)
            continue
        for day in parsed:
            if day.day in days:
                problems.append(
                    _l(
                        "Line %(line)d: %(day)s is on line %(other)d already.",
                        line=number,
                        day=day.day.isoformat(),
                        other=days[day.day][0],
                    )
                )
                break
            days[day.day] = (number, day)
    if problems:
        each = [str(problem) for problem in problems]
        raise Invalid(_sentences(each), field="days", each=each)
    if not days:
        raise Invalid(
            _l("Enter the year's holidays and make-up working days, one line each."),
            field="days",
        )
    return [day for _number, day in sorted(days.values(), key=lambda pair: pair[1].day)]


def _sentences(messages: Iterable[str]) -> str:
    """Messages one after another: a space after an English full stop, none after a Chinese."""
    return "".join(
        message if message.endswith("。") else f"{message} " for message in messages
    ).rstrip()


class _LineProblem(Exception):
    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


def _parse_line(year: int, number: int, line: str) -> list[Day]:
    found = _LINE.match(line)
    if found is None:
        raise _LineProblem(
            _l(
                "Line %(line)d: begin with a date such as %(year)d-10-01, or a range such as %(year)d-10-01..%(year)d-10-07.",
                line=number,
                year=year,
            )
        )
    if _UNCLEAR.match(found["rest"]):
        raise _LineProblem(
            _l(
                "Line %(line)d: the dates are not clear. Write them as %(year)d-10-01, or %(year)d-10-01..%(year)d-10-07.",
                line=number,
                year=year,
            )
        )
    start = _date(number, found["year"], found["month"], found["day"])
    end = start
    if found["end_day"] is not None:
        end = _date(
            number,
            found["end_year"] or found["year"],
            found["end_month"] or found["month"],
            found["end_day"],
        )
    for each in (start, end):
        if each.year != year:
            raise _LineProblem(
                _l(
                    "Line %(line)d: %(day)s is not in %(year)d. Enter each year's days under that year.",
                    line=number,
                    day=each.isoformat(),
                    year=year,
                )
            )
    if end < start:
        raise _LineProblem(_l("Line %(line)d: the range ends before it begins.", line=number))
    if (end - start).days >= LONGEST_RANGE_DAYS:
        raise _LineProblem(
            _l("Line %(line)d: no holiday lasts more than a month. Check the dates.", line=number)
        )
    kind, name_zh, name_en = _what(number, found["rest"])
    days = [start + timedelta(days=offset) for offset in range((end - start).days + 1)]
    if kind is DayKind.WORKDAY:
        for each in days:
            if not is_weekend(each):
                raise _LineProblem(
                    _l(
                        "Line %(line)d: %(day)s is a weekday, a working day anyway. Make-up working days fall on a Saturday or Sunday.",
                        line=number,
                        day=each.isoformat(),
                    )
                )
    return [Day(each, kind, name_zh, name_en) for each in days]


def _date(number: int, year: str, month: str, day: str) -> date:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise _LineProblem(
            _l(
                "Line %(line)d: there is no day %(day)s.",
                line=number,
                day=f"{year}-{int(month):02d}-{int(day):02d}",
            )
        ) from None


def _what(number: int, rest: str) -> tuple[DayKind, str, str]:
    """The kind of day and the holiday's Chinese and English names, from the words after
    the dates."""
    words = rest.split()
    kind = DayKind.HOLIDAY
    if words and words[0].lower() in MAKE_UP_WORDS:
        kind = DayKind.WORKDAY
        words = words[1:]
    elif words and words[0].lower() in DAY_OFF_WORDS:
        words = words[1:]
    chinese: list[str] = []
    while words and _CJK.search(words[0]):
        chinese.append(words.pop(0))
    name_zh, name_en = "".join(chinese), " ".join(words)
    if len(name_zh) > NAME_ZH_MAX or len(name_en) > NAME_EN_MAX:
        raise _LineProblem(
            _l(
                "Line %(line)d: the name is too long. Keep it within 20 characters in Chinese and 50 in English.",
                line=number,
            )
        )
    return kind, name_zh, name_en


def runs(days: Iterable[Day]) -> list[list[Day]]:
    """`days` by date, in runs of days in a row of the same kind and names (a holiday)."""
    found: list[list[Day]] = []
    for day in sorted(days, key=lambda each: each.day):
        last = found[-1][-1] if found else None
        if (
            last is not None
            and day.day - last.day == timedelta(days=1)
            and (day.kind, day.name_zh, day.name_en) == (last.kind, last.name_zh, last.name_en)
        ):
            found[-1].append(day)
        else:
            found.append([day])
    return found


def write_arrangement(days: Iterable[Day]) -> str:
    """`days` as the administrators' form shows them, a line for each run;
    `parse_arrangement` reads it back as it was."""
    lines = []
    for run in runs(days):
        first, last = run[0], run[-1]
        dates = first.day.isoformat()
        if last is not first:
            dates += f"..{last.day.isoformat()}"
        words = [
            dates,
            "补班" if first.kind is DayKind.WORKDAY else "",
            first.name_zh,
            first.name_en,
        ]
        lines.append(" ".join(word for word in words if word))
    return "\n".join(lines)
