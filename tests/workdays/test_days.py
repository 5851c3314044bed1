"""Which days are worked: the package's years, administrators' years, and years nobody knows."""

from __future__ import annotations

from datetime import date

import pytest

from portal.workdays.days import Calendar, DayKind, Source, package_arrangement, package_knows

PACKAGE_ONLY = Calendar()


def test_a_deadline_across_national_day_skips_the_week_off_and_counts_the_make_up_saturday():
    # 2026: 中秋 25–27 September, 国庆 1–7 October, worked Saturday 10 October.
    assert PACKAGE_ONLY.is_working_day(date(2026, 10, 10))  # a Saturday
    assert not PACKAGE_ONLY.is_working_day(date(2026, 10, 5))  # a Monday
    started = date(2026, 9, 29)  # a Tuesday
    assert [PACKAGE_ONLY.nth_working_day_after(started, count) for count in (1, 2, 3, 4, 5)] == [
        date(2026, 9, 30),
        date(2026, 10, 8),
        date(2026, 10, 9),
        date(2026, 10, 10),
        date(2026, 10, 12),
    ]
    assert PACKAGE_ONLY.working_days_between(started, date(2026, 10, 10)) == 4


def test_the_make_up_sunday_before_mid_autumn_counts_and_the_festival_does_not():
    assert PACKAGE_ONLY.nth_working_day_after(date(2026, 9, 18), 1) == date(2026, 9, 20)
    assert PACKAGE_ONLY.nth_working_day_after(date(2026, 9, 24), 1) == date(2026, 9, 28)


def test_the_day_it_starts_never_counts_and_a_count_below_one_is_a_mistake():
    assert PACKAGE_ONLY.nth_working_day_after(date(2026, 10, 8), 1) == date(2026, 10, 9)
    assert PACKAGE_ONLY.working_days_between(date(2026, 10, 9), date(2026, 10, 9)) == 0
    assert PACKAGE_ONLY.working_days_between(date(2026, 10, 12), date(2026, 10, 9)) == 0
    with pytest.raises(ValueError, match="1 or more"):
        PACKAGE_ONLY.nth_working_day_after(date(2026, 10, 8), 0)


def test_a_year_nobody_knows_falls_back_to_monday_to_friday_without_an_error():
    assert not package_knows(2030) and package_knows(2026)
    assert PACKAGE_ONLY.source_of(2030) is Source.WEEKENDS
    # 1 October 2030 is a Tuesday: without an arrangement it is worked.
    assert PACKAGE_ONLY.is_working_day(date(2030, 10, 1))
    assert not PACKAGE_ONLY.is_working_day(date(2030, 10, 5))  # a Saturday
    assert PACKAGE_ONLY.nth_working_day_after(date(2030, 10, 4), 1) == date(2030, 10, 7)
    assert package_arrangement(2030) == []


def test_an_entered_year_wins_over_the_package_for_the_whole_year():
    entered = Calendar({2026: {date(2026, 10, 8): DayKind.HOLIDAY}})
    assert entered.source_of(2026) is Source.ENTERED
    assert not entered.is_working_day(date(2026, 10, 8))
    # Days the administrators left out follow the weekends, not the package.
    assert entered.is_working_day(date(2026, 10, 1))
    assert not entered.is_working_day(date(2026, 10, 10))
    assert entered.source_of(2025) is Source.PACKAGE


def test_a_deadline_runs_from_a_known_year_into_an_entered_one_or_an_unknown_one():
    started = date(2026, 12, 30)  # a Wednesday; 1 January 2027 is a Friday
    assert PACKAGE_ONLY.nth_working_day_after(started, 3) == date(2027, 1, 4)
    entered = Calendar(
        {2027: {date(2027, 1, 1): DayKind.HOLIDAY, date(2027, 1, 9): DayKind.WORKDAY}}
    )
    assert entered.nth_working_day_after(started, 3) == date(2027, 1, 5)
    assert entered.working_days_between(started, date(2027, 1, 9)) == 7


def test_the_package_arrangement_lists_days_off_and_make_up_days_with_both_names():
    days = {day.day: day for day in package_arrangement(2026)}
    assert days[date(2026, 10, 10)].kind is DayKind.WORKDAY
    assert (days[date(2026, 10, 10)].name_zh, days[date(2026, 10, 10)].name_en) == (
        "国庆节",
        "National Day",
    )
    national_day = [day for day in days.values() if day.name_en == "National Day"]
    assert sum(day.kind is DayKind.HOLIDAY for day in national_day) == 7
    assert date(2026, 10, 17) not in days  # a plain Saturday is no holiday
