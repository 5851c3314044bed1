"""The SMS outbox: one row per message, written in the same transaction as its cause."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, enum_column


class MessageState(StrEnum):
    QUEUED = "queued"  # waiting for its first attempt or its next one
    SENDING = "sending"  # claimed by a worker; due again if the worker's lease runs out
    SENT = "sent"  # the gateway accepted it
    DELIVERED = "delivered"  # the gateway reported that it reached the phone
    UNDELIVERABLE = "undeliverable"  # the gateway reported that it never will
    FAILED = "failed"  # refused by the gateway, or out of attempts; an admin may retry it
    EXPIRED = "expired"  # not sent in time to be of use (a sign-in code, say)


# States from which the worker has nothing more to do.
FINISHED = frozenset(
    {
        MessageState.SENT,
        MessageState.DELIVERED,
        MessageState.UNDELIVERABLE,
        MessageState.FAILED,
        MessageState.EXPIRED,
    }
)

# States in which a message never reached the phone and never will.
NEVER_SENT = frozenset({MessageState.FAILED, MessageState.UNDELIVERABLE, MessageState.EXPIRED})


class SmsMessage(Base):
    __tablename__ = "sms_messages"
    __table_args__ = (
        Index("ix_sms_messages_state_created_at", "state", "created_at"),
        Index("ix_sms_messages_phone_masked_created_at", "phone_masked", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Chosen by the cause ("what event, which message"): the same key never makes a second
    # message, and it goes with every attempt so that the gateway can ignore a resend.
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    phone: Mapped[str] = mapped_column(String(11))
    # 138****5678: what staff see and search by.
    phone_masked: Mapped[str] = mapped_column(String(11))
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    locale: Mapped[str] = mapped_column(String(16))
    # Rendered when queued, so that every attempt sends the same words.
    body: Mapped[str] = mapped_column(Text)
    length: Mapped[int]
    segments: Mapped[int]
    # What caused it, as "<table>:<id>" or a tracking number.
    cause: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[MessageState] = mapped_column(enum_column(MessageState))
    # Attempts in the current round (an administrator's retry starts a new round).
    attempts: Mapped[int] = mapped_column(default=0)
    # How many times a worker has claimed it, ever: a worker's result counts only while its
    # claim is still the latest, so a worker overtaken after its lease ran out changes nothing.
    claims: Mapped[int] = mapped_column(default=0)
    # When a worker should next look at it: None once it is finished. A claimed message's
    # lease runs out here, so a message whose worker died is taken up again.
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    # After this it is no use sending it.
    expires_at: Mapped[datetime | None]
    # The worker (host and process) that last claimed it.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    provider_message_id: Mapped[str | None] = mapped_column(String(128))
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(index=True)
    sent_at: Mapped[datetime | None]
    # When the gateway reported delivery, or that it could not deliver.
    receipt_at: Mapped[datetime | None]
