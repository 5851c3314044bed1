"""遇8有约 on a phone, in English: from the door, a resident opens the community's legal
service days, signs in with the SMS code, books a time with the lawyer, and sees their number
in the day's queue."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.accounts.models import User
from portal.db import db, utcnow
from portal.meetings.models import Booking, MeetingKind, Schedule
from portal.meetings.slots import local_date
from tests.browser.test_doors import scanned_url

ADVISER = "13800138028"  # 吴志远, the lawyer of 塘尾社区
RESIDENT = "13512340008"


def the_lawyer_receives_soon(live_server) -> None:
    """Add the next few days to the lawyer's legal service days (the 8th, 18th and 28th), so
    that a time is free whatever day the test runs on."""
    with live_server.app.app_context():
        schedule = db.session.scalars(
            select(Schedule)
            .join(User, User.id == Schedule.host_id)
            .where(User.phone == ADVISER, Schedule.kind == MeetingKind.LEGAL)
        ).one()
        today = local_date(utcnow())
        soon = {(today + timedelta(days=offset)).day for offset in range(1, 4)}
        rule = dict(schedule.month_days[0])
        rule["days"] = sorted(set(rule["days"]) | soon)
        schedule.month_days = [rule]
        db.session.commit()


@pytest.mark.parametrize("language", ["en"])
def test_a_resident_books_a_lawyer_on_a_legal_service_day(
    live_server, phone, check, language, tmp_path
):
    the_lawyer_receives_soon(live_server)
    url, _building = scanned_url(live_server, tmp_path)
    phone.goto(url)
    phone.get_by_role("link", name="Legal service days: book a lawyer").click()
    expect(phone.locator("h1")).to_have_text("Legal service days")
    check(phone, "1-legal-days")
    phone.get_by_role("link", name=re.compile("Book a time with")).first.click()
    # The booking is made with a phone the resident proves by an SMS code.
    expect(phone).to_have_url(re.compile(r"/sign-in"))
    phone.locator("#phone").fill(RESIDENT)
    phone.locator("form .button--large").click()
    # The code is read once the page asking for it is there: its SMS is queued by then.
    phone.locator("#code").wait_for()
    phone.locator("#code").fill(live_server.sms_code(RESIDENT))
    phone.locator("form .button--large").click()
    expect(phone.locator("h1")).to_have_text("Book a lawyer")
    check(phone, "2-book")

    # Sent without a time: the message says so, and the words typed stay.
    phone.locator("#about").fill("My landlord keeps my deposit")
    phone.get_by_role("button", name="Book this time").click()
    expect(phone.locator(".error-summary")).to_contain_text("Choose a time.")
    expect(phone.locator("#about")).to_have_value("My landlord keeps my deposit")

    phone.locator("input[name=start]").first.check()
    phone.get_by_role("button", name="Book this time").click()
    expect(phone.locator("h1")).to_have_text("Your meeting")
    expect(phone.locator("main")).to_contain_text("You are number 1 of the day")
    check(phone, "3-booked")
    with live_server.app.app_context():
        made = db.session.scalars(select(Booking).where(Booking.phone == RESIDENT)).one()
        assert made.kind is MeetingKind.LEGAL and made.about == "My landlord keeps my deposit"
