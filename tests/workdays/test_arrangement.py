"""A year's arrangement as administrators type it: forgiving of how, strict about what."""

from __future__ import annotations

from datetime import date

import pytest

from portal.errors import Invalid
from portal.workdays.arrangement import parse_arrangement, write_arrangement
from portal.workdays.days import Day, DayKind, package_arrangement

pytestmark = pytest.mark.usefixtures("app_context")


def problems(year: int, text: str) -> str:
    with pytest.raises(Invalid) as refused:
        parse_arrangement(year, text)
    assert refused.value.details["field"] == "days"
    return refused.value.message


def test_ranges_make_up_days_names_and_notes():
    days = parse_arrangement(
        2027,
        "# 2027年国庆\n\n2027-10-01..2027-10-07 国庆节 National Day\n  2027-09-26 补班  \n",
    )
    assert len(days) == 8
    assert days[0] == Day(date(2027, 9, 26), DayKind.WORKDAY, "", "")
    assert days[1] == Day(date(2027, 10, 1), DayKind.HOLIDAY, "国庆节", "National Day")
    assert days[-1].day == date(2027, 10, 7)


@pytest.mark.parametrize(
    "line",
    [
        "２０２７年１０月１日～７日　国庆节",  # full-width, as a Chinese keyboard types it
        "2027年10月1日至10月7日 国庆节",
        "2027/10/1 到 2027/10/7 国庆节",
        "2027.10.01 - 10.07 国庆节",
        "2027-10-01..07 放假 国庆节",
    ],
)
def test_the_ways_people_write_a_range_all_mean_the_same_days(line):
    days = parse_arrangement(2027, line)
    assert [day.day for day in days] == [date(2027, 10, day) for day in range(1, 8)]
    assert {(day.kind, day.name_zh) for day in days} == {(DayKind.HOLIDAY, "国庆节")}


def test_make_up_words_in_either_language():
    for word in ("补班", "上班", "Workday", "make-up"):
        (day,) = parse_arrangement(2027, f"2027-02-20 {word} 春节 Spring Festival")
        assert (day.kind, day.name_zh, day.name_en) == (
            DayKind.WORKDAY,
            "春节",
            "Spring Festival",
        )


def test_every_wrong_line_is_named():
    message = problems(
        2027,
        "\n".join(
            [
                "2027-10-01..2027-10-07 国庆节",
                "国庆节 2027-10-01",
                "2027-02-30 春节",
                "2026-12-31 元旦",
                "2027-10-07..2027-10-01 国庆节",
                "2027-09-29 补班",
                "2027-10-03 国庆节",
                "2027-01-01..2027-03-01 太长",
                "2027-10-01 -- 10 国庆节",
                f"2027-05-01 {'劳' * 21}",
            ]
        ),
    )
    assert message == (
        "Line 2: begin with a date such as 2027-10-01, or a range such as 2027-10-01..2027-10-07. "
        "Line 3: there is no day 2027-02-30. "
        "Line 4: 2026-12-31 is not in 2027. Enter each year's days under that year. "
        "Line 5: the range ends before it begins. "
        "Line 6: 2027-09-29 is a weekday, a working day anyway. Make-up working days fall on a Saturday or Sunday. "
        "Line 7: 2027-10-03 is on line 1 already. "
        "Line 8: no holiday lasts more than a month. Check the dates. "
        "Line 9: the dates are not clear. Write them as 2027-10-01, or 2027-10-01..2027-10-07. "
        "Line 10: the name is too long. Keep it within 20 characters in Chinese and 50 in English."
    )


def test_nothing_or_too_much_is_refused():
    assert problems(2027, "  \n# 只有说明\n") == (
        "Enter the year's holidays and make-up working days, one line each."
    )
    assert problems(2027, "#" * 5001) == "Keep it within 5,000 characters."


def test_the_form_shows_an_arrangement_in_lines_that_read_back_the_same():
    days = package_arrangement(2026)
    text = write_arrangement(days)
    assert "2026-10-01..2026-10-07 国庆节 National Day" in text.splitlines()
    assert "2026-10-10 补班 国庆节 National Day" in text.splitlines()
    assert parse_arrangement(2026, text) == days
