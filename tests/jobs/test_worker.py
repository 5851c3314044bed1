"""The worker as it runs on a server: `flask --app portal worker`, in its own processes.

These tests start real worker processes against a database of their own and the gateway
stub, and kill one of them mid-batch.
"""

from __future__ import annotations

import signal
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.accounts.models import PhoneCode
from portal.db import db, utcnow
from portal.notifications import delivery
from portal.notifications.models import MessageState, SmsMessage
from tests.gateway import Answer, GatewayStub, http_settings
from tests.workers import finish, messages, queue_many, start_worker


def test_once_delivers_what_is_due_runs_the_housekeeping_and_says_so(
    fresh_app, gateway, english_terminal
):
    app = fresh_app(migrate=True, **http_settings(gateway))
    keys = queue_many(app, 3)
    long_ago = utcnow() - timedelta(days=200)
    with app.app_context():
        db.session.add(
            PhoneCode(
                purpose="sign_in",
                phone="13800000000",
                code_hash="x",
                created_at=long_ago,
                expires_at=long_ago,
            )
        )
        db.session.commit()
    (old,) = queue_many(app, 1, at=long_ago, prefix="old")
    with app.app_context():
        message = db.session.scalar(select(SmsMessage).where(SmsMessage.idempotency_key == old))
        message.state, message.next_attempt_at = MessageState.SENT, None
        db.session.commit()

    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "Messages sent: 3; to try again later: 0; failed: 0; expired: 0." in result.output
    assert "Periodic job accounts.purge_phone_codes: 1." in result.output
    assert "Periodic job notifications.purge_old_messages: 1." in result.output
    assert gateway.deliveries == dict.fromkeys(keys, 1)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PhoneCode)) == 0
        assert db.session.scalar(select(func.count()).select_from(SmsMessage)) == 3


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(fresh_app, gateway):
    settings = {"SMS_BATCH_SIZE": 2, "SMS_GATEWAY_TIMEOUT": 1.5, "SMS_LEASE_SECONDS": 3.5}
    app = fresh_app(migrate=True, **http_settings(gateway))
    keys = queue_many(app, 30)
    gateway.answer_next(Answer(hang=True))  # takes the first message, then never answers

    doomed = start_worker(app, "--once", **settings)
    assert gateway.hanging.wait(30), "the first worker never reached the gateway"
    doomed.send_signal(signal.SIGKILL)  # claimed a batch of 2; recorded nothing
    doomed.communicate(timeout=10)
    claimed = [m for m in messages(app) if m.state == MessageState.SENDING]
    assert [m.idempotency_key for m in claimed] == keys[:2]

    time.sleep(max(0.0, (claimed[0].next_attempt_at - utcnow()).total_seconds()) + 0.2)
    finish(start_worker(app, "--once", **settings))

    assert gateway.deliveries == dict.fromkeys(keys, 1)
    # The one the dead worker had sent went again after the lease (the gateway ignored it);
    # every other message went once.
    assert gateway.keys_seen() == {**dict.fromkeys(keys, 1), keys[0]: 2}
    stored = messages(app)
    assert {m.state for m in stored} == {MessageState.SENT}
    assert [m.claims for m in stored[:2]] == [2, 2]
    assert all(m.provider_message_id == gateway.message_ids[m.idempotency_key] for m in stored)


def test_a_running_worker_picks_up_new_messages_and_stops_cleanly_on_sigterm(fresh_app, gateway):
    app = fresh_app(migrate=True, **http_settings(gateway))
    worker = start_worker(app)
    try:
        (key,) = queue_many(app, 1)
        deadline = time.monotonic() + 30
        while gateway.deliveries[key] == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert gateway.deliveries == {key: 1}
    finally:
        worker.send_signal(signal.SIGTERM)
        _out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0 and "stopped" in err
    assert "13800000000" not in err


def test_sigterm_mid_batch_stops_within_a_request_and_puts_the_rest_back(fresh_app):
    with GatewayStub(per_request_seconds=0.3) as gateway:
        app = fresh_app(migrate=True, **http_settings(gateway))
        keys = queue_many(app, 20)
        worker = start_worker(app)
        deadline = time.monotonic() + 30
        while not gateway.requests and time.monotonic() < deadline:
            time.sleep(0.02)
        worker.send_signal(signal.SIGTERM)
        stopping = time.monotonic()
        _out, err = worker.communicate(timeout=30)
        assert worker.returncode == 0 and "stopped" in err
        # Not the 6 s the batch would take: it stops after the request in flight (about
        # 0.3 s), with room for a busy machine's process start-up and shutdown.
        assert time.monotonic() - stopping < 4.5
    stored = messages(app)
    sent = [m for m in stored if m.state == MessageState.SENT]
    waiting = [m for m in stored if m.state == MessageState.QUEUED]
    assert 1 <= len(sent) <= 3 and len(sent) + len(waiting) == len(keys)
    assert all(m.attempts == 0 for m in waiting)  # put back, not counted as tries
    assert sum(gateway.keys_seen().values()) == len(sent)


@pytest.mark.postgres
def test_two_workers_deliver_a_thousand_messages_each_exactly_once(fresh_app):
    with GatewayStub(per_request_seconds=0.003) as gateway:
        app = fresh_app(migrate=True, **http_settings(gateway))
        keys = queue_many(app, 1000)
        workers = [start_worker(app, "--once") for _ in range(2)]
        for worker in workers:
            finish(worker, timeout=300)
        assert gateway.deliveries == dict.fromkeys(keys, 1)
        assert sum(gateway.keys_seen().values()) == 1000  # not even a harmless resend
    stored = messages(app)
    assert {m.state for m in stored} == {MessageState.SENT}
    assert len({m.claimed_by for m in stored}) == 2  # both workers took a share


@pytest.mark.postgres
def test_a_claim_skips_rows_another_worker_has_locked(fresh_app, app_context):
    app = fresh_app(migrate=True)
    queue_many(app, 6)
    settings = delivery.Settings(
        3, timedelta(minutes=3), 4, timedelta(seconds=30), timedelta(minutes=30)
    )
    engine = app.extensions["portal.db"].engine
    with Session(engine) as first, Session(engine) as second:
        # The first claim is held open (not committed) while the second worker claims.
        held = first.scalars(
            select(SmsMessage.id).order_by(SmsMessage.id).limit(3).with_for_update(skip_locked=True)
        ).all()
        claims = delivery.claim(
            second,
            settings,
            worker="b",
            now=utcnow(),
            keeps_secrets=True,
            tally=delivery.Counter(),
        )
        assert {claim.message_id for claim in claims}.isdisjoint(held)
        assert len(claims) == 3
        first.rollback()
