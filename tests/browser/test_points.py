"""Grid points on a phone, in Chinese and in English: a coordinator awards a listed deed that
needs review (a wrong number shown beside its field first, what was typed kept), another
coordinator approves it onto the public notice, where neighbours read it with the name masked,
the notice's days pass (the worker's job run with a later `now`), and the resident finds the
points on their page and in an SMS. They spend them in the points shop, receive the pick-up
code by SMS, and the coordinator hands the reward over by typing the code. axe finds nothing
serious on any page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.db import db, utcnow
from portal.demo import data
from portal.demo.services import seed_demo_points_rules
from portal.places.models import Place
from portal.points import notice
from portal.points.models import PointsRule
from tests import factories
from tests.browser.test_giving import sign_in
from tests.browser.test_meetings import last_sms
from tests.points.shop_world import reward as shop_reward

COMMUNITY = "440399001002"
COORDINATOR = "13800138033"  # 彭晓燕, volunteer coordinator of 440399001002
SECRETARY = "13800138021"  # 郭志强, its secretary
RESIDENTS = {"zh": "13612340051", "en": "13612340052"}
WORDS = {
    "zh": {"deed": "区级表彰", "award": "奖励", "approve": "审核通过，进入公示",
           "phone": "居民的手机号码", "reason": "具体事迹", "mistake": "11位",
           "waits": "等待另一位协调员审核", "approved": "已审核通过", "awarded": "奖励：区级表彰",
           "password": "密码", "mobile": "手机号码", "sign_in": "登录",
           "order": "兑换（20 积分）", "code": "取货码", "find": "查找兑换单", "hand_over": "交付",
           "handed": "已交付：环保购物袋", "picked_up": "已于"},
    "en": {"deed": "District commendation", "award": "Award",
           "approve": "Approve for the public notice", "phone": "The resident's mobile number",
           "reason": "What they did", "mistake": "11 digits",
           "waits": "waits for another coordinator's review", "approved": "Approved",
           "awarded": "Awarded: District commendation", "password": "Password",
           "mobile": "Mobile number", "sign_in": "Sign in",
           "order": "Order for 20 points", "code": "Pick-up code", "find": "Find the order",
           "hand_over": "Hand over", "handed": "Handed over: A shopping bag",
           "picked_up": "Picked up: "},
}  # fmt: skip


def resident_with_name(live_server, number: str) -> int:
    """The resident's account (with a name, for the notice to mask), and the district's rules;
    the commendation's id."""
    with live_server.app.app_context():
        seed_demo_points_rules(db.session, now=utcnow())
        factories.user(db.session, phone=number, name="陈积分")
        db.session.commit()
        return db.session.scalar(select(PointsRule.id).where(PointsRule.name_zh == "区级表彰"))


def shopping_bag(live_server) -> int:
    """A reward in the community's shop for the 20 points the commendation earns; its id."""
    with live_server.app.app_context():
        community = db.session.scalar(select(Place).where(Place.code == COMMUNITY))
        made = shop_reward(db.session, community, name_zh="环保购物袋", name_en="A shopping bag",
                           price=20, stock=3, created_at=utcnow())  # fmt: skip
        db.session.commit()
        return made.id


def staff_page(chromium, live_server, number: str, language: str, words: dict):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                   has_touch=True, locale={"zh": "zh-CN", "en": "en-US"}[language])  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + "/staff/sign-in")
    page.get_by_label(words["mobile"]).fill(number)
    page.get_by_label(words["password"], exact=True).fill(data.STAFF_PASSWORD)
    page.get_by_role("button", name=words["sign_in"], exact=True).click()
    page.goto(f"{live_server.url}/points/desk?community={COMMUNITY}")
    return context, page


@pytest.mark.parametrize("language", ["zh", "en"])
def test_an_award_reviewed_and_on_notice_is_credited_when_its_days_pass(
    live_server, chromium, phone, check, language
):
    words, resident = WORDS[language], RESIDENTS[language]
    rule_id = resident_with_name(live_server, resident)

    context, desk = staff_page(chromium, live_server, COORDINATOR, language, words)
    check(desk, "1-desk")
    desk.locator("#rule").select_option(str(rule_id))
    desk.get_by_label(words["phone"]).fill("1361234")
    desk.get_by_label(words["reason"]).fill("获评区级文明家庭")
    desk.get_by_role("button", name=words["award"], exact=True).click()
    expect(desk.locator(".error-summary")).to_contain_text(words["mistake"])
    expect(desk.get_by_label(words["reason"])).to_have_value("获评区级文明家庭")
    expect(desk.locator("#rule")).to_have_value(str(rule_id))
    check(desk, "2-award-mistake")
    desk.get_by_label(words["phone"]).fill(resident)
    desk.get_by_role("button", name=words["award"], exact=True).click()
    expect(desk.locator(".flash")).to_contain_text(words["waits"])
    context.close()

    context, desk = staff_page(chromium, live_server, SECRETARY, language, words)
    expect(desk.locator("main")).to_contain_text("获评区级文明家庭")
    check(desk, "3-review")
    desk.get_by_role("button", name=words["approve"]).first.click()
    expect(desk.locator(".flash")).to_contain_text(words["approved"])
    context.close()

    phone.goto(f"{live_server.url}/points/notice/{COMMUNITY}")
    expect(phone.locator("main")).to_contain_text("陈*分")
    expect(phone.locator("main")).not_to_contain_text("陈积分")
    expect(phone.locator("main")).to_contain_text(words["deed"])
    check(phone, "4-notice")

    # Signed in before the days pass: the credit's SMS is dated then, after the sign-in code.
    sign_in(live_server, phone, resident)
    with live_server.app.app_context():
        assert notice.sweep(db.session, utcnow() + timedelta(days=6)) >= 1
        db.session.commit()
    assert last_sms(live_server, resident).kind == "points_credited"
    phone.goto(live_server.url + "/points/")
    expect(phone).to_have_url(re.compile(r"/points/$"))
    expect(phone.locator("dl")).to_contain_text("20")
    expect(phone.locator("main")).to_contain_text(words["awarded"])
    check(phone, "5-my-points")

    # The points shop: the 20 points buy a shopping bag; its pick-up code comes by SMS too.
    reward_id = shopping_bag(live_server)
    phone.goto(f"{live_server.url}/points/shop/{COMMUNITY}")
    check(phone, "6-shop")
    phone.locator(f"#reward-{reward_id}").get_by_role("button", name=words["order"]).click()
    code = phone.locator(".tracking-number").inner_text().replace(" ", "")
    assert re.fullmatch(r"\d{8}", code), code
    check(phone, "7-pick-up-code")
    ordered = last_sms(live_server, resident)
    assert ordered.kind == "points_ordered" and code in ordered.body

    context, desk = staff_page(chromium, live_server, COORDINATOR, language, words)
    desk.goto(f"{live_server.url}/points/desk/handover")
    desk.get_by_label(words["code"]).fill(code)
    desk.get_by_role("button", name=words["find"]).click()
    check(desk, "8-hand-over")
    desk.get_by_role("button", name=words["hand_over"], exact=True).click()
    expect(desk.locator(".flash")).to_contain_text(words["handed"])
    context.close()
    phone.reload()
    expect(phone.locator("main")).to_contain_text(words["picked_up"])
