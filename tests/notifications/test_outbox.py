"""Queueing messages: in the cause's transaction, once per idempotency key."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts import services as accounts
from portal.accounts.models import PhoneCode
from portal.db import db
from portal.notifications.models import MessageState, SmsMessage
from portal.notifications.services import queue_sms, shown_body
from tests.factories import CODE_SECRET


def queue(session, now, key="test:1", phone="138 0013 8000", locale="en"):
    message_id = queue_sms(
        session,
        phone=phone,
        kind="sign_in_code",
        params={"code": "123456", "minutes": 5},
        locale=locale,
        key=key,
        now=now,
        cause="test:1",
    )
    return session.get(SmsMessage, message_id)


def test_a_queued_message_is_rendered_measured_masked_and_due_at_once(session, app_context, now):
    message = queue(session, now, locale="zh_Hans_CN")
    assert message.state == MessageState.QUEUED
    assert message.phone == "13800138000" and message.phone_masked == "138****8000"
    assert "123456" in message.body and "5分钟内有效" in message.body
    assert message.length == len(message.body) and message.segments == 1
    assert message.next_attempt_at == now and message.attempts == 0
    assert message.cause == "test:1"


def test_the_same_key_never_makes_a_second_message(session, app_context, now):
    first = queue(session, now)
    again = queue(session, now + timedelta(minutes=1), phone="13900139000")
    assert again.id == first.id and again.phone == "13800138000"
    assert session.scalar(select(func.count()).select_from(SmsMessage)) == 1


def test_a_message_to_a_number_that_is_not_a_mobile_is_a_bug(session, app_context, now):
    with pytest.raises(ValueError):
        queue(session, now, phone="010 1234 5678")


def test_an_administrator_reads_a_sign_in_code_message_without_the_code(session, app_context, now):
    message = queue(session, now)
    assert "123456" not in shown_body(message) and "******" in shown_body(message)


def test_a_sign_in_code_is_queued_with_its_cause_and_expires_with_the_code(
    session, app_context, sms, now
):
    record = accounts.request_sign_in_code(
        session, "13800138000", secret=CODE_SECRET, locale="en", now=now
    )
    message = sms.recent()[0]
    assert message.kind == "sign_in_code" and message.cause == f"phone_codes:{record.id}"
    assert message.expires_at == record.expires_at
    assert message.idempotency_key.startswith("code:sign_in:")


def test_an_event_rolled_back_leaves_no_message(fresh_app, now):
    app = fresh_app(migrate=True)
    with app.test_request_context():
        accounts.request_sign_in_code(
            db.session, "13800138000", secret=CODE_SECRET, locale="en", now=now
        )
        db.session.flush()
        assert db.session.scalar(select(func.count()).select_from(SmsMessage)) == 1
        db.session.rollback()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SmsMessage)) == 0
        assert db.session.scalar(select(func.count()).select_from(PhoneCode)) == 0


def test_a_refused_code_request_queues_nothing(client, sms):
    client.post("/sign-in", data={"phone": "13800138000"})
    response = client.post("/sign-in/resend", data={}, headers={"Accept-Language": "en"})
    assert response.headers["Location"] == "/sign-in/code"
    page = client.get("/sign-in/code", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "less than a minute ago" in page
    assert len(sms.recent()) == 1
