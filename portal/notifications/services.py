"""The SMS outbox: queueing messages with their cause, and what administrators do with them.

A feature queues a message inside the transaction of the event that causes it; if that
transaction rolls back, the message never existed. Workers deliver it later (delivery.py).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, delete, func, select
from sqlalchemy.orm import Session

from portal.audit import services as audit
from portal.db import insert_ignoring_conflicts_statement
from portal.errors import Invalid, NotFound
from portal.notifications.messages import (
    has_secrets,
    redacted_params,
    render,
    segments,
    sms_length,
)
from portal.notifications.models import FINISHED, MessageState, SmsMessage
from portal.notifications.providers import without_phones
from portal.permissions import Actor, Permission, require
from portal.phones import mask_phone, normalize_phone


def queue_sms(
    session: Session,
    *,
    phone: str,
    kind: str,
    params: dict[str, Any],
    locale: str,
    key: str,
    now: datetime,
    cause: str | None = None,
    expires_at: datetime | None = None,
    not_before: datetime | None = None,
) -> int:
    """Queue a message of `kind` to `phone`, rendered in the recipient's `locale`, to be sent
    from `not_before` (None: at once); returns the message's id.

    `key` names the message for good: queueing the same key again returns the first message
    and sends nothing more.
    """
    values = message_values(
        phone=phone, kind=kind, params=params, locale=locale, key=key, now=now,
        cause=cause, expires_at=expires_at, not_before=not_before,
    )  # fmt: skip
    queued = session.scalar(queue_statement(session.get_bind().dialect.name), values)
    return queued if queued is not None else session.scalars(_BY_KEY, {"key": key}).one()


def message_values(
    *,
    phone: str,
    kind: str,
    params: dict[str, Any],
    locale: str,
    key: str,
    now: datetime,
    cause: str | None = None,
    expires_at: datetime | None = None,
    not_before: datetime | None = None,
) -> dict[str, Any]:
    """The outbox row of a message as queue_sms writes it, by column name."""
    number = normalize_phone(phone)
    if number is None:
        raise ValueError("queue_sms needs a valid mainland mobile number")
    body = render(kind, params, locale)
    return {
        "idempotency_key": key,
        "phone": number,
        "phone_masked": mask_phone(number),
        "kind": kind,
        "params": params,
        "locale": locale,
        "body": body,
        "length": sms_length(body),
        "segments": segments(body),
        "cause": cause,
        "state": MessageState.QUEUED,
        "attempts": 0,
        "claims": 0,
        "next_attempt_at": max(now, not_before) if not_before else now,
        "expires_at": expires_at,
        "created_at": now,
    }


@cache
def queue_statement(dialect: str) -> Any:
    """INSERT the message unless its key is taken, returning its id: a plain statement (every
    step of every appeal queues one), where the unit of work cost more than the statement.
    Built once per dialect."""
    table = SmsMessage.__table__
    return insert_ignoring_conflicts_statement(dialect, table, ("idempotency_key",)).returning(
        table.c.id
    )


_BY_KEY = select(SmsMessage.id).where(SmsMessage.idempotency_key == bindparam("key"))


def forget_secrets(message: SmsMessage) -> None:
    """Replace a sign-in code (or any secret) in a finished message with asterisks."""
    if not has_secrets(message.kind):
        return
    params = redacted_params(message.kind, message.params)
    if params != message.params:
        message.params = params
        message.body = render(message.kind, params, message.locale)


def secrets_forgotten(message: SmsMessage) -> bool:
    return has_secrets(message.kind) and redacted_params(message.kind, message.params) == (
        message.params
    )


def shown_body(message: SmsMessage) -> str:
    """The text as an administrator may read it: any secret in it replaced by asterisks."""
    if not has_secrets(message.kind):
        return message.body
    return render(message.kind, redacted_params(message.kind, message.params), message.locale)


# -- The development page -------------------------------------------------------------------


def latest_messages(session: Session, limit: int = 50) -> list[SmsMessage]:
    """The newest messages, for the development page that stands in for residents' phones."""
    return list(
        session.scalars(
            select(SmsMessage)
            .order_by(SmsMessage.created_at.desc(), SmsMessage.id.desc())
            .limit(limit)
        )
    )


# -- The administrators' outbox -------------------------------------------------------------

_MASKED = re.compile(r"1\d{2}\*{4}\d{4}")


def masked_search_term(raw: str) -> str:
    """What to look for: a number typed in full or as shown (138****5678), in its masked form."""
    typed = "".join(raw.split()).replace("＊", "*")
    if _MASKED.fullmatch(typed):
        return typed
    number = normalize_phone(typed)
    if number is None:
        raise Invalid(
            _l("Type the number in full, or as it is shown, like 138****5678."), field="phone"
        )
    return mask_phone(number)


