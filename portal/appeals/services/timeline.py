"""An appeal's timeline and its audit trail: the steps as the resident and staff read them,
and the staff actions written to the audit log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from portal.appeals.models import (
    Appeal,
    AppealEvent,
    EventKind,
)
from portal.audit import services as audit
from portal.permissions import Actor

_INSERT_EVENT = insert(AppealEvent.__table__)


def add_event(
    session: Session,
    appeal: Appeal,
    kind: EventKind,
    *,
    actor: Actor | None,
    now: datetime,
    note: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    # A plain INSERT, at once: the timeline is in the order of the steps, and no step reads
    # its events back as objects (timeline() queries them).
    insert_event(
        session, appeal, event_values(appeal, kind, actor, now, note=note, details=details)
    )


def insert_event(session: Session, appeal: Appeal, values: dict[str, Any]) -> None:
    session.execute(_INSERT_EVENT, {**values, "appeal_id": appeal.id, "level": appeal.level})


def event_values(
    appeal: Appeal,
    kind: EventKind,
    actor: Actor | None,
    now: datetime,
    *,
    note: str = "",
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An event's row but for the appeal's id and level (which a new appeal gets written)."""
    return {
        "at": now,
        "kind": kind,
        "actor_id": getattr(actor, "id", None),
        "state": appeal.state,
        "note": note,
        "details": details or {},
    }


def audit_step(
    session: Session,
    action: str,
    actor: Actor | None,
    appeal: Appeal,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> None:
    audit.record(
        session,
        action,
        actor=actor,
        target=appeal,
        now=now,
        details={"tracking": appeal.tracking, **(details or {})},
    )


def timeline(session: Session, appeal: Appeal, *, for_resident: bool = False) -> list[AppealEvent]:
    """The appeal's steps in order; the resident's page leaves out the portal's own
    housekeeping (the codes sent again while it waited for one)."""
    events = session.scalars(
        select(AppealEvent)
        .where(AppealEvent.appeal_id == appeal.id)
        .order_by(AppealEvent.at, AppealEvent.id)
    )
    return [event for event in events if not (for_resident and _housekeeping(event))]


def _housekeeping(event: AppealEvent) -> bool:
    return event.kind == EventKind.SUBMITTED and bool(event.details.get("resent"))
