"""The 10- and 30-minute clocks of 书记在线, counted in a community's online hours only."""

from __future__ import annotations

from datetime import UTC, datetime, time

from portal.meetings import promise
from portal.meetings.slots import Hours
from portal.workdays.days import Calendar
from tests.meetings.conftest import shanghai

HOURS = promise.default_hours()  # 08:30–17:30 on working days
CALENDAR = Calendar()


def test_a_request_within_online_hours_starts_its_clocks_at_once():
    clocks = promise.clocks_for(shanghai(7, 10, 3), HOURS, CALENDAR)
    assert clocks == promise.Clocks(shanghai(7, 10, 3), shanghai(7, 10, 13), shanghai(7, 10, 33))


def test_a_request_at_night_starts_its_clocks_when_the_community_is_next_online():
    clocks = promise.clocks_for(shanghai(7, 21, 0), HOURS, CALENDAR)
    assert clocks.start == shanghai(8, 8, 30)
    assert (clocks.seen_due, clocks.arranged_due) == (shanghai(8, 8, 40), shanghai(8, 9, 0))


def test_a_request_on_friday_evening_waits_for_monday():
    assert promise.clocks_start(shanghai(11, 17, 45), HOURS, CALENDAR) == shanghai(14, 8, 30)


def test_the_minutes_stop_when_the_community_goes_offline_and_go_on_when_it_opens():
    clocks = promise.clocks_for(shanghai(7, 17, 25), HOURS, CALENDAR)
    assert clocks.seen_due == shanghai(8, 8, 35), "5 minutes on Monday, 5 on Tuesday"
    assert clocks.arranged_due == shanghai(8, 8, 55)


def test_a_lunch_break_pauses_the_clocks():
    lunch = promise.OnlineHours(
        {day: (Hours(time(8, 30), time(12)), Hours(time(13, 30), time(17, 30))) for day in range(5)}
    )
    clocks = promise.clocks_for(shanghai(7, 11, 50), lunch, CALENDAR)
    assert clocks.seen_due == shanghai(7, 12, 0)
    assert clocks.arranged_due == shanghai(7, 13, 50)


def test_a_public_holiday_is_offline_and_a_make_up_day_is_online():
    # New Year 2026: Thursday 1 to Saturday 3 January off, Sunday 4 January worked.
    new_year_eve = datetime(2025, 12, 31, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai
    assert promise.clocks_start(new_year_eve, HOURS, CALENDAR) == datetime(
        2026, 1, 4, 0, 30, tzinfo=UTC
    ), "08:30 on the Sunday worked as a Monday"


def test_a_community_never_online_still_has_clocks():
    never = promise.OnlineHours({})
    clocks = promise.clocks_for(shanghai(7, 10), never, CALENDAR)
    assert clocks.start == shanghai(7, 10) and clocks.seen_due == shanghai(7, 10, 10)
