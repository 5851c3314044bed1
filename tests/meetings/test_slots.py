"""The free times a host offers: the weekly plan and its breaks, legal service days (遇8有约)
around holidays and make-up days, bookings and their buffers, caps, closures, notice and
horizon, and why a picked time is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

import chinese_calendar
import pytest

from portal.meetings.slots import (
    SHANGHAI,
    Availability,
    Booked,
    Closure,
    HolidayRule,
    Hours,
    MonthDays,
    Refusal,
    Slot,
    free_slots,
    nearest_free,
    slots_between,
    why_not,
)
from portal.workdays.days import Calendar, DayKind, package_knows

PACKAGE_ONLY = Calendar()
MORNING = Hours(time(9), time(11, 30))
AFTERNOON = Hours(time(14), time(17))
# A community secretary: mornings and afternoons on weekdays, lunch in between.
WEEKDAYS = dict.fromkeys(range(5), (MORNING, AFTERNOON))
SECRETARY = Availability(weekly=WEEKDAYS)
LEGAL_DAYS = MonthDays(frozenset({8, 18, 28}), (Hours(time(9), time(12)),))
# Monday 7 December 2026, 08:45 in Shanghai.
NOW = datetime(2026, 12, 7, 8, 45, tzinfo=SHANGHAI).astimezone(UTC)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A local time in Shanghai on `day`, in UTC as the functions take it."""
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI).astimezone(UTC)


def booked(day: date, hour: int, minute: int = 0, minutes: int = 20) -> Booked:
    start = at(day, hour, minute)
    return Booked(start, start + timedelta(minutes=minutes))


def local_times(slots: list[Slot]) -> list[str]:
    return [slot.start.astimezone(SHANGHAI).strftime("%H:%M") for slot in slots]


def days_of(slots: list[Slot]) -> list[date]:
    return sorted({slot.start.astimezone(SHANGHAI).date() for slot in slots})


def on(slots: list[Slot], day: date) -> list[str]:
    return local_times([slot for slot in slots if slot.start.astimezone(SHANGHAI).date() == day])


MONDAY = date(2026, 12, 7)
TUESDAY = date(2026, 12, 8)
WEDNESDAY = date(2026, 12, 9)
FULL_MONDAY = [
    *["09:00", "09:20", "09:40", "10:00", "10:20", "10:40", "11:00"],
    *["14:00", "14:20", "14:40", "15:00", "15:20", "15:40", "16:00", "16:20", "16:40"],
]


# The weekly plan


def test_a_weekday_is_cut_into_twenty_minute_slots_around_the_lunch_break():
    slots = slots_between(SECRETARY, PACKAGE_ONLY, MONDAY, MONDAY)
    assert local_times(slots) == FULL_MONDAY
    first = slots[0]
    assert first == Slot(
        datetime(2026, 12, 7, 1, tzinfo=UTC), datetime(2026, 12, 7, 1, 20, tzinfo=UTC)
    )
    assert first.start.utcoffset() == timedelta(0)
    assert slots == sorted(slots)


def test_a_last_piece_shorter_than_a_slot_is_not_offered():
    rules = Availability(weekly={0: (Hours(time(9), time(10)),)}, slot_minutes=25)
    slots = slots_between(rules, PACKAGE_ONLY, MONDAY, MONDAY)
    assert local_times(slots) == ["09:00", "09:25"]
    assert slots[-1].end == at(MONDAY, 9, 50)


def test_a_weekend_without_hours_in_the_plan_offers_nothing():
    saturday, sunday = date(2026, 12, 12), date(2026, 12, 13)
    assert slots_between(SECRETARY, PACKAGE_ONLY, saturday, sunday) == []


def test_a_centre_open_on_saturdays_receives_on_a_saturday_off():
    rules = Availability(weekly={**WEEKDAYS, 5: (Hours(time(9), time(10)),)})
    assert local_times(
        slots_between(rules, PACKAGE_ONLY, date(2026, 1, 10), date(2026, 1, 10))
    ) == [
        "09:00",
        "09:20",
        "09:40",
    ]


