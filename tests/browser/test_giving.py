"""Giving hours on a phone, in Chinese: a volunteer with stored hours reads their time bank,
declares their mother (a wrong number shown, what was typed kept), the coordinator confirms
her on the pool page having seen the household register, the volunteer gives her an hour and
a half and donates an hour, and the history says so in plain words. A shorter path in English:
a wrong amount refused on its field. axe finds nothing serious on any page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.accounts.models import User
from portal.db import db, utcnow
from portal.demo import data
from portal.places.models import Place
from portal.volunteering import timebank
from tests import factories
from tests.browser.test_meetings import last_sms
from tests.volunteering.test_giving import bank

COORDINATOR = "13800138033"  # 彭晓燕, volunteer coordinator of 440399001002
VOLUNTEERS = {"zh": "13612340031", "en": "13612340032"}
COMMUNITY = "440399001002"


def give_hours(live_server, phone: str, minutes: int) -> None:
    """A volunteer of the community with `minutes` banked, as a confirmed attendance would."""
    with live_server.app.app_context():
        user = db.session.scalars(select(User).where(User.phone == phone)).one_or_none()
        community = db.session.scalars(select(Place).where(Place.code == COMMUNITY)).one()
        if user is None:
            user = factories.user(db.session, phone=phone, name="陈志愿")
            factories.volunteer(db.session, community, user=user, name="陈志愿")
        bank(db.session, user, minutes, community, title="陪伴独居老人",
             rules=live_server.app.extensions[timebank.RULES], now=utcnow())  # fmt: skip
        db.session.commit()


def sign_in(live_server, page, number: str) -> None:
    page.goto(live_server.url + "/sign-in")
    page.locator("#phone").fill(number)
    page.locator("form .button--large").click()
    # The code is read once the page asking for it is there: its SMS is queued by then.
    page.locator("#code").wait_for()
    page.locator("#code").fill(live_server.sms_code(number))
    page.locator("form .button--large").click()


@pytest.mark.parametrize("language", ["zh"])
def test_a_volunteer_gives_hours_to_their_mother_once_the_community_confirms_her(
    live_server, chromium, phone, check, language
):
    volunteer = VOLUNTEERS[language]
    give_hours(live_server, volunteer, 300)
    sign_in(live_server, phone, volunteer)
    phone.goto(live_server.url + "/volunteering/hours")
    expect(phone.locator("main")).to_contain_text("存入：陪伴独居老人")
    check(phone, "1-hours")
    phone.get_by_role("link", name="申报亲属（配偶、父母、祖父母）").click()
    phone.get_by_label("父母", exact=True).check()
    phone.get_by_label("对方姓名").fill("陈母")
    phone.get_by_label("对方手机号").fill("12345")
    phone.get_by_role("button", name="申报").click()
    expect(phone.locator(".error-summary")).to_contain_text("11 位")
    expect(phone.get_by_label("对方姓名")).to_have_value("陈母")
    expect(phone.get_by_label("父母", exact=True)).to_be_checked()
    check(phone, "2-declare-mistake")
    phone.get_by_label("对方手机号").fill("139 0000 9876")
    phone.get_by_role("button", name="申报").click()
    expect(phone.locator("main")).to_contain_text("等待社区确认")
    check(phone, "3-declared")

    staff = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                 has_touch=True, locale="zh-CN")  # fmt: skip
    desk = staff.new_page()
    desk.set_default_timeout(10_000)
    desk.goto(live_server.url + "/staff/sign-in")
    desk.get_by_label("手机号码").fill(COORDINATOR)
    desk.get_by_label("密码", exact=True).fill(data.STAFF_PASSWORD)
    desk.get_by_role("button", name="登录", exact=True).click()
    desk.goto(f"{live_server.url}/volunteering/desk/pool?community={COMMUNITY}")
    expect(desk.locator("main")).to_contain_text("陈母")
    expect(desk.locator("main")).to_contain_text("139****9876")
    check(desk, "4-pool")
    desk.get_by_label("户口簿").first.check()
    desk.get_by_role("button", name="确认", exact=True).first.click()
    expect(desk.locator(".flash")).to_contain_text("已确认")
    staff.close()
    assert last_sms(live_server, volunteer).kind == "time_bank_relative_confirmed"

    phone.goto(live_server.url + "/volunteering/hours/give")
    phone.get_by_label("多少小时").fill("１.５")
    check(phone, "5-give")
    phone.get_by_role("button", name="赠予这些时长").click()
    expect(phone).to_have_url(re.compile(r"/volunteering/hours$"))
    expect(phone.locator("main")).to_contain_text("赠予您的父母陈母")
    assert last_sms(live_server, "13900009876").kind == "time_bank_hours_received"
    phone.goto(live_server.url + "/volunteering/hours/donate")
    phone.get_by_label("多少小时").fill("1")
    phone.get_by_role("button", name="捐出这些时长").click()
    expect(phone.locator("main")).to_contain_text("互助池")
    expect(phone.locator("dl")).to_contain_text("2.5小时")
    check(phone, "6-history")


@pytest.mark.parametrize("language", ["en"])
def test_a_wrong_amount_is_refused_on_its_field_in_english(
    live_server, chromium, phone, check, language
):
    volunteer = VOLUNTEERS[language]
    give_hours(live_server, volunteer, 60)
    sign_in(live_server, phone, volunteer)
    phone.goto(live_server.url + "/volunteering/hours/donate")
    phone.get_by_label("How many hours").fill("0.25")
    phone.get_by_role("button", name="Donate these hours").click()
    expect(phone.locator(".error-summary")).to_contain_text("Give hours in half hours")
    expect(phone.get_by_label("How many hours")).to_have_value("0.25")
    check(phone, "1-donate-mistake")
