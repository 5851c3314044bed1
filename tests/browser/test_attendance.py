"""Check-in at a volunteer activity on two phones, in Chinese: the coordinator shows the
activity's rotating code, the volunteer scans it from a screenshot of that page while signed
out, signs in by SMS code and is checked in; the code and the roster change in place every 30
seconds, and the new code, scanned soon after, asks whether they are leaving and checks
them out with the button. (The whole flow, to the hours banked, is test_time_bank.py.)"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.db import db, utcnow
from portal.permissions import Role
from portal.places.models import Place, PlaceKind
from tests import factories
from tests.qr import scan
from tests.volunteering.attendance_world import seat

COORDINATOR = "13600136001"
VOLUNTEER = "13600136002"


def activity_under_way(live_server) -> int:
    """An activity of a demo community that started 20 minutes ago, the volunteer seated."""
    with live_server.app.app_context():
        community = db.session.scalars(
            select(Place).where(Place.kind == PlaceKind.COMMUNITY).order_by(Place.id)
        ).first()
        factories.user(db.session, Role.COORDINATOR, community, phone=COORDINATOR, name="李协调")
        volunteer = factories.volunteer(
            db.session, community, name="张志愿",
            user=factories.user(db.session, phone=VOLUNTEER, name="张志愿"),
        )  # fmt: skip
        made = factories.activity(
            db.session, community, starts_at=utcnow() - timedelta(minutes=20),
            title="陪伴独居老人聊天",
        )  # fmt: skip
        seat(db.session, made, volunteer)
        db.session.commit()
        return made.id


@pytest.mark.parametrize("language", ["zh"])
def test_a_volunteer_checks_in_and_out_by_the_rotating_code(
    live_server, chromium, phone, check, language
):
    activity_id = activity_under_way(live_server)
    staff = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                 has_touch=True, locale="zh-CN", device_scale_factor=2)  # fmt: skip
    desk = staff.new_page()
    desk.set_default_timeout(10_000)
    desk.goto(live_server.url + "/staff/sign-in")
    desk.get_by_label("手机号码").fill(COORDINATOR)
    desk.get_by_label("密码", exact=True).fill(factories.PASSWORD)
    desk.get_by_role("button", name="登录", exact=True).click()
    desk.goto(f"{live_server.url}/volunteering/desk/activities/{activity_id}/check-in")
    expect(desk.locator("h1")).to_contain_text("签到：陪伴独居老人聊天")
    check(desk, "1-check-in-code")
    # The volunteer's phone reads the code off the coordinator's screen.
    url = scan(desk.locator("[data-check-code]"))
    assert re.fullmatch(rf"{re.escape(live_server.url)}/volunteering/check/\d+-\d+-[\w-]+", url)

    phone.goto(url)
    expect(phone).to_have_url(re.compile(r"/sign-in"))
    phone.locator("#phone").fill(VOLUNTEER)
    phone.locator("form .button--large").click()
    # The code is read once the page asking for it is there: its SMS is queued by then.
    phone.locator("#code").wait_for()
    phone.locator("#code").fill(live_server.sms_code(VOLUNTEER))
    phone.locator("form .button--large").click()
    expect(phone.locator("h1")).to_have_text("您已签到")
    check(phone, "2-checked-in")

    # The code and the roster change in place when the code's 30 seconds are up (the page
    # itself stays): the volunteer now shows as here, with a button to check them out by name.
    shown = desk.locator("[data-check-code] path").get_attribute("d")
    desk.wait_for_function(
        "shown => document.querySelector('[data-check-code] path').getAttribute('d') !== shown",
        arg=shown, timeout=35_000,
    )  # fmt: skip
    expect(desk.locator(".roster")).to_contain_text("为张志愿签退")
    expect(desk.locator(".roster")).not_to_contain_text("未到")
    again = scan(desk.locator("[data-check-code]"))
    assert again != url
    # The new code works too. Scanned again soon after checking in: asked whether they are
    # leaving, with a button to check out. (Checking out by a later scan, and the hours
    # confirmed and banked, are in test_time_bank.py.)
    phone.goto(again)
    expect(phone.locator("h1")).to_have_text("您已签到")
    phone.get_by_role("button", name="现在签退").click()
    expect(phone.locator("h1")).to_have_text("您已签退")
    check(phone, "3-checked-out")

    # Hours later the coordinator's session ends with the page still open: at the next change
    # of code the page asks them to sign in again, rather than keep showing a code that has
    # stopped working.
    staff.clear_cookies()
    expect(desk).to_have_url(re.compile(r"/staff/sign-in\?next="), timeout=35_000)
    expect(desk.locator("[data-check-code]")).to_have_count(0)
    staff.close()
