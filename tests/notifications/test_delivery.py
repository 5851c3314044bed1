"""Delivering the outbox to a real HTTP gateway stub on 127.0.0.1, with time passed in."""

from __future__ import annotations

import json
import random
import socket
import time
from datetime import timedelta

import pytest

from portal.notifications import delivery
from portal.notifications.models import MessageState, SmsMessage
from portal.notifications.providers import HttpProvider, LogProvider, Outgoing
from portal.notifications.services import queue_sms, record_receipt
from tests.gateway import SECRET, Answer

PHONE = "13800138000"


@pytest.fixture
def clock(now):
    """A clock the test moves: `clock.now` is what the worker reads."""

    class Clock:
        def __init__(self):
            self.now = now

        def __call__(self):
            return self.now

    return Clock()


def queue(session, now, key="appeal:A1", **more):
    message_id = queue_sms(
        session,
        phone=PHONE,
        kind="sign_in_code",
        params={"code": "246810", "minutes": 5},
        locale="zh_Hans_CN",
        key=key,
        now=now,
        **more,
    )
    return session.get(SmsMessage, message_id)


def deliver(session, provider, settings, clock):
    return delivery.deliver_due(
        session, provider, settings, worker="test-worker", clock=clock, rng=random.Random(4)
    )


@pytest.fixture
def run(session, app_context, provider, settings, clock):
    return lambda: deliver(session, provider, settings, clock)


def test_a_message_the_gateway_takes_is_sent_once_and_its_code_forgotten(
    session, gateway, run, clock
):
    message = queue(session, clock.now)
    assert run() == {"sent": 1}
    assert message.state == MessageState.SENT and message.provider_message_id == "gw-1"
    assert message.sent_at == clock.now and message.next_attempt_at is None
    assert message.claimed_by == "test-worker" and message.attempts == 1
    (request,) = gateway.requests
    assert request["to"] == PHONE and "246810" in request["text"]
    assert request["idempotency_key"] == "appeal:A1" and request["language"] == "zh_Hans_CN"
    assert gateway.headers[0]["idempotency-key"] == "appeal:A1"
    assert gateway.bad_signatures == 0
    # Once handed over, the code is no longer stored anywhere.
    assert "246810" not in message.body and message.params["code"] == "******"
    assert run() == {}
    assert gateway.deliveries == {"appeal:A1": 1}


def test_a_message_the_gateway_refuses_fails_for_good_with_its_reason(session, gateway, run, clock):
    gateway.answer_next(Answer(status=400, error=f"number {PHONE} is not in service"))
    message = queue(session, clock.now)
    assert run() == {"failed": 1}
    assert message.state == MessageState.FAILED and message.next_attempt_at is None
    assert message.last_error == "http_400: number 138****8000 is not in service"
    clock.now += timedelta(days=1)
    assert run() == {}
    assert len(gateway.requests) == 1


@pytest.mark.parametrize("status", [500, 503, 429, 408])
def test_a_busy_or_broken_gateway_is_tried_again_after_a_while(
    session, gateway, run, clock, status
):
    gateway.answer_next(Answer(status=status))
    message = queue(session, clock.now)
    assert run() == {"queued": 1}
    assert message.state == MessageState.QUEUED and message.last_error == f"http_{status}"
    wait = message.next_attempt_at - clock.now
    assert timedelta(seconds=15) <= wait <= timedelta(seconds=30)
    assert run() == {}  # not yet
    clock.now = message.next_attempt_at
    assert run() == {"sent": 1}
    assert message.attempts == 2 and gateway.deliveries == {"appeal:A1": 1}


def test_a_gateway_that_answers_too_late_gets_the_same_key_again_and_sends_once(
    session, gateway, run, clock
):
    gateway.answer_next(Answer(delay=1.5))  # takes the message, answers after the timeout
    message = queue(session, clock.now)
    assert run() == {"queued": 1}
    assert message.last_error == "timeout"
    clock.now = message.next_attempt_at
    assert run() == {"sent": 1}
    assert gateway.keys_seen() == {"appeal:A1": 2}
    assert gateway.deliveries == {"appeal:A1": 1}
    assert message.provider_message_id == "gw-1"


def test_an_unreachable_gateway_is_tried_again(session, app_context, settings, clock):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    provider = HttpProvider(url=f"http://127.0.0.1:{port}/send", secret=SECRET, timeout=0.5)
    message = queue(session, clock.now)
    assert deliver(session, provider, settings, clock) == {"queued": 1}
    assert message.last_error.startswith("unreachable")