# Public holidays and make-up working days


def test_a_weekday_that_is_a_public_holiday_has_no_weekly_hours():
    # Spring Festival 2026: Monday 16 February is a day off; Tuesday 24th is worked again.
    assert not chinese_calendar.is_workday(date(2026, 2, 16))
    assert slots_between(SECRETARY, PACKAGE_ONLY, date(2026, 2, 16), date(2026, 2, 16)) == []
    assert (
        local_times(slots_between(SECRETARY, PACKAGE_ONLY, date(2026, 2, 24), date(2026, 2, 24)))
        == FULL_MONDAY
    )


@pytest.mark.parametrize("make_up_day", [date(2026, 1, 4), date(2026, 9, 20), date(2026, 2, 14)])
def test_a_make_up_weekend_day_is_worked_as_a_monday(make_up_day):
    assert make_up_day.weekday() >= 5 and chinese_calendar.is_workday(make_up_day)
    # Mondays are mornings only, the other days afternoons only, Saturdays an early hour.
    rules = Availability(
        weekly={0: (MORNING,), 1: (AFTERNOON,), 4: (AFTERNOON,), 5: (Hours(time(8), time(9)),)}
    )
    slots = slots_between(rules, PACKAGE_ONLY, make_up_day, make_up_day)
    assert local_times(slots) == FULL_MONDAY[:7]


# Legal service days: the 8th, 18th and 28th


def legal_adviser(on_holiday: HolidayRule, **more) -> Availability:
    return Availability(month_days=(LEGAL_DAYS,), on_holiday=on_holiday, **more)


def test_a_legal_service_day_on_a_saturday_moves_to_the_monday():
    august = slots_between(
        legal_adviser(HolidayRule.MOVE), PACKAGE_ONLY, date(2026, 8, 1), date(2026, 8, 31)
    )
    # Saturday 8 August moves to Monday the 10th; the 18th and 28th are working days.
    assert days_of(august) == [date(2026, 8, 10), date(2026, 8, 18), date(2026, 8, 28)]
    assert (
        on(august, date(2026, 8, 10))[0] == "09:00" and on(august, date(2026, 8, 10))[-1] == "11:40"
    )


def test_a_legal_service_day_on_a_holiday_moves_to_the_next_working_day():
    # 18 February 2026 is a Wednesday of Spring Festival, off until Monday the 23rd; 8 February
    # is a Sunday; 28 February is a make-up Saturday, so it is held on the day.
    assert not chinese_calendar.is_workday(date(2026, 2, 18))
    assert chinese_calendar.is_workday(date(2026, 2, 28))
    february = slots_between(
        legal_adviser(HolidayRule.MOVE), PACKAGE_ONLY, date(2026, 2, 1), date(2026, 2, 28)
    )
    assert days_of(february) == [date(2026, 2, 9), date(2026, 2, 24), date(2026, 2, 28)]
    assert len(on(february, date(2026, 2, 24))) == 9


def test_a_legal_service_day_on_a_day_off_is_dropped_when_the_host_says_so():
    rules = legal_adviser(HolidayRule.DROP)
    february = slots_between(rules, PACKAGE_ONLY, date(2026, 2, 1), date(2026, 2, 28))
    august = slots_between(rules, PACKAGE_ONLY, date(2026, 8, 1), date(2026, 8, 31))
    assert days_of(february) == [date(2026, 2, 28)]
    assert days_of(august) == [date(2026, 8, 18), date(2026, 8, 28)]


def test_the_day_after_national_day_week_is_worked_and_keeps_its_legal_service_day():
    # The arrangement ends the week off on the 7th: Thursday 8 October 2026 is a working day.
    assert chinese_calendar.is_workday(date(2026, 10, 8))
    october = slots_between(
        legal_adviser(HolidayRule.MOVE), PACKAGE_ONLY, date(2026, 10, 1), date(2026, 10, 31)
    )
    # Sunday the 18th moves to Monday the 19th.
    assert days_of(october) == [date(2026, 10, 8), date(2026, 10, 19), date(2026, 10, 28)]


