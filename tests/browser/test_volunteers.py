"""Becoming a volunteer on a phone: a resident reads what volunteering is, signs in with an SMS
code and applies (a mistake in the ID number shown, what was typed kept); the community's
coordinator approves from the desk, where the number is masked; the resident's page then says
they are a volunteer. In Chinese, and a shorter path in English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.demo import data
from tests.browser.test_meetings import last_sms

COORDINATOR = "13800138032"  # 孔繁华, volunteer coordinator of 塘尾社区
NUMBER = "31010119620815017X"  # not a real number: its check digit is wrong
GOOD_NUMBER = "110102196208150173"
WORDS = {
    "zh": {
        "sign_in": "用手机号登录后申请", "community": "您所在的社区", "name": "您的姓名（与身份证一致）",
        "number": "身份证号码", "consent": "我同意社区为志愿服务保存我的身份证号码",
        "send": "提交申请", "wrong": "身份证号码有误", "waiting": "社区协调员会答复您",
        "approve": "通过", "approved": "您是塘尾社区的志愿者", "meals": "助餐",
    },
    "en": {
        "sign_in": "Sign in with your mobile number to apply", "community": "Your community",
        "name": "Your name, as on your ID card", "number": "ID card number (身份证号码)",
        "consent": "I agree that the community keeps my ID card number for volunteering",
        "send": "Send my application", "wrong": "This ID card number is not right",
        "waiting": "The community's coordinator will answer", "approve": "Approve",
        "approved": "You are a volunteer of Tangwei Community", "meals": "Meals",
    },
}  # fmt: skip
RESIDENTS = {"zh": "13512340021", "en": "13512340022"}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_resident_applies_and_a_coordinator_approves(live_server, chromium, phone, check,
                                                       language):  # fmt: skip
    words, resident = WORDS[language], RESIDENTS[language]
    number = GOOD_NUMBER if language == "zh" else "440106199301070624"
    phone.goto(live_server.url + "/volunteering/")
    check(phone, "1-start")
    phone.get_by_role("link", name=words["sign_in"]).click()
    phone.locator("#phone").fill(resident)
    phone.locator("form .button--large").click()
    phone.locator("#code").fill(live_server.sms_code(resident))
    phone.locator("form .button--large").click()
    expect(phone).to_have_url(re.compile(r"/volunteering/apply$"))
    phone.get_by_label(words["community"]).select_option("440399001001")
    phone.get_by_label(words["name"]).fill("周小红")
    phone.get_by_label(words["number"], exact=True).fill(NUMBER)
    phone.get_by_label(words["meals"]).check()
    phone.get_by_label(words["consent"]).check()
    check(phone, "2-apply")
    phone.get_by_role("button", name=words["send"]).click()
    expect(phone.locator(".error-summary")).to_contain_text(words["wrong"])
    expect(phone.get_by_label(words["name"])).to_have_value("周小红")
    expect(phone.get_by_label(words["meals"])).to_be_checked()
    check(phone, "3-mistake")
    phone.get_by_label(words["number"], exact=True).fill(number)
    phone.get_by_label(words["consent"]).check()
    phone.get_by_role("button", name=words["send"]).click()
    expect(phone.locator("main")).to_contain_text(words["waiting"])
    check(phone, "4-waiting")
    if language == "en":
        return

    staff = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                 has_touch=True, locale="zh-CN")  # fmt: skip
    desk = staff.new_page()
    desk.set_default_timeout(10_000)
    desk.goto(live_server.url + "/staff/sign-in")
    desk.get_by_label("手机号码").fill(COORDINATOR)
    desk.get_by_label("密码", exact=True).fill(data.STAFF_PASSWORD)
    desk.get_by_role("button", name="登录", exact=True).click()
    desk.goto(live_server.url + "/volunteering/desk")
    expect(desk.locator("main")).to_contain_text("1101**********0173")
    assert number not in desk.content()
    check(desk, "5-desk")
    desk.get_by_role("link", name=re.compile("周小红")).click()
    check(desk, "6-application")
    desk.get_by_role("button", name=words["approve"], exact=True).click()
    expect(desk.locator("main")).to_contain_text("周小红")
    staff.close()
    assert last_sms(live_server, resident).kind == "volunteer_approved"

    phone.goto(live_server.url + "/volunteering/")
    expect(phone.locator("main")).to_contain_text(words["approved"])
    check(phone, "7-volunteer")