def test_an_answer_without_a_message_id_is_not_taken_as_sent(session, gateway, run, clock):
    gateway.answer_next(Answer(with_id=False))
    message = queue(session, clock.now)
    assert run() == {"queued": 1}
    assert message.last_error == "bad_answer"


def test_retries_back_off_and_then_give_up(session, gateway, run, clock, settings):
    gateway.answer_next(*[Answer(status=503)] * settings.max_attempts)
    message = queue(session, clock.now)
    waits = []
    for _attempt in range(settings.max_attempts - 1):
        assert run() == {"queued": 1}
        waits.append(message.next_attempt_at - clock.now)
        clock.now = message.next_attempt_at
    assert run() == {"failed": 1}
    assert message.state == MessageState.FAILED and message.last_error == "http_503"
    assert message.attempts == settings.max_attempts
    assert waits == sorted(waits) and waits[-1] > timedelta(minutes=1)
    assert "246810" not in message.body


def test_back_off_doubles_within_jitter_and_stops_at_the_cap(settings):
    rng = random.Random(7)
    for attempt in range(1, 12):
        ceiling = min(settings.retry_cap, settings.retry_base * 2 ** (attempt - 1))
        for _ in range(50):
            wait = delivery.retry_delay(attempt, settings, rng)
            assert ceiling / 2 <= wait <= ceiling


def test_the_gateway_refuses_a_request_signed_with_the_wrong_secret(
    session, app_context, gateway, settings, clock
):
    provider = HttpProvider(url=gateway.url, secret="not-the-secret", timeout=0.5)
    message = queue(session, clock.now)
    assert deliver(session, provider, settings, clock) == {"failed": 1}
    assert message.last_error == "http_401: bad signature"
    assert gateway.bad_signatures == 1 and gateway.deliveries == {}


def test_a_message_past_its_use_is_not_sent(session, gateway, run, clock):
    message = queue(session, clock.now, expires_at=clock.now + timedelta(minutes=5))
    clock.now += timedelta(minutes=5)
    assert run() == {"expired": 1}
    assert message.state == MessageState.EXPIRED and gateway.requests == []
    assert "246810" not in message.body


def test_a_claimed_message_waits_for_its_lease_and_a_late_result_is_ignored(
    session, app_context, gateway, provider, settings, clock
):
    message = queue(session, clock.now)
    first = claim(session, settings, clock)
    assert message.state == MessageState.SENDING
    assert message.next_attempt_at == clock.now + settings.lease
    assert deliver(session, provider, settings, clock) == {}  # leased to worker a
    clock.now += settings.lease
    assert deliver(session, provider, settings, clock) == {"sent": 1}
    assert message.claimed_by == "test-worker" and message.claims == 2
    # Worker a wakes up and reports a failure of its own, older claim: it changes nothing.
    late = [delivery.Result(first[0], failure=delivery.TemporaryFailure("timeout"))]
    assert record(session, settings, late, clock) == {}
    assert message.state == MessageState.SENT and message.last_error is None


def claim(session, settings, clock, worker="a"):
    return delivery.claim(
        session,
        settings,
        worker=worker,
        now=clock.now,
        keeps_secrets=False,
        tally=delivery.Counter(),
    )


def record(session, settings, results, clock):
    return delivery.record(
        session, settings, results, now=clock.now, keeps_secrets=False, rng=random.Random()
    )


def test_a_receipt_that_arrives_before_the_result_is_kept(
    session, app_context, gateway, provider, settings, clock
):
    message = queue(session, clock.now)
    results = delivery.send(provider, claim(session, settings, clock), settings)
    record_receipt(
        session,
        key="appeal:A1",
        status="delivered",
        message_id="gw-1",
        now=clock.now,
        keeps_secrets=False,
    )
    assert "246810" not in message.body  # the receipt itself forgets the code
    assert record(session, settings, results, clock) == {"delivered": 1}
    assert message.state == MessageState.DELIVERED and message.sent_at == clock.now
    assert message.provider_message_id == "gw-1" and message.next_attempt_at is None


def test_a_receipt_after_a_timeout_ends_the_retries_and_forgets_the_code(
    session, gateway, run, clock
):
    gateway.answer_next(Answer(delay=1.5))  # the gateway took it, but answered too late
    message = queue(session, clock.now)
    assert run() == {"queued": 1}
    record_receipt(session, key="appeal:A1", status="delivered", now=clock.now, keeps_secrets=False)
    assert message.state == MessageState.DELIVERED and message.next_attempt_at is None
    assert "246810" not in message.body and message.params["code"] == "******"
    clock.now += timedelta(hours=1)
    assert run() == {}
    assert gateway.keys_seen() == {"appeal:A1": 1}


