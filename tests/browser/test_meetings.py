"""书记在线 on a phone, in Chinese: from the door, a resident asks to meet the community
secretary and signs in with the SMS code; the secretary reads the request (the resident's
SMS names her) and books a time (the resident's SMS gives it); the resident keeps the
meeting in their calendar and moves it to another time."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import expect
from sqlalchemy import select

from portal.db import db
from portal.demo import data
from portal.meetings.models import Booking
from portal.notifications.models import SmsMessage
from tests.browser.test_doors import scanned_url

SECRETARY = "13800138004"  # 陈丽华, secretary of 塘尾社区 (the demo gives her times to receive)
RESIDENT = "13512340007"


def last_sms(live_server, number: str) -> SmsMessage:
    with live_server.app.app_context():
        message = db.session.scalars(
            select(SmsMessage).where(SmsMessage.phone == number).order_by(SmsMessage.id.desc())
        ).first()
        db.session.expunge(message)
        return message


@pytest.mark.parametrize("language", ["zh"])
def test_a_resident_meets_the_secretary_from_the_door(
    live_server, chromium, phone, check, language, tmp_path
):
    url, _building = scanned_url(live_server, tmp_path)
    phone.goto(url)
    phone.get_by_role("link", name="约见社区书记").click()
    # Not signed in: the phone is proved by an SMS code first.
    expect(phone).to_have_url(re.compile(r"/sign-in"))
    phone.locator("#phone").fill(RESIDENT)
    phone.locator("form .button--large").click()
    # The code is read once the page asking for it is there: its SMS is queued by then.
    phone.locator("#code").wait_for()
    phone.locator("#code").fill(live_server.sms_code(RESIDENT))
    phone.locator("form .button--large").click()
    expect(phone).to_have_url(re.compile(r"/meet$"))
    check(phone, "1-ask")
    phone.get_by_label("您想谈什么？").fill("想谈谈楼道加装电梯的事")
    phone.get_by_label("您方便的时间（选填）").fill("工作日下午")
    phone.get_by_role("button", name="提交约见请求").click()
    expect(phone.locator("main")).to_contain_text("等待查看")
    check(phone, "2-request")

    # The secretary, on her phone too.
    staff = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                 has_touch=True, locale="zh-CN")  # fmt: skip
    desk = staff.new_page()
    desk.set_default_timeout(10_000)
    desk.goto(live_server.url + "/staff/sign-in")
    desk.get_by_label("手机号码").fill(SECRETARY)
    desk.get_by_label("密码", exact=True).fill(data.STAFF_PASSWORD)
    desk.get_by_role("button", name="登录", exact=True).click()
    desk.goto(live_server.url + "/staff/meetings")
    check(desk, "3-desk")
    desk.get_by_role("link", name=re.compile("想谈谈楼道加装电梯的事")).click()
    expect(desk.locator("main")).to_contain_text("135****0007")
    check(desk, "4-request-for-staff")
    desk.get_by_role("button", name="我已查看：通知居民").click()
    expect(desk.locator("main")).to_contain_text("已查看，正在安排约见")
    seen = last_sms(live_server, RESIDENT)
    assert seen.kind == "meeting_request_seen" and "陈丽华" in seen.body

    desk.locator("input[name=start]").first.check()
    desk.get_by_role("button", name="预约这个时间并短信通知居民").click()
    expect(desk.locator("main")).to_contain_text("已安排约见")
    booked = last_sms(live_server, RESIDENT)
    assert booked.kind == "meeting_booked"
    link = re.search(r"http://127\.0\.0\.1:\d+/m/M\w+", booked.body).group(0)
    staff.close()

    # The resident follows the SMS's link, keeps the meeting and moves it.
    phone.goto(link)
    expect(phone.locator("main")).to_contain_text("已预约")
    check(phone, "5-booking")
    with phone.expect_download() as download:
        phone.get_by_role("link", name="添加到我的日历").click()
    [event] = Calendar.from_ical(Path(download.value.path()).read_bytes()).walk("VEVENT")
    with live_server.app.app_context():
        made = db.session.scalars(select(Booking).where(Booking.phone == RESIDENT)).one()
        first_start = made.starts_at
    assert event.decoded("dtstart") == first_start
    assert len(event.walk("VALARM")) == 2

    phone.get_by_role("link", name="改约其他时间").click()
    check(phone, "6-move")
    phone.locator("input[name=start]").nth(3).check()
    phone.get_by_role("button", name="改到这个时间").click()
    expect(phone.locator("main")).to_contain_text("已预约")
    with live_server.app.app_context():
        moved = db.session.scalars(select(Booking).where(Booking.phone == RESIDENT)).one()
    assert moved.starts_at != first_start
    check(phone, "7-moved")
