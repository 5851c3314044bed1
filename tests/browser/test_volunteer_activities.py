"""Volunteer activities on a phone: the community secretary publishes an activity from the
staff desk (a date and time input, kept when a value is wrong), a volunteer finds it, signs
up and sees their seat, and the secretary reads the roster with the volunteer's phone masked."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from portal.accounts.models import User
from portal.db import db, utcnow
from portal.volunteering.activity_forms import SHANGHAI
from portal.volunteering.models import Activity
from tests import factories
from tests.browser.conftest import LANGUAGES
from tests.browser.test_places import SECRETARY, TEXT, staff_sign_in

VOLUNTEER = {"zh": "13612340021", "en": "13612340022"}
WORDS = {
    "zh": {"seated": "您已报名成功。", "sign_up": "报名", "too_many": "志愿者人数请填 1 到 500。",
           "seats_taken": "已报 1 人", "published": "活动已发布"},
    "en": {"seated": "You have a seat.", "sign_up": "Sign up",
           "too_many": "Give between 1 and 500 volunteers.", "seats_taken": "1 of 6 seats taken",
           "published": "The activity is published"},
}  # fmt: skip


def a_volunteer(live_server, number: str) -> None:
    with live_server.app.app_context():
        user = db.session.scalar(select(User).where(User.phone == number))
        if user is None:
            community = db.session.get(User, _secretary_id(live_server)).grants[0].place
            user = factories.user(db.session, phone=number, name="周志愿")
            factories.volunteer(db.session, community, user=user, name="周志愿")
            db.session.commit()


def _secretary_id(live_server) -> int:
    return db.session.scalar(select(User.id).where(User.phone == SECRETARY))


def test_a_secretary_publishes_and_a_volunteer_signs_up_on_their_phones(
    live_server, chromium, phone, check, language
):
    words = WORDS[language]
    title = f"周末陪伴独居老人 {language}"
    staff = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                 has_touch=True, locale=LANGUAGES[language])  # fmt: skip
    desk = staff.new_page()
    desk.set_default_timeout(10_000)
    staff_sign_in(desk, live_server, SECRETARY, TEXT[language])
    desk.goto(live_server.url + "/volunteering/desk/activities/new")
    day = (utcnow() + timedelta(days=2)).astimezone(SHANGHAI).date().isoformat()
    desk.locator("#title").fill(title)
    desk.locator("#service_kind").select_option("company")
    desk.locator("#day").fill(day)
    desk.locator("#starts_at").fill("09:30")
    desk.locator("#ends_at").fill("11:30")
    desk.locator("#location").fill("塘尾社区党群服务中心二楼")
    desk.locator("#seats").fill("600")
    check(desk, "1-publish")
    desk.locator("form .button--large").click()
    # Too many: said on the field, and everything typed stays.
    expect(desk.locator("main")).to_contain_text(words["too_many"])
    expect(desk.locator("#title")).to_have_value(title)
    expect(desk.locator("#day")).to_have_value(day)
    check(desk, "2-publish-refused")
    desk.locator("#seats").fill("6")
    desk.locator("form .button--large").click()
    expect(desk.locator("main")).to_contain_text(words["published"])
    with live_server.app.app_context():
        activity_id = db.session.scalar(select(Activity.id).where(Activity.title == title))

    number = VOLUNTEER[language]
    a_volunteer(live_server, number)
    phone.goto(live_server.url + f"/sign-in?next=/volunteering/activities/{activity_id}")
    phone.locator("#phone").fill(number)
    phone.locator("form .button--large").click()
    phone.locator("#code").fill(live_server.sms_code(number))
    phone.locator("form .button--large").click()
    expect(phone).to_have_url(re.compile(rf"/volunteering/activities/{activity_id}$"))
    expect(phone.locator("main")).to_contain_text("09:30–11:30")
    check(phone, "3-activity")
    phone.get_by_role("button", name=words["sign_up"], exact=True).click()
    expect(phone.locator("main")).to_contain_text(words["seated"])
    check(phone, "4-seated")
    phone.goto(live_server.url + "/volunteering/activities")
    expect(phone.locator("main")).to_contain_text(title)
    check(phone, "5-list")
    phone.goto(live_server.url + "/volunteering/activities/mine")
    expect(phone.locator("main")).to_contain_text(title)
    check(phone, "6-mine")

    desk.goto(live_server.url + f"/volunteering/desk/activities/{activity_id}")
    expect(desk.locator("main")).to_contain_text(words["seats_taken"])
    expect(desk.locator("main")).to_contain_text(number[:3] + "****" + number[-4:])
    check(desk, "7-roster")
    staff.close()