def test_a_claim_too_near_the_end_of_its_lease_is_put_back_unsent(
    session, app_context, gateway, provider, settings, clock, monkeypatch
):
    message = queue(session, clock.now)
    claims = claim(session, settings, clock)
    # The worker's own clock runs on: the lease has less left than one request may take.
    later = claims[0].lease_ends - settings.send_timeout
    monkeypatch.setattr(delivery.time, "monotonic", lambda: later)
    results = delivery.send(provider, claims, settings)
    assert results[0].released and gateway.requests == []
    assert record(session, settings, results, clock) == {"queued": 1}
    assert message.state == MessageState.QUEUED and message.attempts == 0
    assert message.next_attempt_at == clock.now


def test_a_worker_told_to_stop_puts_the_rest_of_its_batch_back(
    session, gateway, provider, settings, clock, app_context
):
    for key in ("a:1", "a:2", "a:3"):
        queue(session, clock.now, key=key)
    # SIGTERM arrives while the first message is being sent.
    results = delivery.send(
        provider,
        claim(session, settings, clock),
        settings,
        keep_going=lambda: not gateway.requests,
    )
    assert [bool(result.provider_message_id) for result in results] == [True, False, False]
    assert record(session, settings, results, clock) == {"sent": 1, "queued": 2}


def test_one_message_that_breaks_the_provider_does_not_stop_the_batch(
    session, app_context, settings, clock, caplog
):
    class Flaky:
        keeps_secrets = False

        def send(self, message: Outgoing) -> str:
            if message.idempotency_key == "appeal:A1":
                raise ValueError("a bug")
            return "id-2"

    first = queue(session, clock.now, key="appeal:A1")
    second = queue(session, clock.now, key="appeal:A2")
    assert deliver(session, Flaky(), settings, clock) == {"queued": 1, "sent": 1}
    assert first.last_error == "error" and second.state == MessageState.SENT
    assert PHONE not in caplog.text


def test_in_development_the_code_stays_readable_for_the_tester(
    session, app_context, settings, clock
):
    message = queue(session, clock.now)
    assert deliver(session, LogProvider(reveal=True), settings, clock) == {"sent": 1}
    assert "246810" in message.body


def test_what_the_gateway_receives_is_the_json_the_readme_describes(session, gateway, run, clock):
    queue(session, clock.now)
    run()
    assert set(gateway.requests[0]) == {
        "idempotency_key",
        "to",
        "text",
        "template",
        "params",
        "language",
    }
    assert gateway.headers[0]["content-type"] == "application/json; charset=utf-8"
    assert json.dumps(gateway.requests[0]["params"]) == '{"code": "246810", "minutes": 5}'


def test_a_gateway_that_trickles_its_answer_is_cut_off_at_the_timeout(session, gateway, run, clock):
    gateway.answer_next(Answer(drip=0.2))  # each byte within the socket timeout, 4 s in all
    message = queue(session, clock.now)
    started = time.monotonic()
    assert run() == {"queued": 1}
    assert time.monotonic() - started < 1.5  # the provider's timeout is 0.5 s
    assert message.last_error == "timeout"


def test_a_redirecting_gateway_keeps_the_messages_for_later(session, gateway, run, clock, caplog):
    gateway.answer_next(Answer(status=301))
    message = queue(session, clock.now)
    assert run() == {"queued": 1}
    assert message.last_error == "http_301" and "redirect" in caplog.text
    assert "246810" in message.body  # still to be sent, so not forgotten


def test_a_worker_that_died_on_the_last_attempt_gets_another_chance(
    session, gateway, run, clock, settings
):
    message = queue(session, clock.now)
    message.attempts, message.claims = settings.max_attempts, settings.max_attempts
    message.state = MessageState.SENDING  # claimed for the last attempt; its worker died
    session.flush()
    assert run() == {"sent": 1}
    assert gateway.deliveries == {"appeal:A1": 1}


def test_a_message_that_keeps_killing_workers_is_given_up(session, gateway, run, clock, settings):
    message = queue(session, clock.now)
    message.state = MessageState.SENDING
    message.attempts = settings.max_attempts + delivery.CRASHES_FORGIVEN
    session.flush()
    assert run() == {"failed": 1}
    assert message.last_error == "worker_stopped" and gateway.requests == []
