"""What the handler of an appeal does: take it, record the contact with the resident, start,
resolve it with a note and photos, or send it to another level or another team.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.appeals.models import Appeal, AppealState, EventKind, PhotoStage
from portal.appeals.services.access import require_act, require_handler
from portal.appeals.services.deadlines import set_due, set_handling_due, wait_for_acceptance
from portal.appeals.services.intake import DESCRIPTION_MAX, check_reason
from portal.appeals.services.photos import MAX_PHOTOS, attach_photos
from portal.appeals.services.routing import (
    alert_queue,
    dispatch_to,
    place_for_level,
    queue_in,
    transfer_targets,
)
from portal.appeals.services.timeline import add_event, audit_step
from portal.appeals.settings import AppealSettings
from portal.appeals.states import Action
from portal.catalogue.models import Level
from portal.errors import Invalid
from portal.notifications.services import queue_sms
from portal.uploads.models import Upload


def accept(session: Session, actor: User, appeal: Appeal, *, now: datetime) -> None:
    """Take the appeal; the resident is told who handles it and how to reach them."""
    require_act(actor, appeal, Action.ACCEPT)
    appeal.state = AppealState.ACCEPTED
    appeal.handler_id = actor.id
    appeal.handler = actor
    appeal.accepted_at = now
    set_handling_due(appeal)
    add_event(session, appeal, EventKind.ACCEPTED, actor=actor, now=now)
    audit_step(session, "appeals.accept", actor, appeal, now)
    queue_sms(
        session,
        phone=appeal.phone,
        kind="appeal_accepted",
        # Never the handler's own number, masked or not: the resident cannot call that.
        params={
            "tracking": appeal.tracking,
            "handler": actor.display_name.strip(),
            "phone": public_number(appeal),
        },
        locale=appeal.locale,
        key=f"appeal:{appeal.id}:accepted:{now.timestamp()}",
        cause=f"appeals:{appeal.id}",
        now=now,
    )


def public_number(appeal: Appeal) -> str:
    """The number a resident may call about the appeal, as the door page shows it: the office
    line of its unit, the work number of the grid, community or street whose queue holds it,
    else the community's hotline; empty when none is set."""
    if appeal.unit is not None and appeal.unit.phone:
        return appeal.unit.phone
    if appeal.queue_place is not None and appeal.queue_place.phone:
        return appeal.queue_place.phone
    return place_for_level(appeal.building, Level.COMMUNITY).phone


def record_contact(session: Session, actor: User, appeal: Appeal, *, now: datetime) -> None:
    """The handler has called or met the resident (the 30-minute promise)."""
    require_act(actor, appeal, Action.CONTACT)
    if appeal.first_contact_at is not None:
        raise Invalid(_l("Contact with the resident is already recorded."))
    appeal.first_contact_at = now
    set_handling_due(appeal)
    add_event(session, appeal, EventKind.CONTACTED, actor=actor, now=now)
    audit_step(session, "appeals.contact", actor, appeal, now)


def start(session: Session, actor: User, appeal: Appeal, *, now: datetime) -> None:
    require_act(actor, appeal, Action.START)
    require_handler(actor, appeal)
    appeal.state = AppealState.IN_PROGRESS
    add_event(session, appeal, EventKind.STARTED, actor=actor, now=now)
    audit_step(session, "appeals.start", actor, appeal, now)


def resolve(
    session: Session,
    actor: User,
    appeal: Appeal,
    note: str,
    *,
    now: datetime,
    settings: AppealSettings,
    photos: Sequence[Upload] = (),
) -> None:
    """Mark it resolved with a note (and photos) the resident reads; the resident is asked
    to rate it, and the residents of duplicates merged into it are told too."""
    require_act(actor, appeal, Action.RESOLVE)
    require_handler(actor, appeal)
    note = (note or "").strip()
    if len(note) < 2:
        raise Invalid(_l("Say what was done, so that the resident can read it."), field="note")
    if len(note) > DESCRIPTION_MAX:
        raise Invalid(
            _l("Keep it within %(limit)d characters.", limit=DESCRIPTION_MAX), field="note"
        )
    if len(photos) > MAX_PHOTOS:
        raise Invalid(_l("Up to 3 photos can be sent."), field="photos")
    appeal.state = AppealState.RESOLVED
    appeal.resolved_at = now
    appeal.resolution_note = note
    appeal.is_open = False
    set_due(appeal, now + settings.clocks.review)
    attach_photos(session, appeal, photos, PhotoStage.RESOLUTION, now=now)
    add_event(session, appeal, EventKind.RESOLVED, actor=actor, now=now, note=note)
    audit_step(session, "appeals.resolve", actor, appeal, now)
    duplicates = session.scalars(select(Appeal).where(Appeal.merged_into_id == appeal.id))
    for told in [appeal, *duplicates]:
        queue_sms(
            session,
            phone=told.phone,
            kind="appeal_resolved",
            params={"tracking": appeal.tracking, "url": settings.tracking_url(appeal.tracking)},
            locale=told.locale,
            key=f"appeal:{appeal.id}:resolved:{appeal.reopen_count}:{told.id}",
            cause=f"appeals:{appeal.id}",
            now=now,
        )


def relevel(
    session: Session,
    actor: User,
    appeal: Appeal,
    level: int,
    reason: str,
    *,
    now: datetime,
    settings: AppealSettings,
) -> None:
    """Send the appeal to another level's queue; it waits there to be accepted again."""
    require_act(actor, appeal, Action.RELEVEL)
    if level not in (1, 2, 3):
        raise Invalid(_l("Choose level 1, 2 or 3."), field="level")
    if level == appeal.level:
        raise Invalid(_l("The report is already at this level."), field="level")
    reason = check_reason(reason)
    before = appeal.level
    wait_for_acceptance(appeal, now, settings.clocks)
    dispatch_to(session, appeal, level)
    details = {"from": before, "to": level}
    add_event(
        session, appeal, EventKind.RELEVELLED, actor=actor, now=now, note=reason, details=details
    )
    audit_step(session, "appeals.relevel", actor, appeal, now, {**details, "reason": reason})
    alert_queue(
        session,
        appeal,
        "appeal_new",
        now=now,
        step=f"relevel:{now.timestamp()}",
        clocks=settings.clocks,
    )


def transfer(
    session: Session,
    actor: User,
    appeal: Appeal,
    target_key: str,
    reason: str,
    *,
    now: datetime,
    settings: AppealSettings,
) -> None:
    """Send the appeal to another queue (it was not this team's to handle); it waits there to
    be taken, and that team is told."""
    require_act(actor, appeal, Action.TRANSFER)
    target = next(
        (t for t in transfer_targets(session, appeal) if t.key == target_key),
        None,
    )
    if target is None:
        raise Invalid(_l("Choose where to send the report."), field="target")
    reason = check_reason(reason)
    before = _queue_key(appeal)
    wait_for_acceptance(appeal, now, settings.clocks)
    queue_in(session, appeal, target.queue)
    details = {"from": before, "to": target.key, "level": appeal.level}
    add_event(
        session, appeal, EventKind.TRANSFERRED, actor=actor, now=now, note=reason, details=details
    )
    audit_step(session, "appeals.transfer", actor, appeal, now, {**details, "reason": reason})
    alert_queue(
        session,
        appeal,
        "appeal_new",
        now=now,
        step=f"transfer:{now.timestamp()}",
        clocks=settings.clocks,
    )


def _queue_key(appeal: Appeal) -> str:
    return f"unit:{appeal.unit_id}" if appeal.unit_id else f"place:{appeal.queue_place_id}"
