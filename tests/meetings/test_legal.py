"""Legal service days (遇8有约) as services: a community's next days (holidays moved or
dropped by the schedule's rule), booking with what it is about, the day's queue numbers, and
the adviser's walk-ins; and who may not add them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event

from portal.errors import Forbidden, Invalid, NotFound
from portal.meetings import agenda, legal
from portal.meetings import booking as engine
from portal.meetings.models import MeetingKind
from portal.meetings.slots import HolidayRule
from portal.permissions import Role
from tests import factories
from tests.meetings.conftest import MONDAY_8AM, schedule_for, shanghai

LEGAL_DAYS = [{"days": [8, 18, 28], "hours": [["09:00", "11:30"]]}]


def legal_schedule_for(session, adviser, place, **fields):
    values = {
        "kind": MeetingKind.LEGAL,
        "weekly": {},
        "month_days": LEGAL_DAYS,
        "buffer_minutes": 0,
        "daily_cap": None,
        "horizon_days": 31,
    } | fields
    return schedule_for(session, adviser, place, **values)


@pytest.fixture
def adviser(session, tree):
    return factories.user(session, Role.LEGAL_ADVISER, tree.community, name="赵律师")


@pytest.fixture
def legal_schedule(session, tree, adviser):
    tree.community.service_centre_zh = "甲社区党群服务中心二楼"
    tree.community.service_centre_en = "Community centre, 2nd floor"
    return legal_schedule_for(session, adviser, tree.community)


def resident(phone: str = "13800138000") -> engine.Booker:
    return engine.Booker(phone=phone)


def test_the_next_three_service_days_with_the_adviser_the_centre_and_free_times(
    session, tree, legal_schedule
):
    engine.book(session, resident(), legal_schedule.id, shanghai(8, 9), now=MONDAY_8AM)
    days = legal.legal_days(session, tree.community, MONDAY_8AM)
    assert [d.day for d in days] == [date(2026, 12, 8), date(2026, 12, 18), date(2026, 12, 28)]
    first = days[0]
    assert (first.adviser, first.centre_zh) == ("赵律师", "甲社区党群服务中心二楼")
    # 09:00–11:30 in 20 minutes: seven times, one of them booked.
    assert [s.start for s in first.free] == [
        shanghai(8, 9, 20), shanghai(8, 9, 40), shanghai(8, 10), shanghai(8, 10, 20),
        shanghai(8, 10, 40), shanghai(8, 11),
    ]  # fmt: skip
    assert len(days[1].free) == 7
    assert legal.legal_days(session, tree.other_community, MONDAY_8AM) == []


def test_two_advisers_days_are_merged_soonest_first(session, tree, legal_schedule):
    other = factories.user(session, Role.LEGAL_ADVISER, tree.community, name="钱律师")
    legal_schedule_for(
        session, other, tree.community, month_days=[{"days": [10], "hours": [["14:00", "15:00"]]}]
    )
    session.flush()
    statements = []
    connection = session.connection()
    count = lambda *_args: statements.append(1)  # noqa: E731
    event.listen(connection, "before_cursor_execute", count)
    try:
        days = legal.legal_days(session, tree.community, MONDAY_8AM)
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert [(d.day.day, d.adviser) for d in days] == [(8, "赵律师"), (10, "钱律师"), (18, "赵律师")]
    assert len(statements) <= 7, "a handful of queries, not some for each adviser and day"


# 5 February 2026, 08:00 in Shanghai: the Spring Festival holiday runs 15–23 February, and
# Saturday 28 February is a make-up working day; 8 February is a Sunday.
BEFORE_SPRING_FESTIVAL = datetime(2026, 2, 5, 0, 0, tzinfo=UTC)


def test_a_service_day_on_a_holiday_moves_to_the_next_working_day(session, tree, legal_schedule):
    days = legal.legal_days(session, tree.community, BEFORE_SPRING_FESTIVAL)
    assert [d.day for d in days] == [date(2026, 2, 9), date(2026, 2, 24), date(2026, 2, 28)]
    assert days[1].free[0].start == datetime(2026, 2, 24, 1, 0, tzinfo=UTC)  # 09:00 kept


def test_a_service_day_on_a_holiday_is_dropped_when_the_schedule_says_so(
    session, tree, legal_schedule
):
    legal_schedule.on_holiday = HolidayRule.DROP
    session.flush()
    days = legal.legal_days(session, tree.community, BEFORE_SPRING_FESTIVAL)
    # 8 and 18 February are days off and 8 March a Sunday: only the make-up Saturday is left.
    assert [d.day for d in days] == [date(2026, 2, 28)]


def test_only_a_community_has_legal_service_days(session, tree):
    assert legal.community_by_code(session, tree.community.code) == tree.community
    for place in (tree.grid, tree.street, tree.district):
        with pytest.raises(NotFound):
            legal.community_by_code(session, place.code)
    with pytest.raises(NotFound):
        legal.community_by_code(session, "no-such-code")


def test_a_booking_keeps_what_it_is_about_within_300_characters(session, legal_schedule):
    made = legal.book(
        session, resident(), legal_schedule.id, shanghai(8, 10), about=" 劳动合同纠纷 ",
        now=MONDAY_8AM,
    )  # fmt: skip
    assert (made.kind, made.about, made.walk_in) == (MeetingKind.LEGAL, "劳动合同纠纷", False)
    with pytest.raises(Invalid, match="300"):
        legal.book(session, resident("13900139000"), legal_schedule.id, shanghai(8, 10, 20),
                   about="字" * 301, now=MONDAY_8AM)  # fmt: skip


def test_a_taken_or_past_time_is_refused_with_the_nearest_free_times(session, legal_schedule):
    legal.book(
        session, resident(), legal_schedule.id, shanghai(8, 10), about="遗产", now=MONDAY_8AM
    )
    with pytest.raises(engine.Unavailable) as taken:
        legal.book(session, resident("13900139000"), legal_schedule.id, shanghai(8, 10),
                   about="房屋租赁", now=MONDAY_8AM)  # fmt: skip
    assert [s.start for s in taken.value.offers] == [
        shanghai(8, 9, 20),
        shanghai(8, 9, 40),
        shanghai(8, 10, 20),
    ]
    with pytest.raises(engine.Unavailable) as past:
        legal.book(session, resident("13900139000"), legal_schedule.id, shanghai(8, 9),
                   about="房屋租赁", now=shanghai(8, 10, 30))  # fmt: skip
    assert past.value.refusal.value == "past" and past.value.offers


def test_a_secretarys_schedule_is_not_a_legal_one(session, tree, schedule):
    with pytest.raises(NotFound):
        legal.book(session, resident(), schedule.id, shanghai(7, 10), about="咨询",
                   now=MONDAY_8AM)  # fmt: skip


def test_queue_numbers_count_the_days_live_bookings_walk_ins_included(
    session, tree, adviser, legal_schedule
):
    now = shanghai(8, 9, 5)
    late = legal.book(session, resident(), legal_schedule.id, shanghai(8, 10), about="债务",
                      now=MONDAY_8AM)  # fmt: skip
    early = legal.book(session, resident("13900139000"), legal_schedule.id, shanghai(8, 9, 40),
                       about="离婚", now=MONDAY_8AM)  # fmt: skip
    walk_in = legal.add_walk_in(session, adviser, legal_schedule.id, phone="137 0013 7000",
                                name="李大爷", now=now)  # fmt: skip
    assert walk_in.starts_at == shanghai(8, 9) and walk_in.walk_in
    # Another adviser's day does not count.
    other = factories.user(session, Role.LEGAL_ADVISER, tree.community)
    theirs = legal_schedule_for(session, other, tree.community)
    legal.book(session, resident("13600136000"), theirs.id, shanghai(8, 9, 20), about="合同",
               now=MONDAY_8AM)  # fmt: skip
    assert legal.queue_number(session, walk_in) == (1, 3)
    assert legal.queue_number(session, early) == (2, 3)
    assert legal.queue_number(session, late) == (3, 3)
    engine.cancel(session, early, booker=resident("13900139000"), now=MONDAY_8AM)
    assert legal.queue_number(session, early) is None
    assert legal.queue_number(session, late) == (2, 2)
    today = agenda.hosts_day(session, adviser, date(2026, 12, 8))
    assert legal.queue_numbers(session, today) == {walk_in.id: 1, late.id: 2}


def test_a_walk_in_takes_the_next_free_time_or_one_the_adviser_picks(
    session, adviser, legal_schedule
):
    now = shanghai(8, 9, 25)  # the 09:20 meeting is under way
    legal.book(session, resident(), legal_schedule.id, shanghai(8, 9, 20), about="债务",
               now=MONDAY_8AM)  # fmt: skip
    times = legal.walk_in_times(session, adviser, legal_schedule, now)
    assert [s.start for s in times][:2] == [shanghai(8, 9, 40), shanghai(8, 10)]
    first = legal.add_walk_in(session, adviser, legal_schedule.id, phone="13700137000", now=now)
    assert first.starts_at == shanghai(8, 9, 40)
    picked = legal.add_walk_in(session, adviser, legal_schedule.id, phone="13700137001",
                               start=shanghai(8, 11), now=now)  # fmt: skip
    assert picked.starts_at == shanghai(8, 11)
    with pytest.raises(Invalid):  # taken meanwhile
        legal.add_walk_in(session, adviser, legal_schedule.id, phone="13700137002",
                          start=shanghai(8, 11), now=now)  # fmt: skip
    with pytest.raises(Invalid):  # not a time of the session
        legal.add_walk_in(session, adviser, legal_schedule.id, phone="13700137002",
                          start=shanghai(8, 11, 10), now=now)  # fmt: skip
    with pytest.raises(Invalid) as wrong_phone:
        legal.add_walk_in(session, adviser, legal_schedule.id, phone="12345", now=now)
    assert wrong_phone.value.details["field"] == "phone"
    # No session today, and none left once it is over.
    with pytest.raises(Invalid):
        legal.add_walk_in(session, adviser, legal_schedule.id, phone="13700137002",
                          now=shanghai(9, 9, 30))  # fmt: skip
    with pytest.raises(Invalid):
        legal.add_walk_in(session, adviser, legal_schedule.id, phone="13700137002",
                          now=shanghai(8, 11, 30))  # fmt: skip


def test_only_the_schedules_own_adviser_adds_walk_ins(session, tree, adviser, legal_schedule):
    now = shanghai(8, 9, 5)
    secretary = factories.user(session, Role.SECRETARY, tree.community)
    elsewhere = factories.user(session, Role.LEGAL_ADVISER, tree.other_community)
    for actor in (secretary, elsewhere):
        with pytest.raises(Forbidden):
            legal.add_walk_in(session, actor, legal_schedule.id, phone="13700137000", now=now)
        assert legal.advisers_schedules(session, actor) == []
    # An adviser now serving another community keeps no walk-ins at the old one.
    moved = factories.user(session, Role.LEGAL_ADVISER, tree.other_community)
    stale = legal_schedule_for(session, moved, tree.community)
    with pytest.raises(Forbidden):
        legal.add_walk_in(session, moved, stale.id, phone="13700137000", now=now)
    assert legal.advisers_schedules(session, moved) == []
    assert legal.advisers_schedules(session, adviser) == [legal_schedule]
