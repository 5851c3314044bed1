"""Accounts over HTTP: signing in by SMS and by password, sessions ending, one's own account."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.audit.models import AuditEvent, Outcome
from portal.permissions import Role
from tests import factories

EN = {"Accept-Language": "en-US,en;q=0.9"}
COOKIE = "portal_session"


def latest_code(sms) -> str:
    return sms.code()


def sign_in_by_sms(client, sms, phone: str) -> None:
    response = client.post("/sign-in", data={"phone": phone}, headers=EN)
    assert response.status_code == 302, response.get_data(as_text=True)
    response = client.post("/sign-in/code", data={"code": sms.code(phone)}, headers=EN)
    assert response.status_code == 302


def sign_in_staff(client, user, password: str = factories.PASSWORD):
    return client.post(
        "/staff/sign-in", data={"phone": user.phone, "password": password}, headers=EN
    )


def page(client, url: str) -> str:
    response = client.get(url, headers=EN)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


# Residents


def test_a_resident_signs_in_with_an_sms_code(client, sms, session):
    form = page(client, "/sign-in")
    assert 'inputmode="numeric"' in form and 'autocomplete="tel"' in form
    response = client.post("/sign-in", data={"phone": "138 0013 8000"}, headers=EN)
    assert response.headers["Location"] == "/sign-in/code"
    assert "138****8000" in page(client, "/sign-in/code")
    response = client.post("/sign-in/code", data={"code": latest_code(sms)}, headers=EN)
    assert response.headers["Location"] == "/"
    assert "You are signed in as 138****8000" in page(client, "/")
    assert (
        session.scalar(select(User).where(User.phone == "13800138000")).phone_verified_at
        is not None
    )


def test_a_wrong_number_is_explained_and_kept_in_the_field(client, sms):
    response = client.post("/sign-in", data={"phone": "138 0013 800"}, headers=EN)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error:" in body
    assert "There is a problem" in body
    assert 'href="#phone"' in body
    assert "Enter an 11-digit mainland mobile number" in body
    assert 'value="138 0013 800"' in body
    assert sms.recent() == []


def test_a_wrong_code_says_how_many_tries_are_left(client, sms):
    client.post("/sign-in", data={"phone": "13800138000"}, headers=EN)
    code = latest_code(sms)
    response = client.post(
        "/sign-in/code", data={"code": f"{(int(code) + 1) % 10**6:06d}"}, headers=EN
    )
    # Said on the page a GET opens: a reload spends no try, Back finds a page.
    assert response.headers["Location"] == "/sign-in/code"
    assert "You can try 4 more times" in page(client, "/sign-in/code")
    assert "You can try" not in page(client, "/sign-in/code"), "said once"
    response = client.post("/sign-in/code", data={"code": "12345"}, headers=EN)
    assert "The code has 6 digits" in response.get_data(as_text=True)


def test_the_code_page_needs_a_number_first(client):
    assert client.get("/sign-in/code").headers["Location"] == "/sign-in"


def test_asking_again_within_a_minute_is_refused_politely(client, sms):
    client.post("/sign-in", data={"phone": "13800138000"}, headers=EN)
    response = client.post("/sign-in/resend", headers=EN, follow_redirects=True)
    assert "Please wait" in response.get_data(as_text=True)
    assert len(sms.recent()) == 1


def test_too_many_attempts_from_one_address_are_refused_but_the_number_stays(
    client, app, sms, monkeypatch
):
    monkeypatch.setitem(app.config, "SIGN_IN_LIMIT_PER_ADDRESS", "3 per minute")
    for number in range(3):
        client.post("/sign-in", data={"phone": f"1380013810{number}"}, headers=EN)
    response = client.post("/sign-in", data={"phone": "13800138109"}, headers=EN)
    body = response.get_data(as_text=True)
    assert "Too many attempts from this network" in body
    assert 'value="13800138109"' in body
    assert len(sms.recent()) == 3
    other = client.post(
        "/sign-in", data={"phone": "13800138109"}, environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert other.status_code == 302


def test_ten_codes_an_hour_are_sent_from_one_address_whatever_the_numbers(client, sms):
    """Nobody may make the portal text numbers of their choosing: past ten codes an hour
    from one address, it says so (in Chinese by default) and keeps the number typed."""
    for number in range(10):
        sent = client.post("/sign-in", data={"phone": f"1380013810{number}"})
        assert sent.status_code == 302
    response = client.post("/sign-in", data={"phone": "139 0013 9000"})
    body = response.get_data(as_text=True)
    assert "这里获取验证码的次数太多了" in body and 'value="13900139000"' in body
    assert len(sms.recent()) == 10
    other = client.post(
        "/sign-in", data={"phone": "13900139000"}, environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert other.status_code == 302 and len(sms.recent()) == 11


def test_asking_again_counts_towards_the_addresss_codes(client, sms, monkeypatch):
    from portal.accounts import services

    monkeypatch.setattr(services, "SIGN_IN", replace(services.SIGN_IN, per_address="1/hour"))
    client.post("/sign-in", data={"phone": "13800138000"}, headers=EN)
    response = client.post("/sign-in/resend", headers=EN, follow_redirects=True)
    assert "Too many codes were asked for from here" in response.get_data(as_text=True)
    assert len(sms.recent()) == 1


def test_after_signing_in_the_resident_returns_to_where_they_were_going(client, sms):
    client.post("/sign-in", data={"phone": "13800138000", "next": "/account"}, headers=EN)
    response = client.post("/sign-in/code", data={"code": latest_code(sms)}, headers=EN)
    assert response.headers["Location"] == "/account"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_sign_in_never_sends_anyone_to_another_site(client, sms, target):
    client.post("/sign-in", data={"phone": "13800138000", "next": target}, headers=EN)
    response = client.post("/sign-in/code", data={"code": latest_code(sms)}, headers=EN)
    assert response.headers["Location"] == "/"


# Staff


def test_staff_sign_in_with_a_password_and_see_their_desk(client, session):
    worker = factories.user(session, Role.GRID_WORKER, factories.tree(session).grid, name="王强")
    session.commit()
    response = sign_in_staff(client, worker)
    assert response.headers["Location"] == "/staff"
    desk = page(client, "/staff")
    assert "Grid worker" in desk and "王强" in desk
    assert "Places and buildings" not in desk


def test_a_wrong_password_is_audited_and_explained(client, session):
    worker = factories.user(session, Role.GRID_WORKER)
    session.commit()
    response = sign_in_staff(client, worker, "not the password")
    assert "The phone number or the password is not right" in response.get_data(as_text=True)
    event = session.scalars(select(AuditEvent).where(AuditEvent.outcome == Outcome.FAILURE)).one()
    assert event.origin == "127.0.0.1"


def test_the_fifth_failure_locks_the_account(client, session):
    worker = factories.user(session, Role.GRID_WORKER)
    session.commit()
    for _ in range(5):
        response = sign_in_staff(client, worker, "not the password")
    assert "locked for 15 minutes" in response.get_data(as_text=True)
    response = sign_in_staff(client, worker)
    assert "Try again in 15 minutes" in response.get_data(as_text=True)


def test_a_temporary_password_must_be_replaced_before_anything_else(client, session):
    worker = factories.user(session, Role.GRID_WORKER)
    worker.must_change_password = True
    session.commit()
    assert sign_in_staff(client, worker).headers["Location"] == "/account/password"
    assert client.get("/staff").headers["Location"] == "/account/password"
    response = client.post(
        "/account/password",
        data={
            "current_password": factories.PASSWORD,
            "new_password": "my own long passphrase",
            "confirm_password": "my own long passphrase",
        },
    )
    assert response.headers["Location"] == "/staff"
    assert client.get("/staff").status_code == 200


def test_mismatched_new_passwords_are_explained(client, session):
    worker = factories.user(session, Role.GRID_WORKER)
    session.commit()
    sign_in_staff(client, worker)
    response = client.post(
        "/account/password",
        data={
            "current_password": factories.PASSWORD,
            "new_password": "my own long passphrase",
            "confirm_password": "other",
        },
        headers=EN,
    )
    assert "The two new passwords are not the same" in response.get_data(as_text=True)


def test_unauthenticated_staff_pages_lead_to_the_password_sign_in(client):
    response = client.get("/admin/places")
    assert response.headers["Location"] == "/staff/sign-in?next=/admin/places"
    assert client.get("/account").headers["Location"] == "/sign-in?next=/account"
    # The volunteering desk is a staff page too: its coordinators sign in with their password.
    desk = client.get("/volunteering/desk/activities/1/check-in")
    assert (
        desk.headers["Location"] == "/staff/sign-in?next=/volunteering/desk/activities/1/check-in"
    )


# Sessions end on the server


def test_signing_out_kills_the_old_cookie_everywhere(client, session):
    worker = factories.user(session, Role.GRID_WORKER)
    session.commit()
    sign_in_staff(client, worker)
    stolen = client.get_cookie(COOKIE).value
    assert client.post("/sign-out").headers["Location"] == "/"
    client.set_cookie(COOKIE, stolen)
    assert client.get("/staff").status_code == 302


def test_disabling_an_account_ends_its_sessions_at_once(app, client, session):
    worker = factories.user(session, Role.GRID_WORKER)
    admin = factories.user(session, Role.ADMIN, None)
    session.commit()
    sign_in_staff(client, worker)
    assert client.get("/staff").status_code == 200
    admin_browser = app.test_client()
    sign_in_staff(admin_browser, admin)
    assert admin_browser.post(f"/admin/users/{worker.id}/disable").status_code == 302
    assert client.get("/staff").status_code == 302


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(app, client, session):
    worker = factories.user(session, Role.GRID_WORKER)
    session.commit()
    other_device = app.test_client()
    sign_in_staff(other_device, worker)
    sign_in_staff(client, worker)
    client.post(
        "/account/password",
        data={
            "current_password": factories.PASSWORD,
            "new_password": "my own long passphrase",
            "confirm_password": "my own long passphrase",
        },
    )
    assert client.get("/staff").status_code == 200
    assert other_device.get("/staff").status_code == 302


def test_staff_are_signed_out_after_thirty_idle_minutes(client, session):
    worker = factories.user(session, Role.GRID_WORKER)
    session.commit()
    sign_in_staff(client, worker)
    with client.session_transaction() as cookie:
        cookie["seen_at"] = int(time.time()) - 31 * 60
    response = client.get("/staff", headers=EN)
    assert response.headers["Location"] == "/staff/sign-in?next=/staff"
    assert client.get("/staff").status_code == 302


def test_staff_sessions_end_after_twelve_hours_even_when_busy(client, session):
    worker = factories.user(session, Role.GRID_WORKER)
    session.commit()
    sign_in_staff(client, worker)
    with client.session_transaction() as cookie:
        cookie["signed_in_at"] = int(time.time()) - 12 * 3600 - 60
    assert client.get("/staff").status_code == 302


def test_residents_may_be_idle_longer(client, sms):
    sign_in_by_sms(client, sms, "13800138000")
    with client.session_transaction() as cookie:
        cookie["seen_at"] = int(time.time()) - 31 * 60
    assert client.get("/account").status_code == 200


def test_the_session_cookie_is_http_only_and_same_site(client, session):
    worker = factories.user(session, Role.GRID_WORKER)
    session.commit()
    response = sign_in_staff(client, worker)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


# One's own account


def test_a_resident_names_themself_and_chooses_english(client, sms, session):
    sign_in_by_sms(client, sms, "13800138000")
    response = client.post("/account", data={"display_name": "王阿姨", "locale": "en"})
    assert response.headers["Location"] == "/account"
    assert "王阿姨" in page(client, "/account")
    assert session.scalar(select(User.locale).where(User.phone == "13800138000")) == "en"


def test_a_resident_cannot_open_the_staff_desk(client, sms):
    sign_in_by_sms(client, sms, "13800138000")
    assert client.get("/staff").status_code == 403
