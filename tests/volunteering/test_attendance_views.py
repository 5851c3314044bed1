"""Attendance over HTTP: the coordinator's page shows the rotating code (decoded here as a
phone would), a volunteer follows it, signs in by SMS and is checked in, scans again and
checks out; a screenshot from earlier is refused; the coordinator checks people in by name,
confirms the hours, undoes a wrong confirmation and downloads the attendance; others may not."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.db import utcnow
from portal.permissions import Role
from portal.volunteering import checkin
from portal.volunteering.views.attendance import SCANNED
from tests import factories
from tests.accounts.test_views import EN, page, sign_in_by_sms, sign_in_staff
from tests.qr import decode, modules_image
from tests.volunteering.attendance_world import attended, seat, world


@pytest.fixture
def w(session):
    """An activity that started 20 minutes ago and lasts two hours."""
    made = world(session, starts_at=utcnow() - timedelta(minutes=20))
    session.commit()
    return made


@pytest.fixture
def ended(session):
    """An activity that ended an hour ago."""
    made = world(session, starts_at=utcnow() - timedelta(hours=3))
    session.commit()
    return made


@pytest.fixture
def coordinator(app, w):
    browser = app.test_client()
    assert sign_in_staff(browser, w.coordinator).status_code == 302
    return browser


def staff_client(app, user):
    browser = app.test_client()
    assert sign_in_staff(browser, user).status_code == 302
    return browser


def code_on(html: str) -> str:
    """The URL in the page's QR code, read from its SVG as a phone's camera would read it."""
    svg = re.search(r'<svg[^>]*viewBox="0 0 (\d+) \d+"[^>]*>.*?</svg>', html, re.S)
    size = int(svg.group(1))
    modules = [[False] * (size - 8) for _ in range(size - 8)]
    for x, y, length in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", svg.group(0)):
        for column in range(int(x), int(x) + int(length)):
            modules[int(y) - 4][column - 4] = True
    (text,) = decode(modules_image(modules))
    return text


def chosen(body: str) -> str | None:
    """The value of the hours chosen on an attendance page."""
    found = re.search(r'<option selected value="(\d*)"', body)
    return found.group(1) if found else None


def test_the_check_in_page_shows_a_code_that_a_phone_follows_to_check_in(
    app, client, coordinator, w, sms
):
    desk = page(coordinator, f"/volunteering/desk/activities/{w.activity.id}/check-in")
    assert re.search(r'<meta http-equiv="refresh" content="([1-9]|[12]\d|3[01])">', desk)
    assert "张志愿" in desk and w.volunteer.user.phone not in desk
    url = code_on(desk)
    assert url.startswith(app.config["BASE_URL"] + "/volunteering/check/")
    path = urlsplit(url).path
    # Not signed in: kept in the session, and the sign-in comes back here.
    response = client.get(path, headers=EN)
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    sign_in = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert f'name="next" type="hidden" value="{path}"' in sign_in
    # The same scan may check them in or out: the message promises neither.
    assert "and your scan will be recorded" in sign_in
    phone = w.volunteer.user.phone
    assert (
        client.post("/sign-in", data={"phone": phone, "next": path}, headers=EN).status_code == 302
    )
    signed = client.post("/sign-in/code", data={"code": sms.code(phone)}, headers=EN)
    assert signed.headers["Location"] == path
    checked = page(client, path)
    assert "You are checked in" in checked
    sign_up = w.sign_up
    assert sign_up.checked_in_at is not None and sign_up.checked_out_at is None
    # Scanned again at once: asked, with a button, whether they are leaving.
    again = page(client, path)
    assert "Check out now" in again and sign_up.checked_out_at is None
    out = client.post(path, headers=EN)
    assert out.status_code == 200 and "You are checked out" in out.get_data(as_text=True)
    assert sign_up.checked_out_at is not None


def test_a_scan_kept_by_the_session_is_honoured_for_five_minutes_only(client, w, sms):
    sign_in_by_sms(client, sms, w.volunteer.user.phone)
    now = utcnow()
    for minutes_ago, status in ((6, 400), (4, 200)):
        scanned = now - timedelta(minutes=minutes_ago)
        token = checkin.make_token(w.activity, scanned)
        with client.session_transaction() as kept:
            kept[SCANNED] = {"token": token, "at": scanned.isoformat()}
        response = client.get(f"/volunteering/check/{token}", headers=EN)
        assert response.status_code == status, response.get_data(as_text=True)
    assert w.sign_up.checked_in_at is not None


def test_a_screenshot_from_earlier_is_refused(client, w, sms):
    sign_in_by_sms(client, sms, w.volunteer.user.phone)
    token = checkin.make_token(w.activity, utcnow() - timedelta(minutes=2))
    response = client.get(f"/volunteering/check/{token}", headers=EN)
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    assert w.sign_up.checked_in_at is None
    # Nor does keeping it in a signed-out session help.
    client.post("/sign-out", headers=EN)
    assert client.get(f"/volunteering/check/{token}", headers=EN).status_code == 400


def test_a_made_up_code_is_not_found(client):
    assert client.get("/volunteering/check/12-34-abc", headers=EN).status_code == 404
    assert client.get("/volunteering/check/nonsense", headers=EN).status_code == 404


def test_check_out_before_check_in_is_refused(client, w, sms):
    sign_in_by_sms(client, sms, w.volunteer.user.phone)
    token = checkin.make_token(w.activity, utcnow())
    response = client.post(f"/volunteering/check/{token}", headers=EN)
    assert response.status_code == 400 and "Not checked in yet" in response.get_data(as_text=True)


def test_the_coordinator_checks_in_and_out_by_name(coordinator, w, session):
    base = f"/volunteering/desk/activities/{w.activity.id}/check-in/{w.sign_up.id}"
    assert coordinator.post(f"{base}/out", headers=EN).status_code == 302
    assert w.sign_up.checked_out_at is None
    assert coordinator.post(f"{base}/in", headers=EN).status_code == 302
    session.expire_all()
    assert w.sign_up.checked_in_by_id == w.coordinator.id
    desk = page(coordinator, f"/volunteering/desk/activities/{w.activity.id}/check-in")
    assert "In at" in desk and "Check out 张志愿" in desk
    assert coordinator.post(f"{base}/out", headers=EN).status_code == 302
    session.expire_all()
    assert w.sign_up.checked_out_by_id == w.coordinator.id


def test_the_coordinator_confirms_corrects_and_undoes(app, session, ended):
    second = attended(
        session,
        ended.activity,
        factories.volunteer(session, ended.tree.community, name="钱志愿"),
        60,
    )
    ended.sign_up.checked_in_at = ended.activity.starts_at
    ended.sign_up.checked_out_at = ended.activity.starts_at + timedelta(minutes=95)
    absent = seat(
        session, ended.activity, factories.volunteer(session, ended.tree.community, name="孙志愿")
    )
    session.commit()
    browser = staff_client(app, ended.coordinator)
    base = f"/volunteering/desk/activities/{ended.activity.id}/confirm"
    listed = page(browser, base)
    assert "Confirm all 2 as recorded" in listed and "<td>1.5</td>" in listed
    one = page(browser, f"{base}/{ended.sign_up.id}")
    # Hours are chosen in half hours up to the activity's worth, the record chosen to confirm.
    assert chosen(one) == "90", "the record offered to confirm"
    assert '<option value="120">2 hours</option>' in one and 'value="150"' not in one
    # A correction without a reason is refused, and what was chosen stays.
    refused = browser.post(f"{base}/{second.id}", data={"minutes": "120"}, headers=EN)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Say why" in body and chosen(body) == "120"
    odd = browser.post(f"{base}/{second.id}", data={"minutes": "１x"}, headers=EN)
    assert odd.status_code == 400 and "Choose the hours." in odd.get_data(as_text=True)
    assert (
        browser.post(
            f"{base}/{second.id}",
            data={"minutes": "45", "reason": "x"},
            headers=EN,
        ).status_code
        == 400
    )
    done = browser.post(
        f"{base}/{second.id}",
        data={"minutes": "120", "reason": "签到晚了"},
        headers=EN,
    )
    assert done.status_code == 302
    assert (
        browser.post(
            f"{base}/{absent.id}",
            data={"minutes": "60", "reason": "手机没电"},
            headers=EN,
        ).status_code
        == 302
    )
    assert browser.post(base, headers=EN).status_code == 302
    session.expire_all()
    assert [
        ended.sign_up.confirmed_minutes,
        second.confirmed_minutes,
        absent.confirmed_minutes,
    ] == [90, 120, 60]
    assert absent.recorded_by_hand
    undone = browser.post(f"{base}/{second.id}/reverse", data={"reason": ""}, headers=EN)
    assert undone.status_code == 400 and second.confirmed_at is not None
    undone = browser.post(f"{base}/{second.id}/reverse", data={"reason": "应为一小时"}, headers=EN)
    assert undone.status_code == 302
    session.expire_all()
    assert second.confirmed_at is None
    csv = browser.get(
        f"/volunteering/desk/activities/{ended.activity.id}/attendance.csv", headers=EN
    )
    text = csv.get_data(as_text=True)
    assert csv.mimetype == "text/csv" and text.startswith("\ufeff")
    assert "张志愿" in text and "孙志愿" in text and "手机没电" in text
    assert ended.volunteer.user.phone not in text
    assert ended.volunteer.user.phone[:3] + "****" + ended.volunteer.user.phone[-4:] in text
    exported = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "volunteering.attendance_exported")
    ).one()
    assert exported.actor_id == ended.coordinator.id and exported.details == {"rows": 3}


def test_others_may_not_see_or_act(app, session, ended, client, sms):
    ended.sign_up.checked_in_at = ended.activity.starts_at
    ended.sign_up.checked_out_at = ended.activity.ends_at
    other = factories.user(session, Role.COORDINATOR, ended.tree.other_community)
    session.commit()
    activity, sign_up = ended.activity.id, ended.sign_up.id
    urls = [
        ("get", f"/volunteering/desk/activities/{activity}/check-in"),
        ("get", f"/volunteering/desk/activities/{activity}/confirm"),
        ("get", f"/volunteering/desk/activities/{activity}/attendance.csv"),
        ("post", f"/volunteering/desk/activities/{activity}/confirm"),
        ("get", f"/volunteering/desk/activities/{activity}/confirm/{sign_up}"),
        ("post", f"/volunteering/desk/activities/{activity}/confirm/{sign_up}"),
        ("post", f"/volunteering/desk/activities/{activity}/confirm/{sign_up}/reverse"),
        ("post", f"/volunteering/desk/activities/{activity}/check-in/{sign_up}/in"),
    ]
    stranger = staff_client(app, other)
    sign_in_by_sms(client, sms, ended.volunteer.user.phone)
    for browser in (stranger, client):
        for method, url in urls:
            assert getattr(browser, method)(url, headers=EN).status_code == 403, url
    session.expire_all()
    assert ended.sign_up.confirmed_at is None
    coordinator = staff_client(app, ended.coordinator)
    elsewhere = factories.activity(
        session, ended.tree.community, starts_at=ended.activity.starts_at
    )
    session.commit()
    assert coordinator.get(f"/volunteering/desk/activities/{elsewhere.id}/confirm/{sign_up}",
                           headers=EN).status_code == 404, "a sign-up of another activity"  # fmt: skip
    assert (
        coordinator.get("/volunteering/desk/activities/99999/confirm", headers=EN).status_code
        == 404
    )
    assert (
        coordinator.get(
            f"/volunteering/desk/activities/{activity}/check-in/{sign_up}/in"
        ).status_code
        == 405
    )
