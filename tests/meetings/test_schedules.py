"""Who may set which host's times, the rules' mistakes as messages in the reader's language,
days off and the bookings they clash with, and a community's online hours."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from flask_babel import force_locale

from portal.audit.models import AuditEvent
from portal.errors import Invalid, NotFound
from portal.meetings import booking as engine
from portal.meetings import schedules
from portal.meetings import secretary as answering
from portal.meetings.models import MeetingKind, Schedule
from portal.meetings.schedules import Plan
from portal.meetings.slots import local_date
from portal.permissions import Role
from tests import factories
from tests.meetings.conftest import MONDAY_8AM, shanghai

MORNING = ((time(9), time(11, 30)),)
WEEKLY = Plan(weekly=dict.fromkeys(range(5), MORNING), buffer_minutes=10)
LEGAL = Plan.default(MeetingKind.LEGAL)


@pytest.fixture
def deputy(session, tree):
    return factories.user(session, Role.DEPUTY_SECRETARY, tree.community, name="李副书记")


@pytest.fixture
def adviser(session, tree):
    return factories.user(session, Role.LEGAL_ADVISER, tree.community, name="赵律师")


@pytest.fixture
def admin(session, tree):
    return factories.user(session, Role.ADMIN, tree.district, name="区管理员")


def create(session, actor, host, place, kind=MeetingKind.SECRETARY, plan=WEEKLY):
    return schedules.create_schedule(session, actor, host.id, place.id, kind, plan, now=MONDAY_8AM)


def test_a_host_sets_their_own_times_and_it_is_audited(session, tree, deputy):
    made = create(session, deputy, deputy, tree.community)
    assert made.weekly["0"] == [["09:00", "11:30"]] and made.buffer_minutes == 10
    changed = schedules.update_schedule(
        session, deputy, made, Plan(weekly={2: MORNING}, slot_minutes=30), now=MONDAY_8AM
    )
    assert changed.weekly == {"2": [["09:00", "11:30"]]} and changed.slot_minutes == 30
    actions = [e.action for e in session.query(AuditEvent).order_by(AuditEvent.id)]
    assert actions[-2:] == ["meetings.schedule_created", "meetings.schedule_changed"]


def test_the_secretary_sets_a_deputys_times_but_not_the_legal_advisers(
    session, tree, secretary, deputy, adviser
):
    made = create(session, secretary, deputy, tree.community)
    assert schedules.get_schedule(session, secretary, made.id) is made
    with pytest.raises(NotFound):
        create(session, secretary, adviser, tree.community, MeetingKind.LEGAL, LEGAL)
    legal = create(session, adviser, adviser, tree.community, MeetingKind.LEGAL, LEGAL)
    with pytest.raises(NotFound):
        schedules.get_schedule(session, secretary, legal.id)
    with pytest.raises(NotFound):
        schedules.update_schedule(session, secretary, legal, LEGAL, now=MONDAY_8AM)


def test_a_deputy_may_not_set_another_hosts_times(session, tree, secretary, deputy):
    own = create(session, secretary, secretary, tree.community)
    with pytest.raises(NotFound):
        schedules.get_schedule(session, deputy, own.id)


def test_an_administrator_sets_any_host_of_their_area_and_no_other(
    session, tree, secretary, adviser, admin
):
    create(session, admin, secretary, tree.community)
    create(session, admin, adviser, tree.community, MeetingKind.LEGAL, LEGAL)
    elsewhere = factories.place(session, None, "另一区")
    street = factories.place(session, elsewhere, "另一街道")
    community = factories.place(session, street, "丙社区")
    host = factories.user(session, Role.SECRETARY, community, name="丙书记")
    with pytest.raises(NotFound):
        create(session, admin, host, community)
    other_admin = factories.user(session, Role.ADMIN, elsewhere, name="另区管理员")
    made = create(session, other_admin, host, community)
    with pytest.raises(NotFound):
        schedules.get_schedule(session, admin, made.id)
    listed = {(row.host.id, row.kind) for row in schedules.schedules_to_set(session, admin)}
    assert (secretary.id, MeetingKind.SECRETARY) in listed
    assert (adviser.id, MeetingKind.LEGAL) in listed and host.id not in {h for h, _k in listed}


def test_a_schedule_is_of_a_kind_its_host_holds(session, tree, secretary, adviser, admin):
    with pytest.raises(NotFound):  # a legal adviser does not host 书记在线
        create(session, admin, adviser, tree.community)
    with pytest.raises(NotFound):  # nor a secretary legal service days
        create(session, admin, secretary, tree.community, MeetingKind.LEGAL, LEGAL)
    with pytest.raises(NotFound):  # and schedules are a community's
        create(session, admin, secretary, tree.street)


def test_a_second_schedule_of_the_same_kind_is_refused(session, tree, secretary):
    create(session, secretary, secretary, tree.community)
    with pytest.raises(Invalid):
        create(session, secretary, secretary, tree.community)
    assert session.query(Schedule).count() == 1


@pytest.mark.parametrize(
    ("plan", "where", "english", "chinese"),
    [
        (Plan(weekly={0: ((time(11), time(9)),)}), "day0",
         "Monday: each time must end after it starts.", "星期一：每段时间的结束须晚于开始。"),
        (Plan(weekly={4: ((time(9), time(12)), (time(11), time(14)))}), "day4",
         "Friday: the two times overlap.", "星期五：两段时间重叠了。"),
        (Plan(month_days=frozenset(), month_hours=MORNING), "month_days",
         "Give at least one day of the month.", "请至少填写每月的一天。"),
        (Plan(month_days=frozenset({8, 32}), month_hours=MORNING), "month_days",
         "Days of the month are 1 to 31.", "每月的日子为 1 至 31 日。"),
        (Plan(month_days=frozenset({8})), "month_hours",
         "Give the hours of those days.", "请填写这些日子的接待时间。"),
        (Plan(weekly={0: MORNING}, slot_minutes=4), "slot_minutes",
         "A meeting must last 5 minutes or more.", "每次会面至少 5 分钟。"),
        (Plan(weekly={0: MORNING}, buffer_minutes=-1), "buffer_minutes",
         "The time between meetings must be 0 minutes or more.", "两次会面之间的间隔不能少于 0 分钟。"),
        (Plan(weekly={0: MORNING}, daily_cap=0), "daily_cap",
         "The most meetings a day must be 1 or more, or left empty for no limit.",
         "每天最多会面次数至少为 1，不限请留空。"),
        (Plan(weekly={0: MORNING}, horizon_days=400), "horizon_days",
         "Residents may book from 1 to 366 days ahead.", "居民可提前 1 至 366 天预约。"),
        (Plan(weekly={0: MORNING}, notice_minutes=-5), "notice_minutes",
         "The shortest notice must be 0 minutes or more.", "最短提前时间不能少于 0 分钟。"),
        (Plan(), "", "Give at least one time when you receive residents.",
         "请至少填写一段接待居民的时间。"),
    ],
)  # fmt: skip
def test_each_rule_broken_is_said_in_the_readers_language(app, plan, where, english, chinese):
    with app.test_request_context(), force_locale("en"):
        assert [(w, str(m)) for w, m in schedules.check(plan)] == [(where, english)]
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        assert [(w, str(m)) for w, m in schedules.check(plan)] == [(where, chinese)]


def test_every_mistake_is_found_at_once(app):
    plan = Plan(weekly={0: ((time(11), time(9)),)}, slot_minutes=1, horizon_days=0)
    with app.test_request_context():
        assert [w for w, _m in schedules.check(plan)] == ["day0", "slot_minutes", "horizon_days"]


def test_the_preview_gives_the_next_free_times_with_days_off(session, tree, secretary, schedule):
    free = schedules.preview(session, secretary.id, tree.community.id, MeetingKind.SECRETARY,
                             WEEKLY, MONDAY_8AM)  # fmt: skip
    assert [slot.start for slot in free] == [
        shanghai(7, 9),
        shanghai(7, 9, 20),
        shanghai(7, 9, 40),
        shanghai(7, 10),
        shanghai(7, 10, 20),
    ]
    schedules.add_day_off(session, secretary, secretary, first=date(2026, 12, 7),
                          reason="年假", now=MONDAY_8AM)  # fmt: skip
    free = schedules.preview(session, secretary.id, tree.community.id, MeetingKind.SECRETARY,
                             WEEKLY, MONDAY_8AM)  # fmt: skip
    assert local_date(free[0].start) == date(2026, 12, 8)


def test_days_off_close_times_and_list_the_bookings_on_them(session, tree, secretary, schedule):
    booked = engine.book(session, engine.Booker(phone="13800138000"), schedule.id,
                         shanghai(8, 14), now=MONDAY_8AM)  # fmt: skip
    closure = schedules.add_day_off(
        session, secretary, secretary, first=date(2026, 12, 8), start=time(13), end=time(17),
        reason="街道开会", now=MONDAY_8AM,
    )  # fmt: skip
    closures = schedules.days_off(session, secretary, date(2026, 12, 7))
    assert closures == [closure]
    assert schedules.clashes(session, secretary, closures) == [booked]
    free = engine.free_times(session, schedule, MONDAY_8AM, first=date(2026, 12, 8),
                             last=date(2026, 12, 8))  # fmt: skip
    assert free and all(slot.start < shanghai(8, 13) for slot in free)
    schedules.remove_day_off(session, secretary, closure.id, now=MONDAY_8AM)
    assert schedules.days_off(session, secretary, date(2026, 12, 7)) == []
    actions = [e.action for e in session.query(AuditEvent).order_by(AuditEvent.id)]
    assert actions[-2:] == ["meetings.day_off_added", "meetings.day_off_removed"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"first": date(2026, 12, 6)}, "first_day"),
        ({"first": date(2026, 12, 9), "last": date(2026, 12, 8)}, "last_day"),
        ({"first": date(2026, 12, 9), "start": time(9)}, "start_time"),
        ({"first": date(2026, 12, 9), "start": time(11), "end": time(9)}, "end_time"),
        ({"first": date(2026, 12, 9), "last": date(2028, 1, 1)}, "last_day"),
        ({"first": date(2026, 12, 9), "reason": "长" * 201}, "reason"),
    ],
)
def test_a_day_off_that_cannot_be_is_refused_on_its_field(session, secretary, values, field):
    with pytest.raises(Invalid) as refused:
        schedules.add_day_off(session, secretary, secretary, now=MONDAY_8AM, **values)
    assert refused.value.details["field"] == field


def test_only_the_host_and_those_over_them_set_days_off(session, tree, secretary, deputy, adviser):
    assert schedules.get_host(session, secretary, deputy.id) is deputy
    for actor, host in ((secretary, adviser), (deputy, secretary), (adviser, deputy)):
        with pytest.raises(NotFound):
            schedules.get_host(session, actor, host.id)
    closure = schedules.add_day_off(session, adviser, adviser, first=date(2026, 12, 8),
                                    now=MONDAY_8AM)  # fmt: skip
    with pytest.raises(NotFound):
        schedules.remove_day_off(session, secretary, closure.id, now=MONDAY_8AM)


def test_online_hours_set_by_the_secretary_move_the_promise(
    session, tree, secretary, deputy, admin
):
    assert schedules.online_hours_of(session, secretary, tree.community)[0] == (
        (time(8, 30), time(17, 30)),
    )
    weekly = {day: ((time(9), time(12)), (time(14), time(18))) for day in range(5)}
    schedules.set_online_hours(session, secretary, tree.community, weekly, now=MONDAY_8AM)
    # Asked at 12:30 on Monday: the clocks start when the community is back at 14:00.
    started = secretary_clocks(session, tree.community.id, shanghai(7, 12, 30))
    assert started == shanghai(7, 14)
    schedules.set_online_hours(session, admin, tree.community, {0: MORNING}, now=MONDAY_8AM)
    with pytest.raises(Exception) as refused:
        schedules.set_online_hours(session, deputy, tree.community, weekly, now=MONDAY_8AM)
    assert refused.value.status == 403
    with pytest.raises(Invalid):
        schedules.set_online_hours(session, secretary, tree.community, {0: ()}, now=MONDAY_8AM)


def secretary_clocks(session, community_id, moment):
    return answering.clocks_for(session, community_id, moment).start


def test_a_new_legal_schedule_starts_on_the_8th_18th_and_28th():
    assert LEGAL.month_days == {8, 18, 28} and LEGAL.month_hours == MORNING
    assert Plan.default(MeetingKind.SECRETARY).slot_minutes == 20
    assert Plan.default(MeetingKind.SECRETARY).horizon_days == 14
    assert timedelta(minutes=Plan().notice_minutes) == timedelta(minutes=30)
