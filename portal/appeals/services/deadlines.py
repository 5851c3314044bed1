"""The deadlines an appeal carries, and the moves of the loop that set them.

`due_at` is the deadline of the clock now running; `sweep_at` is when the clock sweep must
next look at the appeal. Both move together, through set_due, wherever a deadline changes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from portal.appeals import sla
from portal.appeals.models import (
    Appeal,
    AppealState,
    EventKind,
)
from portal.appeals.services.timeline import add_event
from portal.permissions import Actor


def set_due(appeal: Appeal, due: datetime | None) -> None:
    """Make `due` the deadline of the clock now running (None: no clock runs); the clock
    sweep looks at the appeal again when it passes."""
    appeal.due_at = due
    appeal.sweep_at = due


def start_clocks(appeal: Appeal, start: datetime, clocks: sla.Clocks) -> None:
    """Start every clock of the appeal at `start` (its confirmation, or its reopening)."""
    item = appeal.item
    due = sla.deadlines(
        clocks,
        start,
        item.handling,
        # A meeting asked for is promised by the meeting request's own clocks, once one
        # took it up (portal/meetings); the appeal keeps a contact clock only until then.
        needs_contact=appeal.urgent or (appeal.wants_meeting and appeal.meeting_reference is None),
        resolve_in=timedelta(minutes=item.resolve_minutes) if item.resolve_minutes else None,
    )
    appeal.accept_due_at = due.accept
    appeal.contact_due_at = due.contact
    appeal.resolve_due_at = due.resolve
    appeal.first_contact_at = None
    appeal.overdue_alerted_at = None
    appeal.handler_id = None
    appeal.escalations = 0
    appeal.is_open = True
    set_due(appeal, due.accept)


def wait_for_acceptance(appeal: Appeal, now: datetime, clocks: sla.Clocks) -> None:
    """The appeal waits in a new queue to be taken, with a fresh acceptance clock (the
    resident's resolution deadline runs on)."""
    appeal.state = AppealState.RECEIVED
    appeal.handler_id = None
    appeal.accepted_at = None
    appeal.is_open = True
    appeal.accept_due_at = now + clocks.accept
    set_due(appeal, appeal.accept_due_at)
    appeal.escalations = 0


def set_handling_due(appeal: Appeal) -> None:
    """While handled, the contact deadline runs until the resident is contacted, then the
    resolution's."""
    waiting_contact = appeal.contact_due_at is not None and appeal.first_contact_at is None
    set_due(appeal, appeal.contact_due_at if waiting_contact else appeal.resolve_due_at)


def finish(appeal: Appeal, state: AppealState, now: datetime, *, closed: bool = True) -> None:
    """The appeal leaves the loop in `state`, no clock running."""
    appeal.state = state
    appeal.is_open = False
    set_due(appeal, None)
    if closed:
        appeal.closed_at = now


def hide_as(
    session: Session,
    appeal: Appeal,
    now: datetime,
    *,
    kind: EventKind,
    actor: Actor | None = None,
    note: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    """Take the appeal out of the loop (its queue stays, for staff to restore it)."""
    appeal.hidden_from = appeal.state
    finish(appeal, AppealState.HIDDEN, now, closed=False)
    add_event(session, appeal, kind, actor=actor, now=now, note=note, details=details)


def minutes_of(delta: timedelta) -> int:
    """A clock in whole minutes, as SMS say it."""
    return int(delta.total_seconds() // 60)
