"""Writing to the audit log, and reading it back for administrators.

Every feature records its staff actions here in the same transaction as the action itself,
so the log cannot claim what did not happen. The client's address reaches the log through
`origin`, set once per request (or "cli" per command), so services need not carry it.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from portal.audit.models import AuditEvent, Outcome
from portal.permissions import Actor, Permission, require

_origin: ContextVar[str | None] = ContextVar("audit_origin", default=None)


def set_origin(origin: str | None) -> None:
    """Say where the actions of this request or command come from (an IP address or "cli")."""
    _origin.set(origin)


def record(
    session: Session,
    action: str,
    *,
    actor: Actor | None,
    now: datetime,
    target: Any = None,
    outcome: Outcome = Outcome.SUCCESS,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an event to the log; `target` is a model instance, or a (type, id) pair."""
    target_type = target_id = None
    if isinstance(target, tuple):
        target_type, target_id = target
    elif target is not None:
        target_type, target_id = target.__tablename__, target.id
    event = AuditEvent(
        occurred_at=now,
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        origin=_origin.get(),
        outcome=outcome,
        details=details or {},
    )
    session.add(event)
    session.flush()
    return event


def events_query(actor: Actor, *, action: str = "", actor_id: int | None = None) -> Select:
    """The log for `actor` to read, newest first, optionally of one action or one person."""
    require(actor, Permission.VIEW_AUDIT)
    query = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action == action)
    if actor_id:
        query = query.where(AuditEvent.actor_id == actor_id)
    return query