def test_hours_moved_onto_a_day_with_its_own_hours_give_each_slot_once():
    rules = legal_adviser(HolidayRule.MOVE, weekly={0: (MORNING,)})
    monday = slots_between(rules, PACKAGE_ONLY, date(2026, 8, 10), date(2026, 8, 10))
    assert local_times(monday) == [*FULL_MONDAY[:7], "11:20", "11:40"]


def test_moved_hours_that_do_not_line_up_keep_the_earlier_slot():
    rules = legal_adviser(HolidayRule.MOVE, weekly={0: (Hours(time(9, 10), time(10)),)})
    monday = slots_between(rules, PACKAGE_ONLY, date(2026, 8, 10), date(2026, 8, 10))
    assert local_times(monday)[:4] == ["09:00", "09:20", "09:40", "10:00"]
    assert all(before.end <= after.start for before, after in pairwise(monday))


def test_a_month_without_a_31st_has_no_such_day():
    rules = Availability(
        month_days=(MonthDays(frozenset({31}), (MORNING,)),), on_holiday=HolidayRule.DROP
    )
    # 31 March 2026 is a Tuesday; April has no 31st.
    spring = slots_between(rules, PACKAGE_ONLY, date(2026, 3, 1), date(2026, 4, 30))
    assert days_of(spring) == [date(2026, 3, 31)]


# Calendars the package does not know, and years administrators entered


def test_a_year_the_package_does_not_know_works_every_weekday():
    assert not package_knows(2031)
    # 1 October 2031 is a Wednesday: National Day, but nobody has said so yet.
    assert (
        local_times(slots_between(SECRETARY, PACKAGE_ONLY, date(2031, 10, 1), date(2031, 10, 1)))
        == FULL_MONDAY
    )
    march = slots_between(
        legal_adviser(HolidayRule.MOVE), PACKAGE_ONLY, date(2031, 3, 1), date(2031, 3, 31)
    )
    # Saturday 8 March moves to Monday the 10th.
    assert days_of(march) == [date(2031, 3, 10), date(2031, 3, 18), date(2031, 3, 28)]


def test_an_entered_year_overrides_the_package():
    entered = Calendar(
        entered={2026: {date(2026, 12, 8): DayKind.HOLIDAY, date(2026, 12, 12): DayKind.WORKDAY}}
    )
    rules = legal_adviser(HolidayRule.MOVE, weekly=WEEKDAYS)
    week = slots_between(rules, entered, MONDAY, date(2026, 12, 13))
    package_week = slots_between(rules, PACKAGE_ONLY, MONDAY, date(2026, 12, 13))
    assert on(package_week, TUESDAY) == [*FULL_MONDAY[:7], "11:20", "11:40", *FULL_MONDAY[7:]]
    assert on(week, TUESDAY) == []
    # The legal service day moved to Wednesday; Saturday the 12th is worked as a Monday.
    assert on(week, WEDNESDAY) == on(package_week, TUESDAY)
    assert on(week, date(2026, 12, 12)) == FULL_MONDAY
    assert on(package_week, date(2026, 12, 12)) == []


# Bookings, buffers and caps


def test_a_booked_slot_is_not_free_and_its_neighbours_are():
    free = free_slots(
        SECRETARY, PACKAGE_ONLY, [booked(TUESDAY, 10)], NOW, first=TUESDAY, last=TUESDAY
    )
    assert on(free, TUESDAY) == [time for time in FULL_MONDAY if time != "10:00"]


def test_the_buffer_keeps_slots_free_before_and_after_a_booking():
    rules = Availability(weekly=WEEKDAYS, buffer_minutes=10)
    free = free_slots(rules, PACKAGE_ONLY, [booked(TUESDAY, 10)], NOW, first=TUESDAY, last=TUESDAY)
    # 09:40 would end right before it, 10:20 start right after it: both within the buffer.
    assert on(free, TUESDAY)[:4] == ["09:00", "09:20", "10:40", "11:00"]


