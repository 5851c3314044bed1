"""Duplicates and spam: merging a neighbour's report of the same problem into the one that goes
on, setting spam aside, and putting a report back.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.appeals.events import MeetingWanted
from portal.appeals.models import (
    Appeal,
    AppealState,
    EventKind,
)
from portal.appeals.services.access import can_view, find, lock, require_act
from portal.appeals.services.blocklist import block, keeps_blocklist
from portal.appeals.services.deadlines import finish, hide_as, set_handling_due, start_clocks
from portal.appeals.services.intake import check_reason, tell_received
from portal.appeals.services.routing import alert_queue
from portal.appeals.services.timeline import add_event, audit_step
from portal.appeals.settings import AppealSettings
from portal.appeals.states import OPEN, WAITING, Action
from portal.errors import Invalid
from portal.events import publish
from portal.notifications.services import queue_sms

# Appeals of the same item at the same building this recent are offered as duplicates.
DUPLICATE_WINDOW = timedelta(days=30)


def possible_duplicates(session: Session, appeal: Appeal, *, limit: int = 5) -> list[Appeal]:
    """Other appeals of the same item at the same building within 30 days either side: the
    same leaking pipe, reported by a neighbour."""
    if appeal.received_at is None:
        return []
    window = (appeal.received_at - DUPLICATE_WINDOW, appeal.received_at + DUPLICATE_WINDOW)
    return list(
        session.scalars(
            select(Appeal)
            .where(
                Appeal.building_id == appeal.building_id,
                Appeal.item_id == appeal.item_id,
                Appeal.received_at.between(*window),
                Appeal.id != appeal.id,
                Appeal.state.in_(OPEN),
            )
            .order_by(Appeal.received_at.desc())
            .limit(limit)
        )
    )


def merge(
    session: Session,
    actor: User,
    duplicate: Appeal,
    into: str,
    *,
    now: datetime,
    settings: AppealSettings,
) -> Appeal:
    """Merge `duplicate` into the appeal numbered `into`, a report of the same building still
    being handled, which goes on. The duplicate's resident (and the residents of reports
    merged into it before) follow the survivor: they are texted its number now and told
    again when it is resolved."""
    survivor = find(session, into)
    if survivor is not None and survivor.id != duplicate.id:
        # Both rows, in one order, so that merging A into B and B into A at once cannot
        # leave two reports pointing at each other.
        first, second = sorted((duplicate, survivor), key=lambda appeal: appeal.id)
        lock(session, first)
        lock(session, second)
    require_act(actor, duplicate, Action.MERGE)
    if survivor is not None and survivor.id == duplicate.id:
        raise Invalid(_l("A report cannot be merged into itself."), field="into")
    # One answer for a number that does not exist, is closed, or is another building's: the
    # form must not tell which numbers are real, and where (as staff lookups do not).
    if (
        survivor is None
        or survivor.state not in OPEN
        or survivor.building_id != duplicate.building_id
        or not can_view(actor, survivor)
    ):
        raise Invalid(
            _l("Give the number of a report of the same building that is still being handled."),
            field="into",
        )
    finish(duplicate, AppealState.MERGED, now)
    duplicate.merged_into_id = survivor.id
    session.execute(
        update(Appeal)
        .where(Appeal.merged_into_id == duplicate.id)
        .values(merged_into_id=survivor.id)
        .execution_options(synchronize_session="fetch")
    )
    add_event(
        session, duplicate, EventKind.MERGED, actor=actor, now=now,
        details={"into": survivor.tracking},
    )  # fmt: skip
    add_event(
        session, survivor, EventKind.DUPLICATE_JOINED, actor=actor, now=now,
        details={"from": duplicate.tracking},
    )  # fmt: skip
    audit_step(session, "appeals.merge", actor, duplicate, now, {"into": survivor.tracking})
    queue_sms(
        session,
        phone=duplicate.phone,
        kind="appeal_merged",
        params={
            "tracking": duplicate.tracking,
            "into": survivor.tracking,
            "url": settings.tracking_url(survivor.tracking),
        },
        locale=duplicate.locale,
        key=f"appeal:{duplicate.id}:merged",
        cause=f"appeals:{duplicate.id}",
        now=now,
    )
    return survivor


def hide(
    session: Session,
    actor: User,
    appeal: Appeal,
    reason: str,
    *,
    now: datetime,
    block_phone: bool = False,
) -> None:
    """Take spam out of the queue (staff can restore it); the phone may be blocked too, so
    that its next reports are held for a look before they reach anyone."""
    require_act(actor, appeal, Action.HIDE)
    reason = check_reason(reason)
    if session.scalar(select(Appeal.id).where(Appeal.merged_into_id == appeal.id).limit(1)):
        raise Invalid(_l("Other residents follow this report: it cannot be set aside."))
    if block_phone and not keeps_blocklist(actor):
        raise Invalid(
            _l("Only a secretary or an officer can change the blocklist."), field="block_phone"
        )
    # The reason is for staff (the resident's timeline says only that it was set aside).
    details = {"staff_note": reason}
    hide_as(session, appeal, now, kind=EventKind.HIDDEN, actor=actor, details=details)
    audit_step(session, "appeals.hide", actor, appeal, now, {"reason": reason})
    if block_phone:
        block(session, actor, appeal.phone, reason, now=now, within=appeal.building)


def restore(
    session: Session, actor: User, appeal: Appeal, *, now: datetime, settings: AppealSettings
) -> None:
    """Undo a hiding: the appeal returns to the state it left. One that waited to be taken
    starts its clocks again, for it was out of the loop; one being handled keeps them."""
    require_act(actor, appeal, Action.RESTORE)
    back = appeal.hidden_from or AppealState.RECEIVED
    appeal.hidden_from = None
    if back in WAITING:
        appeal.accepted_at = None
        start_clocks(appeal, now, settings.clocks)
        appeal.state = back
    else:
        appeal.state = back
        appeal.is_open = True
        set_handling_due(appeal)
    add_event(session, appeal, EventKind.RESTORED, actor=actor, now=now)
    audit_step(session, "appeals.restore", actor, appeal, now)
    if appeal.state in WAITING:
        # A report held on arrival never had its "received" SMS; the key sends it once.
        tell_received(session, appeal, now, settings)
        step = f"restored:{now.timestamp()}"
        alert_queue(session, appeal, "appeal_new", now=now, step=step, clocks=settings.clocks)
        if appeal.wants_meeting and appeal.meeting_reference is None:
            # Held on arrival, it never asked for its meeting: it does now.
            publish(session, MeetingWanted(appeal, now))
