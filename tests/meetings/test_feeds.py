"""A host's calendar feed over HTTP: the host makes its secret address from the meetings desk,
their calendar app reads their meetings from it (never a resident's name, number or what the
meeting is about), and a revoked or replaced address no longer opens."""

from __future__ import annotations

import re

import pytest
from icalendar import Calendar
from sqlalchemy import select

from portal.db import utcnow
from portal.meetings import booking as engine
from portal.meetings.feeds import digest_of
from portal.meetings.models import CalendarFeed
from portal.permissions import Role
from tests import factories
from tests.accounts.test_views import EN, page, sign_in_by_sms, sign_in_staff
from tests.meetings.conftest import schedule_for

PHONE = "13800138000"
NAME = "李阿姨"
ABOUT = "想谈谈小区停车的事"
CENTRE = "光明社区党群服务中心（幸福路18号）"
ADDRESS = re.compile(r"http://[^\"<\s]+/meetings/feeds/([A-Za-z0-9_-]+)\.ics")


@pytest.fixture
def host(session, tree, schedule, secretary):
    tree.community.service_centre_zh = CENTRE
    session.commit()
    return secretary


@pytest.fixture
def staff(app, host):
    browser = app.test_client()
    assert sign_in_staff(browser, host).status_code == 302
    return browser


def booked(session, schedule, count, phone=PHONE):
    """`count` meetings with the schedule's host, for a resident who says who they are."""
    resident = engine.Booker(phone=phone, name=NAME)
    made = []
    for index in range(count):
        [slot] = engine.free_times(session, schedule, utcnow(), limit=1)
        booker = resident if index == 0 else engine.Booker(phone=f"1390013900{index}", name=NAME)
        made.append(
            engine.book(session, booker, schedule.id, slot.start, about=ABOUT, now=utcnow())
        )
    session.commit()
    return made


def make_feed(staff) -> str:
    response = staff.post("/staff/meetings/feed", headers=EN)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return ADDRESS.search(response.get_data(as_text=True)).group(1)


def test_a_host_makes_a_feed_and_their_calendar_reads_it(app, session, tree, host, staff, schedule):
    first, second, gone = booked(session, schedule, 3)
    engine.cancel(session, gone, booker=engine.Booker(phone=gone.phone), now=utcnow())
    deputy = factories.user(session, Role.DEPUTY_SECRETARY, tree.community)
    [theirs] = booked(session, schedule_for(session, deputy, tree.community), 1, "13700137000")

    assert "/staff/meetings/feed" in page(staff, "/staff/meetings")
    assert "You have no calendar feed." in page(staff, "/staff/meetings/feed")
    token = make_feed(staff)
    [feed] = session.scalars(select(CalendarFeed)).all()
    assert feed.host_id == host.id and feed.digest == digest_of(token) and token not in feed.digest
    assert "You made a feed on" in page(staff, "/staff/meetings/feed"), "shown once, not again"
    assert token not in page(staff, "/staff/meetings/feed")

    response = app.test_client().get(f"/meetings/feeds/{token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert "no-store" in response.headers["Cache-Control"]
    events = Calendar.from_ical(response.data).walk("VEVENT")
    assert sorted(str(event["uid"]) for event in events) == sorted(
        f"{made.reference}@meetings" for made in (first, second)
    ), "the host's live meetings only: not the cancelled one, nor the deputy's"
    assert theirs.reference not in response.get_data(as_text=True)
    event = next(e for e in events if str(e["uid"]).startswith(first.reference))
    assert event.decoded("dtstart") == first.starts_at
    assert CENTRE in str(event["location"])
    assert first.reference in str(event["summary"]) and tree.community.name_zh in str(
        event["summary"]
    )
    text = response.data.decode()
    unfolded = Calendar.from_ical(response.data).to_ical().decode().replace("\r\n ", "")
    for secret in (PHONE, PHONE[-4:], NAME, ABOUT, "停车", "13900139001"):
        assert secret not in text and secret not in unfolded


def test_a_revoked_or_replaced_address_no_longer_opens(app, session, host, staff, schedule):
    booked(session, schedule, 1)
    old = make_feed(staff)
    new = make_feed(staff)
    anyone = app.test_client()
    assert anyone.get(f"/meetings/feeds/{old}.ics").status_code == 404
    assert anyone.get(f"/meetings/feeds/{new}.ics").status_code == 200
    live = session.scalars(select(CalendarFeed).where(CalendarFeed.revoked_at.is_(None))).all()
    assert len(live) == 1, "one live feed per host"

    assert staff.post("/staff/meetings/feed/revoke", headers=EN).status_code == 302
    assert "Your calendar feed is stopped" in page(staff, "/staff/meetings/feed")
    assert anyone.get(f"/meetings/feeds/{new}.ics").status_code == 404


@pytest.mark.parametrize("token", ["nothing", "x" * 65, "%00", "ä" * 10])
def test_an_unknown_address_is_not_found(client, host, token):
    assert client.get(f"/meetings/feeds/{token}.ics").status_code == 404


def test_a_host_who_left_loses_their_feed(app, session, host, staff):
    token = make_feed(staff)
    host.disabled_at = utcnow()
    session.commit()
    assert app.test_client().get(f"/meetings/feeds/{token}.ics").status_code == 404


def test_the_feed_is_limited_per_address(app, client, host, staff, monkeypatch):
    token = make_feed(staff)
    monkeypatch.setitem(app.config, "MEETING_FEED_LIMIT_PER_ADDRESS", "2 per minute")
    codes = [client.get(f"/meetings/feeds/{token}.ics").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_only_hosts_open_the_feed_page(app, session, client, sms, tree, host):
    sign_in_by_sms(client, sms, PHONE)
    assert client.get("/staff/meetings/feed").status_code == 403
    assert client.post("/staff/meetings/feed").status_code == 403
    worker = factories.user(session, Role.GRID_WORKER, tree.grid)
    session.commit()
    browser = app.test_client()
    sign_in_staff(browser, worker)
    assert browser.get("/staff/meetings/feed").status_code == 403
    assert browser.post("/staff/meetings/feed").status_code == 403
    assert "/staff/meetings/feed" not in page(browser, "/staff/meetings")
    anonymous = app.test_client()
    response = anonymous.get("/staff/meetings/feed")
    assert response.status_code == 302 and "sign-in" in response.headers["Location"]
    assert session.scalars(select(CalendarFeed)).all() == []
