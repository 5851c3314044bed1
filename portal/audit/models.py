"""Audit events: append-only; nothing in the portal updates or deletes them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, enum_column

if TYPE_CHECKING:
    # Mapped by name: the audit log sits below accounts, which record into it.
    from portal.accounts.models import User


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    DENIED = "denied"


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_target", "target_type", "target_id"),
        Index("ix_audit_events_actor_id_occurred_at", "actor_id", "occurred_at"),
        Index("ix_audit_events_action_occurred_at", "action", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    # None for the command line (the server's operator) or for someone not signed in.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # What happened, as "<feature>.<verb>", e.g. "accounts.sign_in".
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64))
    # The client's address, "cli" for the command line; None when unknown.
    origin: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome))
    # Small facts worth keeping (a role and place granted, a reason). Never a full phone number.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship(lazy="joined")
