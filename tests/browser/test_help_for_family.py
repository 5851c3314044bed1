"""A family member asks the time bank for help for their mother on a phone, in Chinese and in
English: the volunteering page offers it by her name, the form says for whom, a mistake is
shown with what was typed kept, switching language on the way keeps it too, and the request
is sent, listed and cancelled after a page that asks first. The older resident is texted.
axe finds nothing serious on any page."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.db import db, utcnow
from portal.places.models import Place
from portal.volunteering.activity_forms import SHANGHAI
from tests import factories
from tests.browser.test_giving import sign_in
from tests.browser.test_meetings import last_sms
from tests.volunteering.test_help_views import bank

COMMUNITY = "440399001001"  # 塘尾社区
ELDERS = {"zh": "13412340041", "en": "13412340042"}
FAMILY = {"zh": "13412340051", "en": "13412340052"}
WORDS = {
    "zh": {
        "offer": "为王秀英（您的父母）求助",
        "heading": "为王秀英求助",
        "for": "您在为王秀英（您的父母）求助",
        "kind": "需要什么帮助",
        "day": "日期",
        "time": "时间",
        "where": "地点",
        "own": "王秀英自己存的时长（现有3小时）",
        "send": "提交求助",
        "time_error": "请填写时间，例如 09:00。",
        "sent": "已为王秀英提交求助",
        "mine": "为家人求助",
        "cancel": "取消这个求助",
        "confirm": "要取消这个求助吗？",
        "yes": "确定取消",
        "cancelled": "您的求助已取消。",
    },
    "en": {
        "offer": "Ask for help for 王秀英 (your parent)",
        "heading": "Ask for help for 王秀英",
        "for": "You ask for 王秀英 (your parent)",
        "kind": "What help is needed",
        "day": "Day",
        "time": "Time",
        "where": "Where",
        "own": "王秀英's own stored hours (they hold 3 hours)",
        "send": "Send the request",
        "time_error": "Give a time such as 09:00.",
        "sent": "Your request for 王秀英 is sent.",
        "mine": "Help for my family",
        "cancel": "Cancel this request",
        "confirm": "Cancel this request?",
        "yes": "Yes, cancel it",
        "cancelled": "Your request is cancelled.",
    },
}
OTHER = {"zh": "English", "en": "中文"}


def a_mother_and_her_son(live_server, language: str) -> None:
    """王秀英, registered at 塘尾社区 with three stored hours, and her son, whom she agreed
    may ask for her."""
    with live_server.app.app_context():
        community = db.session.scalars(select(Place).where(Place.code == COMMUNITY)).one()
        mother = factories.elder(
            db.session, community, name="王秀英", born=date(1948, 5, 1),
            user=factories.user(db.session, phone=ELDERS[language], name="王秀英"),
        )  # fmt: skip
        factories.family_member(
            db.session, mother, name="李建国",
            user=factories.user(db.session, phone=FAMILY[language], name="李建国"),
        )  # fmt: skip
        bank(db.session, mother.user, 180, community)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_son_asks_for_help_for_his_mother_and_cancels_it(live_server, phone, check, language):
    words = WORDS[language]
    a_mother_and_her_son(live_server, language)
    sign_in(live_server, phone, FAMILY[language])
    phone.goto(live_server.url + "/volunteering/")
    check(phone, "1-volunteering")
    phone.get_by_role("link", name=words["offer"]).click()
    expect(phone.locator("h1")).to_have_text(words["heading"])
    expect(phone.locator("main")).to_contain_text(words["for"])
    expect(phone.get_by_label(words["own"])).to_be_checked()
    day = (utcnow() + timedelta(days=2)).astimezone(SHANGHAI).date().isoformat()
    phone.get_by_label(words["kind"]).select_option("company")
    phone.locator("#minutes").select_option("60")  # no length is chosen for the asker
    phone.get_by_label(words["day"], exact=True).fill(day)
    phone.get_by_label(words["time"], exact=True).fill("25:00")
    phone.get_by_label(words["where"], exact=True).fill("塘尾新村3栋502室")
    check(phone, "2-form")
    phone.get_by_role("button", name=words["send"]).click()
    expect(phone.locator(".error-summary")).to_contain_text(words["time_error"])
    expect(phone.get_by_label(words["where"], exact=True)).to_have_value("塘尾新村3栋502室")
    check(phone, "3-mistake")

    # Switching language and back on the way loses nothing typed.
    phone.get_by_role("button", name=OTHER[language]).click()
    expect(phone.locator("html")).not_to_have_attribute("lang", re.compile(f"^{language}"))
    expect(phone.locator("#location")).to_have_value("塘尾新村3栋502室")
    phone.locator("header button[name=language]").click()
    expect(phone.get_by_label(words["where"], exact=True)).to_have_value("塘尾新村3栋502室")
    phone.get_by_label(words["time"], exact=True).fill("14:00")
    phone.get_by_role("button", name=words["send"]).click()
    expect(phone.locator(".flash")).to_contain_text(words["sent"])
    assert last_sms(live_server, ELDERS[language]).kind == "time_bank_help_asked_for_you"
    expect(phone.locator("main")).to_contain_text(words["mine"])
    check(phone, "4-mine")

    phone.get_by_role("link", name=words["cancel"]).click()
    expect(phone.locator("h1")).to_have_text(words["confirm"])
    check(phone, "5-confirm")
    phone.get_by_role("button", name=words["yes"]).click()
    expect(phone.locator(".flash")).to_contain_text(words["cancelled"])
    assert last_sms(live_server, ELDERS[language]).kind == "time_bank_help_cancelled"