def test_a_booking_that_does_not_line_up_takes_every_slot_it_touches():
    free = free_slots(
        SECRETARY,
        PACKAGE_ONLY,
        [booked(TUESDAY, 9, 30, minutes=30)],
        NOW,
        first=TUESDAY,
        last=TUESDAY,
    )
    assert on(free, TUESDAY)[:3] == ["09:00", "10:00", "10:20"]


def test_a_cancelled_booking_simply_not_passed_frees_its_slot_again():
    kept, cancelled = booked(TUESDAY, 9), booked(TUESDAY, 10)
    before = free_slots(
        SECRETARY, PACKAGE_ONLY, [kept, cancelled], NOW, first=TUESDAY, last=TUESDAY
    )
    after = free_slots(SECRETARY, PACKAGE_ONLY, [kept], NOW, first=TUESDAY, last=TUESDAY)
    assert "10:00" not in on(before, TUESDAY)
    assert "10:00" in on(after, TUESDAY)
    assert "09:00" not in on(after, TUESDAY)


def test_a_day_with_as_many_bookings_as_the_cap_offers_nothing():
    rules = Availability(weekly=WEEKDAYS, daily_cap=2)
    one = free_slots(rules, PACKAGE_ONLY, [booked(TUESDAY, 9)], NOW, first=TUESDAY, last=WEDNESDAY)
    two = free_slots(
        rules,
        PACKAGE_ONLY,
        [booked(TUESDAY, 9), booked(TUESDAY, 15)],
        NOW,
        first=TUESDAY,
        last=WEDNESDAY,
    )
    assert len(on(one, TUESDAY)) == len(FULL_MONDAY) - 1
    assert on(two, TUESDAY) == []
    assert on(two, WEDNESDAY) == FULL_MONDAY


# Closures


def test_leave_closes_whole_days():
    rules = Availability(weekly=WEEKDAYS, closures=(Closure(WEDNESDAY, date(2026, 12, 10)),))
    week = slots_between(rules, PACKAGE_ONLY, TUESDAY, date(2026, 12, 11))
    assert days_of(week) == [TUESDAY, date(2026, 12, 11)]


def test_a_closed_span_removes_the_slots_it_overlaps():
    rules = Availability(
        weekly=WEEKDAYS, closures=(Closure(TUESDAY, TUESDAY, time(10), time(10, 30)),)
    )
    tuesday = slots_between(rules, PACKAGE_ONLY, TUESDAY, WEDNESDAY)
    assert on(tuesday, TUESDAY)[:4] == ["09:00", "09:20", "09:40", "10:40"]
    assert on(tuesday, WEDNESDAY) == FULL_MONDAY


# Notice and horizon


def test_notice_keeps_the_next_half_hour_from_being_booked():
    # At 08:45 with 30 minutes' notice, 09:00 is too soon and 09:20 the first free slot.
    free = free_slots(SECRETARY, PACKAGE_ONLY, [], NOW, limit=2)
    assert free == [
        Slot(at(MONDAY, 9, 20), at(MONDAY, 9, 40)),
        Slot(at(MONDAY, 9, 40), at(MONDAY, 10)),
    ]
    without_notice = Availability(weekly=WEEKDAYS, notice_minutes=0)
    assert local_times(free_slots(without_notice, PACKAGE_ONLY, [], NOW, limit=1)) == ["09:00"]


def test_the_horizon_ends_fourteen_days_after_today_inclusive():
    free = free_slots(SECRETARY, PACKAGE_ONLY, [], NOW)
    assert days_of(free)[0] == MONDAY
    assert days_of(free)[-1] == date(2026, 12, 21)
    assert len(days_of(free)) == 11  # three weeks of weekdays, the last one only its Monday
    narrower = Availability(weekly=WEEKDAYS, horizon_days=1)
    assert days_of(free_slots(narrower, PACKAGE_ONLY, [], NOW)) == [MONDAY, TUESDAY]


