"""The administrators' outbox page: by state, by number, and sending a failed message again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from portal.audit.models import AuditEvent
from portal.db import db, utcnow
from portal.jobs.models import JobRun
from portal.jobs.registry import registered, run_due, schedule
from portal.notifications.messages import TEMPLATES, Template
from portal.notifications.models import MessageState, SmsMessage
from portal.notifications.services import forget_secrets, queue_sms
from portal.permissions import Role
from tests import factories
from tests.accounts.test_views import EN, sign_in_staff


@pytest.fixture(autouse=True)
def notice(monkeypatch):
    """A kind of message with nothing secret in it, such as the appeals will send."""
    monkeypatch.setitem(
        TEMPLATES, "test_notice", Template(lambda params: f"Appeal {params['number']} received.")
    )


def queue(session, phone, key, state=MessageState.QUEUED, kind="sign_in_code", **changes):
    params = {"code": "975310", "minutes": 5} if kind == "sign_in_code" else {"number": "A1"}
    message_id = queue_sms(
        session, phone=phone, kind=kind, params=params, locale="en", key=key, now=utcnow()
    )
    message = session.get(SmsMessage, message_id)
    message.state = state
    for name, value in changes.items():
        setattr(message, name, value)
    session.flush()
    return message


@pytest.fixture
def admin(client, session, app_context):
    made = factories.user(session, Role.ADMIN, None)
    queue(session, "13800138000", "k1", MessageState.SENT)
    queue(
        session,
        "13900139000",
        "k2",
        MessageState.FAILED,
        kind="test_notice",
        last_error="http_400: number not in service",
        next_attempt_at=None,
    )
    # A sign-in code that failed: its code was forgotten when it failed, as the worker does.
    failed_code = queue(session, "13700137000", "k3", MessageState.FAILED, next_attempt_at=None)
    forget_secrets(failed_code)
    session.commit()
    sign_in_staff(client, made)
    return made


def page(client, url="/admin/messages"):
    response = client.get(url, headers=EN)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_an_administrator_sees_every_message_with_numbers_masked_and_codes_hidden(client, admin):
    body = page(client)
    assert "138****8000" in body and "139****9000" in body
    assert "13800138000" not in body and "975310" not in body
    assert "3 messages" in body and "Failed (2)" in body and "Sent (1)" in body
    assert "The gateway answered with HTTP status 400. number not in service" in body


def test_the_list_is_filtered_by_state(client, admin):
    body = page(client, "/admin/messages?state=failed")
    assert "139****9000" in body and "138****8000" not in body
    assert 'aria-current="page">Failed (2)' in body


def test_a_number_typed_in_full_is_searched_masked_and_stays_out_of_the_url(client, admin):
    response = client.post("/admin/messages", data={"phone": "138 0013 8000"}, headers=EN)
    assert response.status_code == 302
    assert "13800138000" not in response.headers["Location"]
    body = page(client, response.headers["Location"])
    assert "1 message" in body and "138****8000" in body and "139****9000" not in body


def test_a_number_typed_as_shown_finds_it_too(client, admin):
    response = client.post("/admin/messages", data={"phone": "139****9000"}, headers=EN)
    body = page(client, response.headers["Location"])
    assert "139****9000" in body and "1 message" in body


def test_a_search_that_is_not_a_number_says_how_to_type_it_and_keeps_it(client, admin):
    response = client.post("/admin/messages", data={"phone": "王强"}, headers=EN)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Type the number in full, or as it is shown" in body and 'value="王强"' in body


def test_a_failed_message_is_queued_again_and_the_retry_audited(client, admin, session):
    message_id = _message_id(session, "k2")
    response = client.post(f"/admin/messages/{message_id}/retry?state=failed", headers=EN)
    assert response.headers["Location"] == "/admin/messages?state=failed"
    assert "will be sent again" in page(client)
    message = _message(session, "k2")
    assert message.state == MessageState.QUEUED and message.attempts == 0
    assert message.next_attempt_at is not None
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "notifications.retry"))
    assert event.actor_id == admin.id and event.target_id == str(message_id)


def test_only_a_failed_message_can_be_sent_again(client, admin, session):
    client.post(f"/admin/messages/{_message_id(session, 'k1')}/retry", headers=EN)
    assert "Only a message that failed can be sent again." in page(client)
    assert _message(session, "k1").state == MessageState.SENT


def change(app, key, **fields):
    """Change a message between requests, as the requests themselves do (the app's session)."""
    with app.app_context():
        message = db.session.scalar(select(SmsMessage).where(SmsMessage.idempotency_key == key))
        for name, value in fields.items():
            setattr(message, name, value)
        db.session.commit()
        return message


def test_a_message_past_its_use_is_not_sent_again(client, admin, session, app):
    message = change(app, "k2", expires_at=utcnow() - timedelta(minutes=1))
    assert "Send again" not in page(client, "/admin/messages?state=failed").split("139****9000")[1]
    client.post(f"/admin/messages/{message.id}/retry", headers=EN)
    assert "no longer of use" in page(client)
    assert _message(session, "k2").state == MessageState.FAILED


def test_a_failed_sign_in_code_cannot_be_sent_again_its_code_is_gone(client, admin, session):
    body = page(client, "/admin/messages?state=failed")
    assert body.count("Send again") == 1  # the notice's, not the code's
    client.post(f"/admin/messages/{_message_id(session, 'k3')}/retry", headers=EN)
    assert "no longer of use" in page(client)


@pytest.mark.parametrize(
    ("role", "where"), [(Role.ADMIN, "district"), (Role.SECRETARY, "community")]
)
def test_staff_without_a_portal_wide_grant_may_not_read_the_outbox(
    client, session, app_context, role, where
):
    tree = factories.tree(session)
    made = factories.user(session, role, getattr(tree, where))
    message = queue(session, "13900139000", "k9", MessageState.FAILED)
    session.commit()
    sign_in_staff(client, made)
    assert client.get("/admin/messages", headers=EN).status_code == 403
    assert client.post(f"/admin/messages/{message.id}/retry", headers=EN).status_code == 403
    assert "/admin/messages" not in page(client, "/staff")
    assert _message(session, "k9").state == MessageState.FAILED


def test_the_outbox_is_on_the_administrators_desk(client, admin):
    assert 'href="/admin/messages"' in page(client, "/staff")


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get("/admin/messages")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def _message(session, key):
    session.expire_all()
    return session.scalar(select(SmsMessage).where(SmsMessage.idempotency_key == key))


def _message_id(session, key):
    return _message(session, key).id


def test_admins_are_told_when_no_worker_runs_or_the_workers_are_behind(client, admin, app):
    assert "No worker has run in the last 2 minutes" in page(client)
    with app.app_context():
        schedule(db.session, registered(app), utcnow())
        run_due(db.session, registered(app), utcnow)  # a worker's pass: the heartbeat beats
    change(app, "k1", state=MessageState.QUEUED, next_attempt_at=utcnow() - timedelta(minutes=3))
    body = page(client)
    assert "No worker has run" not in body
    assert "1 message has been waiting more than 2 minutes to be sent" in body
    change(app, "k1", next_attempt_at=utcnow() - timedelta(minutes=1))  # a worker has time yet
    assert "waiting more than" not in page(client)
    with app.app_context():
        db.session.execute(update(JobRun).values(last_started_at=utcnow() - timedelta(minutes=3)))
        db.session.commit()
    assert "No worker has run in the last 2 minutes" in page(client)
