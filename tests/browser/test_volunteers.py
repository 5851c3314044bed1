"""Applying to volunteer on a phone, in English: a resident reads what volunteering is, signs
in with an SMS code and applies, switching language half-way; a mistake in the ID number is
shown on its field and what was typed is kept. (The Chinese path, with the coordinator's approval, is test_time_bank.py.)"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

RESIDENT = "13512340122"
NUMBER = "31010119620815017X"  # not a real number: its check digit is wrong
GOOD_NUMBER = "440106199301070624"


@pytest.mark.parametrize("language", ["en"])
def test_a_resident_applies_and_corrects_their_id_number(live_server, phone, check, language):
    phone.goto(live_server.url + "/volunteering/")
    check(phone, "1-start")
    phone.get_by_role("link", name="Sign in with your mobile number to apply").click()
    phone.locator("#phone").fill(RESIDENT)
    phone.locator("form .button--large").click()
    # The code is read once the page asking for it is there: its SMS is queued by then.
    phone.locator("#code").wait_for()
    phone.locator("#code").fill(live_server.sms_code(RESIDENT))
    phone.locator("form .button--large").click()
    expect(phone).to_have_url(re.compile(r"/volunteering/apply$"))
    phone.get_by_label("Your community").select_option("440399001001")
    phone.get_by_label("Your name, as on your ID card").fill("周小红")
    phone.get_by_label("ID card number (身份证号码)", exact=True).fill(NUMBER)
    phone.get_by_label("Meals").check()
    phone.get_by_label(
        "I agree that the community keeps my ID card number for volunteering"
    ).check()
    # Switching language half-way keeps what was typed, but the ID number (kept only sealed).
    phone.locator(".site-header").get_by_role("button", name="中文").click()
    expect(phone.locator("#real_name")).to_have_value("周小红")
    expect(phone.locator("#id_consent")).to_be_checked()
    expect(phone.locator("#id_number")).to_have_value("")
    phone.locator(".site-header").get_by_role("button", name="English").click()
    expect(phone.get_by_label("Meals")).to_be_checked()
    phone.get_by_label("ID card number (身份证号码)", exact=True).fill(NUMBER)
    check(phone, "2-apply")
    phone.get_by_role("button", name="Send my application").click()
    expect(phone.locator(".error-summary")).to_contain_text("This ID card number is not right")
    expect(phone.get_by_label("Your name, as on your ID card")).to_have_value("周小红")
    expect(phone.get_by_label("Meals")).to_be_checked()
    check(phone, "3-mistake")
    phone.get_by_label("ID card number (身份证号码)", exact=True).fill(GOOD_NUMBER)
    phone.get_by_label(
        "I agree that the community keeps my ID card number for volunteering"
    ).check()
    phone.get_by_role("button", name="Send my application").click()
    expect(phone.locator("main")).to_contain_text("The community's coordinator will answer")
    check(phone, "4-waiting")
