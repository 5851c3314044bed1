"""书记在线 over HTTP: a resident asks from their building's door, the secretary reads the
request and books a time, the resident keeps it in their calendar, moves it or cancels it; and
what each may not do."""

from __future__ import annotations

import re

import pytest
from icalendar import Calendar

from portal.db import utcnow
from portal.meetings import booking as engine
from portal.meetings.forms import start_value
from portal.meetings.models import Booking, BookingState, MeetingRequest, RequestState
from portal.permissions import Role
from tests import factories
from tests.accounts.test_views import EN, page, sign_in_by_sms, sign_in_staff

PHONE = "13800138000"


@pytest.fixture
def host(session, tree, schedule, secretary):
    tree.community.phone = "025-84561234"
    session.commit()
    return secretary


@pytest.fixture
def resident(client, sms):
    sign_in_by_sms(client, sms, PHONE)
    return client


@pytest.fixture
def staff(app, host):
    browser = app.test_client()
    assert sign_in_staff(browser, host).status_code == 302
    return browser


def ask(resident, tree, about="想谈谈小区停车的事") -> MeetingRequest:
    response = resident.post(
        f"/b/{tree.building.public_code}/meet", data={"about": about, "suits": "下午"}, headers=EN
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[1]


def first_free(session, schedule, count=1):
    return engine.free_times(session, schedule, utcnow(), limit=count)


def test_the_door_page_offers_a_meeting_and_asking_needs_a_signed_in_phone(client, tree, host):
    body = page(client, f"/b/{tree.building.public_code}")
    assert f'href="/b/{tree.building.public_code}/meet"' in body
    assert "Meet the community's secretary" in body
    response = client.get(f"/b/{tree.building.public_code}/meet", headers=EN)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert response.headers["Location"].endswith(f"next=/b/{tree.building.public_code}/meet")


def test_a_resident_asks_and_sees_when_it_will_be_read(session, resident, tree, host, sms):
    form = page(resident, f"/b/{tree.building.public_code}/meet")
    assert "What would you like to talk about?" in form and "138****8000" in form
    reference = ask(resident, tree)
    made = session.query(MeetingRequest).filter_by(reference=reference).one()
    assert (made.phone, made.place_id, made.suits) == (PHONE, tree.community.id, "下午")
    body = page(resident, f"/meetings/requests/{reference}")
    assert "Waiting to be read" in body and "想谈谈小区停车的事" in body
    assert sms.recent(host.phone), "the secretary is texted"
    assert reference in page(resident, "/meetings")


def test_what_the_resident_typed_stays_when_it_is_refused(resident, tree, host, session):
    response = resident.post(
        f"/b/{tree.building.public_code}/meet", data={"about": " ", "suits": "周三上午"}, headers=EN
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in body
    assert "Say in a few words what you would like to talk about." in body
    assert 'value="周三上午"' in body
    assert session.query(MeetingRequest).count() == 0


def test_the_secretary_reads_books_and_the_resident_keeps_moves_and_cancels(
    session, resident, staff, tree, host, schedule, sms
):
    reference = ask(resident, tree)
    desk = page(staff, "/staff/meetings")
    assert f"/staff/meetings/requests/{reference}" in desk and "left" in desk
    detail = page(staff, f"/staff/meetings/requests/{reference}")
    assert "138****8000" in detail and PHONE not in detail

    assert staff.post(f"/staff/meetings/requests/{reference}/seen", headers=EN).status_code == 302
    [seen] = sms.recent(PHONE)[:1]
    assert "王书记" in seen.body and "025-84561234" in seen.body

    first, second = first_free(session, schedule, 2)
    response = staff.post(
        f"/staff/meetings/requests/{reference}/arrange",
        data={"start": start_value(first.start)},
        headers=EN,
    )
    assert response.status_code == 302
    booked = session.query(Booking).one()
    assert booked.starts_at == first.start and booked.phone == PHONE
    assert f"/m/{booked.reference}" in sms.recent(PHONE)[0].body

    mine = page(resident, f"/m/{booked.reference}")
    assert "Booked" in mine and "Add to my calendar" in mine and "王书记" in mine

    ics = resident.get(f"/m/{booked.reference}/calendar.ics", headers=EN)
    assert ics.mimetype == "text/calendar"
    [event] = Calendar.from_ical(ics.data).walk("VEVENT")
    assert event.decoded("dtstart") == first.start
    assert len(event.walk("VALARM")) == 2
    assert PHONE not in ics.get_data(as_text=True) and "停车" not in ics.get_data(as_text=True)

    moved = resident.post(
        f"/m/{booked.reference}/move", data={"start": start_value(second.start)}, headers=EN
    )
    assert moved.status_code == 302
    session.refresh(booked)
    assert booked.starts_at == second.start

    assert resident.post(f"/m/{booked.reference}/cancel", headers=EN).status_code == 302
    session.refresh(booked)
    assert booked.state is BookingState.CANCELLED
    assert "Cancelled" in page(resident, f"/m/{booked.reference}")
    # The host plans the day by what residents change.
    told = [m.kind for m in sms.recent(host.phone)]
    assert told[:2] == ["meeting_cancelled_by_resident", "meeting_moved_by_resident"]


def test_a_time_taken_meanwhile_is_refused_with_everything_kept(
    session, resident, staff, tree, host, schedule
):
    reference = ask(resident, tree)
    [first] = first_free(session, schedule)
    engine.book(session, engine.Booker(phone="13900139000"), schedule.id, first.start,
                now=utcnow())  # fmt: skip
    session.commit()
    response = staff.post(
        f"/staff/meetings/requests/{reference}/arrange",
        data={"start": start_value(first.start)},
        headers=EN,
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Someone has just booked that time." in body
    assert session.query(MeetingRequest).filter_by(reference=reference).one().state is (
        RequestState.WAITING
    )
    garbage = staff.post(
        f"/staff/meetings/requests/{reference}/arrange", data={"start": "²"}, headers=EN
    )
    assert garbage.status_code == 400 and "Choose a time." in garbage.get_data(as_text=True)


def test_a_host_cancels_only_with_a_reason_which_the_resident_is_texted(
    session, staff, host, schedule, sms
):
    [first] = first_free(session, schedule)
    made = engine.book(session, engine.Booker(phone=PHONE), schedule.id, first.start,
                       now=utcnow())  # fmt: skip
    session.commit()
    url = f"/staff/meetings/bookings/{made.reference}/cancel"
    refused = staff.post(url, data={"reason": ""}, headers=EN)
    assert refused.status_code == 400
    assert "Say why the meeting is cancelled" in refused.get_data(as_text=True)
    assert staff.post(url, data={"reason": "临时开会"}, headers=EN).status_code == 302
    assert "临时开会" in sms.recent(PHONE)[0].body


def test_others_meet_a_not_found(app, session, resident, tree, host, schedule):
    reference = ask(resident, tree)
    [first] = first_free(session, schedule)
    made = engine.book(session, engine.Booker(phone="13900139000"), schedule.id, first.start,
                       now=utcnow())  # fmt: skip
    session.commit()
    # Another resident's booking and request.
    assert resident.get(f"/m/{made.reference}", headers=EN).status_code == 404
    assert resident.get(f"/m/{made.reference}/calendar.ics").status_code == 404
    assert resident.post(f"/m/{made.reference}/cancel").status_code == 404
    # Staff of another community, and a grid worker of this one.
    for role, place in ((Role.SECRETARY, tree.other_community), (Role.GRID_WORKER, tree.grid)):
        other = factories.user(session, role, place)
        session.commit()
        browser = app.test_client()
        sign_in_staff(browser, other)
        assert browser.get(f"/staff/meetings/requests/{reference}").status_code == 404
        assert browser.post(f"/staff/meetings/requests/{reference}/seen").status_code == 404
        assert browser.get(f"/staff/meetings/bookings/{made.reference}").status_code == 404
        assert reference not in page(browser, "/staff/meetings")
    # A resident is not staff.
    assert resident.get("/staff/meetings").status_code == 403


def test_the_full_number_is_shown_once_and_the_look_is_audited(session, resident, staff, tree):
    from portal.audit.models import AuditEvent

    reference = ask(resident, tree)
    body = staff.post(f"/staff/meetings/requests/{reference}/reveal", headers=EN).get_data(
        as_text=True
    )
    assert "138 0013 8000" in body or PHONE in body
    assert session.query(AuditEvent).filter_by(action="meetings.reveal_phone").count() == 1
    assert re.search(r"138\*{4}8000", page(staff, f"/staff/meetings/requests/{reference}"))


def test_a_request_from_a_report_and_the_report_link_to_each_other(app, session, staff, tree):
    from portal.catalogue.services import seed_catalogue
    from tests.appeals.conftest import file_appeal

    with app.app_context():
        seed_catalogue(session)
        appeal = file_appeal(session, tree.building, utcnow(), wants_meeting=True)
        session.commit()
    reference = appeal.meeting_reference
    request_page = page(staff, f"/staff/meetings/requests/{reference}")
    assert f'href="/staff/appeals/{appeal.tracking}"' in request_page
    appeal_page = page(staff, f"/staff/appeals/{appeal.tracking}")
    assert f'href="/staff/meetings/requests/{reference}"' in appeal_page
    assert "The community secretary was asked for a meeting" in appeal_page


def test_a_resident_withdraws_a_request_they_no_longer_need(session, resident, tree, host, sms):
    reference = ask(resident, tree)
    body = page(resident, f"/meetings/requests/{reference}")
    assert "I no longer need this meeting" in body
    done = resident.post(f"/meetings/requests/{reference}/withdraw", headers=EN)
    assert done.status_code == 302
    made = session.query(MeetingRequest).filter_by(reference=reference).one()
    assert made.state is RequestState.WITHDRAWN and made.sweep_at is None
    assert "I no longer need this meeting" not in page(resident, f"/meetings/requests/{reference}")
    again = resident.post(f"/meetings/requests/{reference}/withdraw", headers=EN)
    assert again.status_code == 302 and made.state is RequestState.WITHDRAWN


def test_requests_are_limited_per_phone_and_what_was_typed_stays(app, resident, tree, host):
    app.config["MEETING_REQUESTS_PER_PHONE"] = "2/day"
    try:
        for _ in range(2):
            resident.post(f"/meetings/requests/{ask(resident, tree)}/withdraw")
        refused = resident.post(
            f"/b/{tree.building.public_code}/meet", data={"about": "第三次想约"}, headers=EN
        )
    finally:
        app.config["MEETING_REQUESTS_PER_PHONE"] = "5/day"
    body = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "Too many requests were sent from here" in body
    assert "第三次想约" in body


def test_a_host_sees_the_full_number_to_call_once_and_the_look_is_audited(
    session, staff, host, schedule
):
    from portal.audit.models import AuditEvent

    [first] = first_free(session, schedule)
    made = engine.book(session, engine.Booker(phone=PHONE), schedule.id, first.start, now=utcnow())
    session.commit()
    assert "138****8000" in page(staff, f"/staff/meetings/bookings/{made.reference}")
    shown = staff.post(f"/staff/meetings/bookings/{made.reference}/reveal", headers=EN)
    assert 'href="tel:13800138000"' in shown.get_data(as_text=True)
    assert session.query(AuditEvent).filter_by(action="meetings.reveal_phone").count() == 1


def test_the_home_page_leads_to_the_secretary_through_the_building(client):
    home = page(client, "/")
    assert (
        "Meet your community&#39;s secretary" in home or "Meet your community's secretary" in home
    )
    assert 'href="/find"' in home


def test_asking_again_while_a_request_waits_leads_back_to_it(session, resident, tree, host):
    reference = ask(resident, tree)
    again = resident.post(
        f"/b/{tree.building.public_code}/meet", data={"about": "又来问一次"}, headers=EN
    )
    assert again.status_code == 302 and again.headers["Location"].endswith(reference)
    assert session.query(MeetingRequest).count() == 1
    assert "You have asked to meet the secretary already" in page(
        resident, again.headers["Location"]
    )


def test_a_host_moving_a_meeting_back_texts_the_resident_each_time(
    session, staff, host, schedule, sms
):
    first, second = first_free(session, schedule, 2)
    made = engine.book(session, engine.Booker(phone=PHONE), schedule.id, first.start, now=utcnow())
    session.commit()
    url = f"/staff/meetings/bookings/{made.reference}/move"
    for start in (second, first, second):  # back to a time it had before: news again
        assert staff.post(url, data={"start": start_value(start.start)}).status_code == 302
    moved = [m for m in sms.recent(PHONE) if m.kind == "meeting_moved"]
    assert len(moved) == 3