def test_free_slots_may_be_narrowed_to_some_days_but_not_past_the_horizon():
    free = free_slots(
        SECRETARY, PACKAGE_ONLY, [], NOW, first=date(2026, 12, 1), last=date(2027, 1, 31)
    )
    assert days_of(free)[0] == MONDAY and days_of(free)[-1] == date(2026, 12, 21)
    assert days_of(
        free_slots(SECRETARY, PACKAGE_ONLY, [], NOW, first=WEDNESDAY, last=WEDNESDAY)
    ) == [WEDNESDAY]


# Why a picked time is refused, and what to offer instead


LIMITED = Availability(
    weekly=WEEKDAYS,
    buffer_minutes=10,
    daily_cap=2,
    closures=(Closure(date(2026, 12, 10), date(2026, 12, 10)),),
)
TAKEN_TUESDAY = [booked(TUESDAY, 10)]
FULL_WEDNESDAY = [booked(WEDNESDAY, 9), booked(WEDNESDAY, 14)]


@pytest.mark.parametrize(
    ("start", "reason"),
    [
        (at(MONDAY, 8, 40), Refusal.PAST),
        (at(MONDAY, 9), Refusal.TOO_SOON),
        (at(date(2026, 12, 22), 9), Refusal.BEYOND_HORIZON),
        (at(date(2026, 12, 10), 9), Refusal.CLOSED),  # on leave
        (at(date(2026, 12, 12), 9), Refusal.CLOSED),  # a Saturday
        (at(TUESDAY, 12), Refusal.CLOSED),  # lunch
        (at(TUESDAY, 9, 10), Refusal.NOT_A_SLOT),
        (at(TUESDAY, 11, 20), Refusal.NOT_A_SLOT),  # the last piece, too short for a slot
        (at(TUESDAY, 10), Refusal.TAKEN),
        (at(TUESDAY, 10, 20), Refusal.BUFFER),
        (at(TUESDAY, 9, 40), Refusal.BUFFER),
        (at(WEDNESDAY, 10), Refusal.FULL_DAY),
        (at(WEDNESDAY, 9), Refusal.TAKEN),
        (at(TUESDAY, 10, 40), None),
        (at(MONDAY, 9, 20), None),
        (at(date(2026, 12, 21), 16, 40), None),
    ],
)
def test_why_a_picked_time_cannot_be_booked(start, reason):
    assert why_not(LIMITED, PACKAGE_ONLY, TAKEN_TUESDAY + FULL_WEDNESDAY, NOW, start) == reason


def test_a_part_day_closure_is_closed_not_a_wrong_slot():
    rules = Availability(
        weekly=WEEKDAYS, closures=(Closure(TUESDAY, TUESDAY, time(10), time(10, 30)),)
    )
    assert why_not(rules, PACKAGE_ONLY, [], NOW, at(TUESDAY, 10, 20)) == Refusal.CLOSED
    assert why_not(rules, PACKAGE_ONLY, [], NOW, at(TUESDAY, 10, 40)) is None


def test_why_not_agrees_with_the_free_slots_at_every_ten_minutes():
    bookings = TAKEN_TUESDAY + FULL_WEDNESDAY
    free = {slot.start for slot in free_slots(LIMITED, PACKAGE_ONLY, bookings, NOW)}
    moment = at(MONDAY, 0)
    checked = 0
    while moment < at(date(2026, 12, 23), 0):
        assert (why_not(LIMITED, PACKAGE_ONLY, bookings, NOW, moment) is None) == (moment in free)
        moment += timedelta(minutes=10)
        checked += 1
    assert len(free) > 100 and checked == 16 * 144


