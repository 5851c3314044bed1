"""The report in a phone's browser: switching language in the middle keeps the screen and
what is typed on it, Enter goes on, and a signed-in resident's Back opens every screen again
(their pages are never stored, so each screen must be a page an address opens)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_report_form import a_quiet_door

# Each language's run switches to the other one in the middle.
WORDS = {
    "zh": {"details": "说说具体情况", "contact": "我们怎么联系您？", "check": "请核对您填写的内容",
           "kinds": "您要反映哪类问题？", "switch": "English", "sign_in": "登录"},
    "en": {"details": "Tell us about it", "contact": "How can we reach you?",
           "check": "Check your answers", "kinds": "What kind of problem is it?",
           "switch": "中文", "sign_in": "Sign in"},
}  # fmt: skip
OTHER = {"zh": "en", "en": "zh"}
RESIDENTS = {"zh": "13512340011", "en": "13512340012"}


def heading(page):
    return page.locator("main h1")


def sign_in(page, live_server, number: str) -> None:
    page.goto(f"{live_server.url}/sign-in")
    page.locator("#phone").fill(number)
    page.locator("form .button--large").click()
    # The code is read once the page asking for it is there: its SMS is queued by then.
    page.locator("#code").wait_for()
    page.locator("#code").fill(live_server.sms_code(number))
    page.locator("form .button--large").click()
    expect(page).not_to_have_url(re.compile(r"/sign-in"))


def test_switching_language_mid_report_and_back_on_every_screen(
    live_server, phone, check, language
):
    words, other = WORDS[language], WORDS[OTHER[language]]
    resident = RESIDENTS[language]
    sign_in(phone, live_server, resident)
    door = a_quiet_door(live_server)
    phone.goto(door)
    phone.locator(".first-choices button").first.click()
    expect(heading(phone)).to_have_text(words["details"])
    phone.locator("#description").fill("楼道灯坏了三天，晚上看不见台阶。")
    phone.locator("#urgent").check()

    # The language link: the same screen in the other language, with what was typed.
    phone.get_by_role("button", name=words["switch"]).click()
    expect(heading(phone)).to_have_text(other["details"])
    expect(phone.locator("#description")).to_have_value("楼道灯坏了三天，晚上看不见台阶。")
    expect(phone.locator("#urgent")).to_be_checked()
    check(phone, "details-after-switching")
    phone.get_by_role("button", name=other["switch"]).click()
    expect(heading(phone)).to_have_text(words["details"])

    # Enter in a one-line field goes on, in the same language.
    phone.locator("#location").fill("2单元3楼")
    phone.locator("#location").press("Enter")
    expect(heading(phone)).to_have_text(words["contact"])
    # Their own number is offered to a signed-in resident.
    expect(phone.locator("#phone")).to_have_value(resident)
    phone.locator("form .actions .button--large").click()
    expect(heading(phone)).to_have_text(words["check"])
    expect(phone.locator("main")).to_contain_text("2单元3楼")

    # Back, screen after screen: each opens again as it was left (the screen of the
    # details is in the history once for each time it was shown).
    phone.go_back()
    expect(heading(phone)).to_have_text(words["contact"])
    phone.go_back()
    shown = 0
    while heading(phone).inner_text() == words["details"] and shown < 5:
        expect(phone.locator("#description")).to_have_value("楼道灯坏了三天，晚上看不见台阶。")
        shown += 1
        phone.go_back()
    assert shown >= 2, shown
    expect(heading(phone)).to_have_text(words["kinds"])
    phone.goto(f"{door}?step=check")
    expect(heading(phone)).to_have_text(words["check"])
    phone.locator("form .actions .button--large").click()
    expect(phone).to_have_url(re.compile(r"/received$"))
    # Back to the last screen after sending leads to the report, not to a second one.
    phone.go_back()
    expect(phone).to_have_url(re.compile(r"/received$"))