def messages_query(
    actor: Actor, *, state: MessageState | None = None, phone_masked: str = ""
) -> Select:
    """The outbox for an administrator, newest first, optionally of one state or number."""
    require(actor, Permission.MANAGE_MESSAGES)
    query = select(SmsMessage).order_by(SmsMessage.created_at.desc(), SmsMessage.id.desc())
    if state is not None:
        query = query.where(SmsMessage.state == state)
    if phone_masked:
        query = query.where(SmsMessage.phone_masked == phone_masked)
    return query


def counts_by_state(session: Session, actor: Actor) -> dict[MessageState, int]:
    require(actor, Permission.MANAGE_MESSAGES)
    rows = session.execute(select(SmsMessage.state, func.count()).group_by(SmsMessage.state)).all()
    counts = dict.fromkeys(MessageState, 0)
    counts.update(dict(rows))
    return counts


# A due message no worker has taken within this is a sign that the workers are behind; no
# heartbeat within it, that none is running.
OVERDUE_AFTER = timedelta(minutes=2)


def overdue_count(session: Session, now: datetime) -> int:
    """How many messages have been due for longer than OVERDUE_AFTER (for monitoring)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(SmsMessage)
            .where(SmsMessage.next_attempt_at <= now - OVERDUE_AFTER)
        )
        or 0
    )


def still_of_use(message: SmsMessage, now: datetime) -> bool:
    """Whether sending it now would still help: not expired, its sign-in code not forgotten."""
    expired = message.expires_at is not None and message.expires_at <= now
    return not expired and not secrets_forgotten(message)


def can_retry(message: SmsMessage, now: datetime) -> bool:
    return message.state == MessageState.FAILED and still_of_use(message, now)


def retry(session: Session, actor: Actor, message_id: int, *, now: datetime) -> SmsMessage:
    """Queue a failed message again, with a fresh allowance of attempts (its claim count, which
    tells a late worker's result from a current one, goes on)."""
    require(actor, Permission.MANAGE_MESSAGES)
    message = session.scalar(
        select(SmsMessage).where(SmsMessage.id == message_id).with_for_update()
    )
    if message is None:
        raise NotFound(_l("There is no such message."))
    if message.state != MessageState.FAILED:
        raise Invalid(_l("Only a message that failed can be sent again."))
    if not still_of_use(message, now):
        raise Invalid(_l("This message is no longer of use, so it cannot be sent again."))
    message.state = MessageState.QUEUED
    message.attempts = 0
    message.next_attempt_at = now
    audit.record(
        session,
        "notifications.retry",
        actor=actor,
        now=now,
        target=message,
        details={"kind": message.kind, "last_error": message.last_error or ""},
    )
    return message


# -- Delivery receipts ----------------------------------------------------------------------

RECEIPT_STATES = {
    "delivered": MessageState.DELIVERED,
    "undeliverable": MessageState.UNDELIVERABLE,
}


def record_receipt(
    session: Session,
    *,
    key: str,
    status: str,
    now: datetime,
    keeps_secrets: bool,
    message_id: str | None = None,
    error: str = "",
) -> SmsMessage:
    """Mark a message delivered or undeliverable, as the gateway reports it.

    The same receipt twice changes nothing; a receipt may also arrive before the worker has
    recorded that the gateway took the message, or after it gave up waiting for an answer.
    """
    state = RECEIPT_STATES[status]
    message = session.scalar(
        select(SmsMessage).where(SmsMessage.idempotency_key == key).with_for_update()
    )
    if message is None or (message_id and message.provider_message_id not in (None, message_id)):
        raise NotFound(_l("There is no such message."))
    if message.state in (MessageState.DELIVERED, MessageState.UNDELIVERABLE):
        return message
    message.state = state
    message.receipt_at = now
    message.next_attempt_at = None
    message.provider_message_id = message.provider_message_id or message_id
    if state == MessageState.UNDELIVERABLE:
        detail = without_phones(error)
        message.last_error = f"undeliverable: {detail}" if detail else "undeliverable"
    if not keeps_secrets:
        forget_secrets(message)
    return message


# -- Keeping the outbox small ---------------------------------------------------------------


def purge_old_messages(session: Session, now: datetime, *, keep_days: int) -> int:
    """Delete finished messages older than `keep_days` (they hold residents' numbers)."""
    result = session.execute(
        delete(SmsMessage).where(
            SmsMessage.created_at < now - timedelta(days=keep_days),
            SmsMessage.state.in_(FINISHED),
        )
    )
    return result.rowcount
