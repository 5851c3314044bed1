"""Setting times over HTTP: the desk's links, a schedule's form saved and previewed, bad input
kept with its messages in English and Chinese, days off with the bookings they clash with,
online hours, and the pages of hosts one may not set."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.db import utcnow
from portal.meetings import booking as engine
from portal.meetings.models import Closure, MeetingKind, OnlineHoursSetting, Schedule
from portal.meetings.slots import local_date
from portal.permissions import Role
from tests import factories
from tests.accounts.test_views import EN, page, sign_in_staff

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


def week(**values) -> dict:
    form = {"venue": "centre", "slot_minutes": "20", "buffer_minutes": "10", "daily_cap": "",
            "horizon_days": "14", "notice_minutes": "30", "on_holiday": "move", "is_active": "y"}  # fmt: skip
    for day in range(5):
        form |= {f"day{day}_1_from": "09:00", f"day{day}_1_to": "11:30",
                 f"day{day}_2_from": "14:00", f"day{day}_2_to": "17:00"}  # fmt: skip
    return form | values


def signed_in(app, user):
    browser = app.test_client()
    assert sign_in_staff(browser, user).status_code == 302
    return browser


@pytest.fixture
def deputy(session, tree):
    made = factories.user(session, Role.DEPUTY_SECRETARY, tree.community, name="李副书记")
    session.commit()
    return made


def test_a_host_finds_their_times_from_the_desk_and_sets_them(app, session, tree, secretary):
    session.commit()
    browser = signed_in(app, secretary)
    desk = page(browser, "/staff/meetings")
    assert "My schedule" in desk and f"/staff/meetings/hosts/{secretary.id}/days-off" in desk
    listed = page(browser, "/staff/meetings/schedules")
    new = f"/staff/meetings/schedules/new?host={secretary.id}&amp;place={tree.community.id}&amp;kind=secretary"
    assert new in listed and "No times set yet" in listed
    url = new.replace("&amp;", "&")
    form = page(browser, url)
    assert 'type="time"' in form and 'value="20"' in form
    preview = browser.post(url, data=week(preview="1"), headers=EN)
    assert preview.status_code == 200 and "The next free times" in preview.get_data(as_text=True)
    assert session.query(Schedule).count() == 0, "a preview saves nothing"
    response = browser.post(url, data=week(daily_cap="8"), headers=EN)
    assert response.status_code == 302
    made = session.query(Schedule).one()
    assert made.weekly["4"] == [["09:00", "11:30"], ["14:00", "17:00"]] and made.daily_cap == 8
    edit = page(browser, response.headers["Location"])
    assert "The next free times" in edit and 'value="14:00"' in edit


@pytest.mark.parametrize(
    ("headers", "messages"),
    [
        (EN, ["Tuesday: each time must end after it starts.", "A meeting must last 5 minutes or more.",
              "Give a time such as 09:00."]),
        (ZH, ["星期二：每段时间的结束须晚于开始。", "每次会面至少 5 分钟。", "请填写时间，例如 09:00。"]),
    ],
)  # fmt: skip
def test_bad_input_keeps_what_was_typed_and_says_why(app, session, tree, schedule, secretary,
                                                       headers, messages):  # fmt: skip
    session.commit()
    browser = signed_in(app, secretary)
    url = f"/staff/meetings/schedules/{schedule.id}"
    sent = week(day1_1_from="11:00", day1_1_to="10:00", slot_minutes="3", day2_2_from="25:99")
    response = browser.post(url, data=sent, headers=headers)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    # The time that cannot be read is said first, alone: the rest is checked once it reads.
    assert messages[2] in body
    assert 'value="25:99"' in body and 'value="3"' in body and 'value="11:00"' in body
    sent["day2_2_from"] = "14:00"
    body = browser.post(url, data=sent, headers=headers).get_data(as_text=True)
    assert messages[0] in body and messages[1] in body
    session.refresh(schedule)
    assert schedule.slot_minutes == 20, "nothing is saved"


def test_legal_days_are_typed_as_days_of_the_month(app, session, tree):
    adviser = factories.user(session, Role.LEGAL_ADVISER, tree.community, name="赵律师")
    session.commit()
    browser = signed_in(app, adviser)
    url = f"/staff/meetings/schedules/new?host={adviser.id}&place={tree.community.id}&kind=legal"
    assert 'value="8, 18, 28"' in page(browser, url)
    form = week(month_days="８，18、 40", month_1_from="09:00", month_1_to="11:30")
    body = browser.post(url, data=form, headers=EN).get_data(as_text=True)
    assert "Days of the month are 1 to 31." in body and 'value="８，18、 40"' in body
    form["month_days"] = "8，18、28"
    assert browser.post(url, data=form, headers=EN).status_code == 302
    made = session.query(Schedule).one()
    assert made.kind is MeetingKind.LEGAL and made.weekly == {}
    assert made.month_days == [{"days": [8, 18, 28], "hours": [["09:00", "11:30"]]}]


def test_a_secretary_sets_a_deputy_but_another_host_is_not_found(app, session, tree, secretary,
                                                                 deputy):  # fmt: skip
    own = Schedule(host_id=secretary.id, place_id=tree.community.id, kind=MeetingKind.SECRETARY,
                   weekly={"0": [["09:00", "11:30"]]})  # fmt: skip
    adviser = factories.user(session, Role.LEGAL_ADVISER, tree.community, name="赵律师")
    session.add(own)
    session.commit()
    browser = signed_in(app, secretary)
    url = f"/staff/meetings/schedules/new?host={deputy.id}&place={tree.community.id}&kind=secretary"
    assert browser.post(url, data=week(), headers=EN).status_code == 302
    legal = f"/staff/meetings/schedules/new?host={adviser.id}&place={tree.community.id}&kind=legal"
    assert browser.get(legal, headers=EN).status_code == 404
    assert (
        browser.get(f"/staff/meetings/hosts/{adviser.id}/days-off", headers=EN).status_code == 404
    )
    as_deputy = signed_in(app, deputy)
    assert as_deputy.get(f"/staff/meetings/schedules/{own.id}", headers=EN).status_code == 404
    assert as_deputy.get(f"/staff/meetings/communities/{tree.community.id}/online-hours",
                         headers=EN).status_code == 403  # fmt: skip


def test_an_administrator_lists_the_hosts_of_their_area(app, session, tree, secretary, deputy):
    admin = factories.user(session, Role.ADMIN, tree.district, name="区管理员")
    session.commit()
    browser = signed_in(app, admin)
    assert "Hosts and their schedules" in page(browser, "/staff/meetings")
    listed = page(browser, "/staff/meetings/schedules")
    assert secretary.display_name in listed and deputy.display_name in listed
    assert f"/staff/meetings/communities/{tree.community.id}/online-hours" in listed


def test_days_off_are_added_listed_with_their_clashes_and_removed(app, session, tree, schedule,
                                                                   secretary):  # fmt: skip
    booked = engine.book(session, engine.Booker(phone="13800138000"), schedule.id,
                         engine.free_times(session, schedule, utcnow(), limit=1)[0].start,
                         now=utcnow())  # fmt: skip
    session.commit()
    browser = signed_in(app, secretary)
    url = f"/staff/meetings/hosts/{secretary.id}/days-off"
    bad = browser.post(url, data={"first_day": "2026-02-30", "reason": "年假"}, headers=ZH)
    body = bad.get_data(as_text=True)
    assert (
        bad.status_code == 400
        and "请填写日期，例如 2026-12-08。" in body
        and 'value="年假"' in body
    )
    day = booked.day.isoformat()
    assert (
        browser.post(url, data={"first_day": day, "reason": "年假"}, headers=EN).status_code == 302
    )
    listed = page(browser, url)
    assert "Meetings are booked on these days off" in listed
    assert f"/staff/meetings/bookings/{booked.reference}" in listed and "年假" in listed
    closure = session.query(Closure).one()
    removed = browser.post(f"/staff/meetings/days-off/{closure.id}/remove", headers=EN)
    assert removed.status_code == 302 and session.query(Closure).count() == 0
    past = (local_date(utcnow()) - timedelta(days=1)).isoformat()
    body = browser.post(url, data={"first_day": past}, headers=EN).get_data(as_text=True)
    assert "Days off start today or later." in body


def test_the_secretary_sets_the_communitys_online_hours(app, session, tree, secretary):
    session.commit()
    browser = signed_in(app, secretary)
    url = f"/staff/meetings/communities/{tree.community.id}/online-hours"
    assert 'value="08:30"' in page(browser, url) and 'value="17:30"' in page(browser, url)
    form = {f"day{d}_1_from": "09:00" for d in range(5)} | {
        f"day{d}_1_to": "12:00" for d in range(5)
    }
    bad = browser.post(url, data=form | {"day3_2_from": "11:00", "day3_2_to": "13:00"}, headers=ZH)
    assert bad.status_code == 400 and "星期四：两段时间重叠了。" in bad.get_data(as_text=True)
    assert browser.post(url, data=form, headers=EN).status_code == 302
    assert session.query(OnlineHoursSetting).one().weekly["0"] == [["09:00", "12:00"]]
    assert browser.get(f"/staff/meetings/communities/{tree.grid.id}/online-hours",
                       headers=EN).status_code == 404  # fmt: skip