def test_the_nearest_free_slots_are_offered_for_a_refused_time():
    offered = nearest_free(LIMITED, PACKAGE_ONLY, TAKEN_TUESDAY, NOW, at(TUESDAY, 10))
    # 09:20 and 10:40 are as near as each other; the earlier comes first.
    assert offered == [
        Slot(at(TUESDAY, 9, 20), at(TUESDAY, 9, 40)),
        Slot(at(TUESDAY, 10, 40), at(TUESDAY, 11)),
        Slot(at(TUESDAY, 9), at(TUESDAY, 9, 20)),
    ]
    assert len(nearest_free(LIMITED, PACKAGE_ONLY, [], NOW, at(TUESDAY, 10), count=5)) == 5


def test_the_nearest_free_slots_for_a_closed_day_are_on_the_days_around_it():
    offered = nearest_free(LIMITED, PACKAGE_ONLY, [], NOW, at(date(2026, 12, 10), 13), count=3)
    # Friday 09:00 starts 20 hours after; Wednesday 16:40 starts 20h20 before and Friday
    # 09:20 20h20 after, a tie the earlier wins.
    assert offered == [
        Slot(at(date(2026, 12, 11), 9), at(date(2026, 12, 11), 9, 20)),
        Slot(at(WEDNESDAY, 16, 40), at(WEDNESDAY, 17)),
        Slot(at(date(2026, 12, 11), 9, 20), at(date(2026, 12, 11), 9, 40)),
    ]


# Rules that make no sense are refused


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Hours(time(11), time(9)), "end after"),
        (lambda: Hours(time(9, tzinfo=UTC), time(10)), "without a zone"),
        (lambda: Availability(slot_minutes=4), "5 minutes or more"),
        (lambda: Availability(buffer_minutes=-1), "buffer"),
        (lambda: Availability(daily_cap=0), "daily cap"),
        (lambda: Availability(horizon_days=0), "1 to 366"),
        (lambda: Availability(horizon_days=367), "1 to 366"),
        (lambda: Availability(notice_minutes=-5), "notice"),
        (lambda: Availability(weekly={7: (MORNING,)}), "0 \\(Monday\\) to 6"),
        (lambda: Availability(weekly={0: (MORNING, Hours(time(11), time(12)))}), "overlap"),
        (lambda: MonthDays(frozenset({0, 8}), (MORNING,)), "1 to 31"),
        (lambda: MonthDays(frozenset({32}), (MORNING,)), "1 to 31"),
        (lambda: MonthDays(frozenset(), (MORNING,)), "at least one day"),
        (lambda: MonthDays(frozenset({8}), ()), "need hours"),
        (lambda: Closure(WEDNESDAY, TUESDAY), "before it starts"),
        (lambda: Closure(TUESDAY, TUESDAY, time(10)), "both a start and an end"),
        (lambda: Closure(TUESDAY, TUESDAY, time(11), time(10)), "end after"),
        (lambda: Booked(at(TUESDAY, 10), at(TUESDAY, 9)), "end after"),
        (lambda: Booked(datetime(2026, 12, 8, 2), at(TUESDAY, 11)), "timezone-aware"),
        (
            lambda: free_slots(SECRETARY, PACKAGE_ONLY, [], datetime(2026, 12, 7, 1)),
            "timezone-aware",
        ),
        (lambda: free_slots(SECRETARY, PACKAGE_ONLY, [], NOW, limit=0), "limit"),
        (lambda: nearest_free(SECRETARY, PACKAGE_ONLY, [], NOW, at(TUESDAY, 9), count=0), "count"),
    ],
)
def test_rules_that_make_no_sense_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_sensible_edges_are_accepted():
    rules = Availability(
        weekly={6: (Hours(time(0), time(23, 59)),)},
        slot_minutes=5,
        buffer_minutes=0,
        daily_cap=1,
        horizon_days=366,
        notice_minutes=0,
        on_holiday="drop",
    )
    assert rules.on_holiday is HolidayRule.DROP
    assert len(slots_between(rules, PACKAGE_ONLY, date(2026, 12, 13), date(2026, 12, 13))) == 287
