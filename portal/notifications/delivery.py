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
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
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


@dataclass(frozen=True)
class Settings:
    batch_size: int
    # How long a claim keeps other workers away: more than a batch can take to send.
    lease: timedelta
    max_attempts: int
    retry_base: timedelta
    retry_cap: timedelta

    @classmethod
    def from_config(cls, config: Any) -> Settings:
        settings = cls(
            batch_size=int(config["SMS_BATCH_SIZE"]),
            lease=timedelta(seconds=float(config["SMS_LEASE_SECONDS"])),
            max_attempts=int(config["SMS_MAX_ATTEMPTS"]),
            retry_base=timedelta(seconds=float(config["SMS_RETRY_BASE_SECONDS"])),
            retry_cap=timedelta(seconds=float(config["SMS_RETRY_CAP_SECONDS"])),
        )
        worst_batch = settings.batch_size * float(config["SMS_GATEWAY_TIMEOUT"])
        if settings.lease.total_seconds() <= worst_batch:
            raise RuntimeError(
                "SMS_LEASE_SECONDS must exceed SMS_BATCH_SIZE × SMS_GATEWAY_TIMEOUT, or a slow "
                "gateway would let a second worker claim messages still being sent."
            )
        return settings


@dataclass(frozen=True)
class Claim:
    message_id: int
    attempt: int
    outgoing: Outgoing


@dataclass(frozen=True)
class Result:
    claim: Claim
    provider_message_id: str | None = None
    failure: DeliveryFailure | None = None


def retry_delay(attempt: int, settings: Settings, rng: random.Random) -> timedelta:
    """Exponential back-off with jitter: about base × 2^(attempt-1), capped, times 0.5–1.

    The jitter spreads out the retries of many messages that failed together, so a gateway
    coming back up is not hit by all of them in the same second.
    """
    ceiling = min(settings.retry_cap, settings.retry_base * 2 ** (attempt - 1))
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

    Messages past their use, or out of attempts, are finished here instead (and counted in
    `tally`).
    """
    due = session.scalars(
        select(SmsMessage)
        .where(SmsMessage.next_attempt_at <= now)
        .order_by(SmsMessage.next_attempt_at, SmsMessage.id)
        .limit(settings.batch_size)
        .with_for_update(skip_locked=True)
    ).all()
    claims = []
    for message in due:
        if message.expires_at is not None and message.expires_at <= now:
            _finish(message, MessageState.EXPIRED, "expired")
        elif message.attempts >= settings.max_attempts:
            # Claimed that many times and never recorded: its workers keep dying on it.
            _finish(message, MessageState.FAILED, "worker_stopped")
        else:
            message.state = MessageState.SENDING
            message.attempts += 1
            message.next_attempt_at = now + settings.lease
            message.claimed_by = worker
            claims.append(Claim(message.id, message.attempts, _outgoing(message)))
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


def send(provider: Provider, claims: list[Claim]) -> list[Result]:
    """Hand each claimed message to the provider; nothing here touches the database."""
    results = []
    for item in claims:
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
    tally: Counter[str],
) -> None:
    """Record the results of one batch, count them in `tally`, and commit.

    A result counts only if its claim is still the message's latest one: a worker slower than
    its lease has been overtaken, and the one that overtook it records instead.
    """
    if not results:
        return
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
        if message is None or message.attempts != result.claim.attempt:
            continue
        if result.provider_message_id is not None:
            message.provider_message_id = message.provider_message_id or result.provider_message_id
            message.sent_at = message.sent_at or now
            if message.state == MessageState.SENDING:
                _finish(message, MessageState.SENT, None)
        elif message.state != MessageState.SENDING:
            continue  # a delivery receipt got here first; it knows better than a timeout
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


def deliver_due(
    session: Session,
    provider: Provider,
    settings: Settings,
    *,
    worker: str,
    clock: Callable[[], datetime],
    rng: random.Random | None = None,
) -> Counter[str]:
    """Claim, send and record one batch of due messages.

    Returns how many of the batch ended in each state ("sent", "queued" for a retry later,
    "failed", ...); an empty count means nothing was due.
    """
    keeps = provider.keeps_secrets
    tally: Counter[str] = Counter()
    claims = claim(session, settings, worker=worker, now=clock(), keeps_secrets=keeps, tally=tally)
    results = send(provider, claims)
    record(
        session,
        settings,
        results,
        now=clock(),
        keeps_secrets=keeps,
        rng=rng or random.Random(),  # noqa: S311 (jitter, not a secret)
        tally=tally,
    )
    return tally
