"""Publishing a volunteer activity on a phone, in English: the community secretary (who may
coordinate as well as the coordinators) gives a date and time input and too many volunteers;
the refusal is said on its field and everything typed stays; corrected, the activity is
published and its roster opens. (The Chinese path, with a volunteer signing up, checking in and
having their hours confirmed, is test_time_bank.py.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.db import utcnow
from portal.volunteering.activity_forms import SHANGHAI
from tests.browser.conftest import LANGUAGES
from tests.browser.test_places import SECRETARY, TEXT, staff_sign_in


@pytest.mark.parametrize("language", ["en"])
def test_a_secretary_corrects_and_publishes_an_activity(live_server, chromium, check, language):
    title = "Weekend company for older neighbours living alone"
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
    expect(desk.locator("main")).to_contain_text("Give between 1 and 500 volunteers.")
    expect(desk.locator("#title")).to_have_value(title)
    expect(desk.locator("#day")).to_have_value(day)
    expect(desk.locator("#starts_at")).to_have_value("09:30")
    check(desk, "2-publish-refused")
    desk.locator("#seats").fill("6")
    desk.locator("form .button--large").click()
    expect(desk.locator("main")).to_contain_text("The activity is published")
    expect(desk.locator("h1")).to_have_text(title)
    expect(desk.locator("main")).to_contain_text("0 of 6 seats taken")
    expect(desk.locator("main")).to_contain_text("09:30–11:30")
    check(desk, "3-roster")
    staff.close()
