"""Delivering the outbox: claim due messages, hand them to the provider, record what happened.

A worker claims a small batch in one committed transaction: each message becomes `sending`,
with a lease until which no other worker will touch it. On PostgreSQL the claim skips rows
another worker has locked (FOR UPDATE SKIP LOCKED), so several workers never claim the same
message; on SQLite transactions run one at a time anyway. The worker then sends, and records
every result of the batch in a second transaction. A worker that dies in between leaves its
messages `sending`; when the lease runs out another worker claims them again, and the
idempotency key sent with every attempt lets the gateway ignore what it already took.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from portal.notifications.models import FINISHED, MessageState, SmsMessage
from portal.notifications.providers import (
    DeliveryFailure,
    Outgoing,
    PermanentFailure,
    Provider,
    TemporaryFailure,
)
from portal.notifications.services import forget_secrets

log = logging.getLogger(__name__)


# A message whose workers died while sending it gets this many claims beyond its attempts
# before it is marked failed: one crash on its last attempt must not lose it, and a message
# that kills every worker that touches it must not stop the outbox for good.
CRASHES_FORGIVEN = 2
# Tries at recording a batch's results (the database may blink) before leaving the batch to be
# claimed again when its lease runs out (and resent: harmless, but avoidable).
RECORD_TRIES = 3


@dataclass(frozen=True)
class Settings:
    batch_size: int
    # How long a claim keeps other workers away: more than a batch can take to send.
    lease: timedelta
    max_attempts: int
    retry_base: timedelta
    retry_cap: timedelta
    # The most one request to the gateway may take (the provider enforces it).
    send_timeout: float = 5.0

    @classmethod
    def from_config(cls, config: Any) -> Settings:
        settings = cls(
            batch_size=int(config["SMS_BATCH_SIZE"]),
            lease=timedelta(seconds=float(config["SMS_LEASE_SECONDS"])),
            max_attempts=int(config["SMS_MAX_ATTEMPTS"]),
            retry_base=timedelta(seconds=float(config["SMS_RETRY_BASE_SECONDS"])),
            retry_cap=timedelta(seconds=float(config["SMS_RETRY_CAP_SECONDS"])),
            send_timeout=float(config["SMS_GATEWAY_TIMEOUT"]),
        )
        problems = [
            message
            for wrong, message in [
                (settings.batch_size < 1, "SMS_BATCH_SIZE must be at least 1."),
                (settings.max_attempts < 1, "SMS_MAX_ATTEMPTS must be at least 1."),
                (settings.send_timeout <= 0, "SMS_GATEWAY_TIMEOUT must be more than 0."),
                (
                    settings.retry_base.total_seconds() < 1,
                    "SMS_RETRY_BASE_SECONDS must be at least 1.",
                ),
                (
                    settings.retry_cap < settings.retry_base,
                    "SMS_RETRY_CAP_SECONDS must be at least SMS_RETRY_BASE_SECONDS.",
                ),
                (
                    settings.lease.total_seconds() <= settings.batch_size * settings.send_timeout,
                    "SMS_LEASE_SECONDS must exceed SMS_BATCH_SIZE × SMS_GATEWAY_TIMEOUT, or a "
                    "slow gateway would let a second worker claim messages still being sent.",
                ),
            ]
            if wrong
        ]
        if problems:
            raise RuntimeError(" ".join(problems))
        return settings


@dataclass(frozen=True)
class Claim:
    message_id: int
    # The message's claim count when claimed: the result counts only if it is still this.
    token: int
    # time.monotonic() at which the lease runs out (the worker's own clock, not the wall's).
    lease_ends: float
    outgoing: Outgoing


@dataclass(frozen=True)
class Result:
    claim: Claim
    provider_message_id: str | None = None
    failure: DeliveryFailure | None = None
    # Not sent: the worker is stopping, or the lease would run out before an answer came.
    released: bool = False


def retry_delay(attempt: int, settings: Settings, rng: random.Random) -> timedelta:
    """Exponential back-off with jitter: about base × 2^(attempt-1), capped, times 0.5–1.

    The jitter spreads out the retries of many messages that failed together, so a gateway
    coming back up is not hit by all of them in the same second.
    """
    ceiling = min(settings.retry_cap, settings.retry_base * 2 ** min(attempt - 1, 30))
    return ceiling * (0.5 + rng.random() / 2)


def _finish(message: SmsMessage, state: MessageState, error: str | None) -> None:
    message.state = state
    message.next_attempt_at = None
    message.last_error = error


def claim(
    session: Session,
    settings: Settings,
    *,
    worker: str,
    now: datetime,
    keeps_secrets: bool,
    tally: Counter[str],
) -> list[Claim]:
    """Claim up to a batch of due messages for `worker`, and commit the claim.

    Messages past their use, or whose workers keep dying on them, are finished here instead
    (and counted in `tally`).
    """
    due = session.scalars(
        select(SmsMessage)
        .where(SmsMessage.next_attempt_at <= now)
        .order_by(SmsMessage.next_attempt_at, SmsMessage.id)
        .limit(settings.batch_size)
        .with_for_update(skip_locked=True)
    ).all()
    lease_ends = time.monotonic() + settings.lease.total_seconds()
    claims = []
    for message in due:
        if message.expires_at is not None and message.expires_at <= now:
            _finish(message, MessageState.EXPIRED, "expired")
        elif (
            message.state == MessageState.SENDING
            and message.attempts >= settings.max_attempts + CRASHES_FORGIVEN
        ):
            _finish(message, MessageState.FAILED, "worker_stopped")
        else:
            message.state = MessageState.SENDING
            message.attempts += 1
            message.claims += 1
            message.next_attempt_at = now + settings.lease
            message.claimed_by = worker
            claims.append(Claim(message.id, message.claims, lease_ends, _outgoing(message)))
            continue
        tally[message.state.value] += 1
        if not keeps_secrets:
            forget_secrets(message)
    session.commit()
    return claims


def _outgoing(message: SmsMessage) -> Outgoing:
    return Outgoing(
        idempotency_key=message.idempotency_key,
        phone=message.phone,
        kind=message.kind,
        params=dict(message.params),
        locale=message.locale,
        body=message.body,
    )


def send(
    provider: Provider,
    claims: list[Claim],
    settings: Settings,
    *,
    keep_going: Callable[[], bool] = lambda: True,
) -> list[Result]:
    """Hand each claimed message to the provider; nothing here touches the database.

    A message is released unsent when the worker is stopping, or when its answer might come
    after the lease runs out (another worker could then send it at the same time).
    """
    results = []
    margin = settings.send_timeout + 1
    for item in claims:
        if not keep_going() or time.monotonic() + margin > item.lease_ends:
            results.append(Result(item, released=True))
            continue
        try:
            results.append(Result(item, provider_message_id=provider.send(item.outgoing)))
        except DeliveryFailure as failure:
            results.append(Result(item, failure=failure))
        except Exception:
            # A fault of ours or of the provider's library: logged (never the number) and
            # retried like a gateway that is down, so one bad message does not stop the rest.
            log.exception("Sending SMS message %s failed unexpectedly.", item.message_id)
            results.append(Result(item, failure=TemporaryFailure("error")))
    return results


def record(
    session: Session,
    settings: Settings,
    results: list[Result],
    *,
    now: datetime,
    keeps_secrets: bool,
    rng: random.Random,
) -> Counter[str]:
    """Record the results of one batch, and commit; return how many ended in each state.

    A result counts only if its claim is still the message's latest one: a worker slower than
    its lease has been overtaken, and the one that overtook it records instead.
    """
    tally: Counter[str] = Counter()
    if not results:
        return tally
    messages = {
        message.id: message
        for message in session.scalars(
            select(SmsMessage)
            .where(SmsMessage.id.in_([result.claim.message_id for result in results]))
            .with_for_update()
        )
    }
    for result in results:
        message = messages.get(result.claim.message_id)
        if message is None or message.claims != result.claim.token:
            continue
        if result.released:
            if message.state == MessageState.SENDING:
                message.state = MessageState.QUEUED
                message.attempts -= 1  # not an attempt: it never left
                message.next_attempt_at = now
        elif result.provider_message_id is not None:
            message.provider_message_id = message.provider_message_id or result.provider_message_id
            message.sent_at = message.sent_at or now
            if message.state == MessageState.SENDING:
                _finish(message, MessageState.SENT, None)
        elif message.state != MessageState.SENDING:
            pass  # a delivery receipt got here first; it knows better than a timeout
        elif (
            isinstance(result.failure, PermanentFailure)
            or message.attempts >= settings.max_attempts
        ):
            _finish(message, MessageState.FAILED, str(result.failure)[:300])
        else:
            message.state = MessageState.QUEUED
            message.next_attempt_at = now + retry_delay(message.attempts, settings, rng)
            message.last_error = str(result.failure)[:300]
        tally[message.state.value] += 1
        if message.state in FINISHED and not keeps_secrets:
            forget_secrets(message)
    session.commit()
    return tally


def deliver_due(
    session: Session,
    provider: Provider,
    settings: Settings,
    *,
    worker: str,
    clock: Callable[[], datetime],
    rng: random.Random | None = None,
    keep_going: Callable[[], bool] = lambda: True,
) -> Counter[str]:
    """Claim, send and record one batch of due messages.

    Returns how many of the batch ended in each state ("sent", "queued" for a retry later,
    "failed", ...); an empty count means nothing was due.
    """
    keeps = provider.keeps_secrets
    tally: Counter[str] = Counter()
    claims = claim(session, settings, worker=worker, now=clock(), keeps_secrets=keeps, tally=tally)
    results = send(provider, claims, settings, keep_going=keep_going)
    rng = rng or random.Random()  # noqa: S311 (jitter, not a secret)
    for attempt in range(1, RECORD_TRIES + 1):
        try:
            tally += record(session, settings, results, now=clock(), keeps_secrets=keeps, rng=rng)
            break
        except SQLAlchemyError:
            session.rollback()
            if attempt == RECORD_TRIES:
                raise
            log.warning("Recording a batch of SMS results failed; trying again.", exc_info=True)
            time.sleep(attempt)
    return tally
