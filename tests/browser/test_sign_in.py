"""A resident signs in by SMS code on a phone, in Chinese and in English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

TEXT = {
    "zh": {
        "sign_in": "登录",
        "send": "获取短信验证码",
        "code": "短信验证码",
        "go": "登录",
        "done": "您已登录",
        "error": "出现问题",
    },
    "en": {
        "sign_in": "Sign in",
        "send": "Send me a code",
        "code": "Code from the SMS",
        "go": "Sign in",
        "done": "You are signed in",
        "error": "There is a problem",
    },
}
PHONES = {"zh": "13900139001", "en": "13900139002"}


def test_a_resident_signs_in_with_an_sms_code(live_server, phone, check, language):
    words = TEXT[language]
    phone.goto(live_server.url + "/")
    expect(phone.locator("html")).to_have_attribute("lang", {"zh": "zh-CN", "en": "en"}[language])
    check(phone, "1-home")

    phone.get_by_role("link", name=words["sign_in"], exact=True).click()
    # The link comes back to the page it was on.
    expect(phone).to_have_url(re.compile(r"/sign-in\?next=/$"))
    check(phone, "2-phone-number")

    # A mistyped number is explained, and what was typed stays in the field.
    field = phone.locator("#phone")
    field.fill("138 0013")
    phone.get_by_role("button", name=words["send"]).click()
    expect(phone.locator("#error-summary")).to_contain_text(words["error"])
    expect(field).to_have_value("138 0013")
    check(phone, "3-phone-number-error")

    field.fill(PHONES[language])
    phone.get_by_role("button", name=words["send"]).click()
    expect(phone).to_have_url(re.compile(r"/sign-in/code$"))
    masked = PHONES[language][:3] + "****" + PHONES[language][-4:]
    expect(phone.locator("main")).to_contain_text(masked)
    check(phone, "4-code")

    phone.get_by_label(words["code"]).fill(live_server.sms_code(PHONES[language]))
    phone.get_by_role("button", name=words["go"], exact=True).click()
    expect(phone.locator(".flash")).to_contain_text(words["done"])
    expect(phone.locator("header")).to_contain_text(masked)
    check(phone, "5-signed-in")


def assert_easy_to_read_and_tap(page) -> None:
    """Text of 18 px and more, line height of 1.3 and more, tap targets of 44 x 44 px and more."""
    body_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    line_height = page.evaluate("parseFloat(getComputedStyle(document.body).lineHeight)")
    assert body_size >= 18 and line_height / body_size >= 1.3
    small_text = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(el => el.offsetParent !== null
                && [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
            .map(el => [el.tagName + ' ' + el.textContent.trim().slice(0, 30),
                        parseFloat(getComputedStyle(el).fontSize)])
            .filter(([, size]) => size < 18)"""
    )
    assert small_text == []
    small_targets = page.evaluate(
        """() => [...document.querySelectorAll('a, button, input:not([type=hidden]), select')]
            .filter(el => el.offsetParent !== null && !el.closest('.skip-link'))
            .map(el => [el.outerHTML.slice(0, 70), el.getBoundingClientRect()])
            .filter(([, box]) => box.height < 44 || box.width < 44)
            .map(([html, box]) => [html, Math.round(box.width), Math.round(box.height)])"""
    )
    assert small_targets == []
    # Nothing wider than the phone: no sideways scrolling of the page itself.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("path", ["/", "/sign-in", "/staff/sign-in", "/no-such-page"])
def test_public_pages_are_easy_to_read_and_tap(live_server, phone, path):
    phone.goto(live_server.url + path)
    assert_easy_to_read_and_tap(phone)
