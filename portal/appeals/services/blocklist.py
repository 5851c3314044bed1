"""The blocklist: phones whose reports are held for staff to look at before they reach anyone.
Secretaries, officers and administrators keep it.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.appeals.models import (
    BlockedPhone,
)
from portal.appeals.services.intake import check_phone, check_reason
from portal.audit import services as audit
from portal.errors import Forbidden, NotFound
from portal.permissions import Actor, Role, require_staff
from portal.phones import mask_phone

BLOCKLIST_ROLES = frozenset({Role.SECRETARY, Role.OFFICER, Role.ADMIN})


def keeps_blocklist(actor: Actor) -> bool:
    """Secretaries, officers and administrators keep the blocklist (it holds reports
    district-wide, so a grid worker asks them)."""
    return any(grant.role in BLOCKLIST_ROLES for grant in getattr(actor, "grants", ()))


def require_blocklist_keeper(actor: Actor) -> None:
    require_staff(actor)
    if not keeps_blocklist(actor):
        raise Forbidden(_l("Only a secretary or an officer can change the blocklist."))


def block(session: Session, actor: User, phone: str, reason: str, *, now: datetime) -> BlockedPhone:
    require_blocklist_keeper(actor)
    phone = check_phone(phone)
    reason = check_reason(reason)[:200]
    known = session.scalar(select(BlockedPhone).where(BlockedPhone.phone == phone))
    if known is not None:
        return known
    entry = BlockedPhone(phone=phone, reason=reason, blocked_by_id=actor.id, blocked_at=now)
    session.add(entry)
    session.flush()
    _audit_blocklist(session, "appeals.block_phone", actor, entry, now)
    return entry


def unblock(session: Session, actor: User, entry_id: int, *, now: datetime) -> None:
    require_blocklist_keeper(actor)
    entry = session.get(BlockedPhone, entry_id)
    if entry is None:
        raise NotFound(_l("This number is not on the blocklist."))
    _audit_blocklist(session, "appeals.unblock_phone", actor, entry, now)
    session.delete(entry)
    session.flush()


def _audit_blocklist(
    session: Session, action: str, actor: User, entry: BlockedPhone, now: datetime
) -> None:
    # The log keeps the masked number: the blocklist itself is the one place it is whole.
    audit.record(
        session, action, actor=actor, target=None, now=now,
        details={"phone": mask_phone(entry.phone), "reason": entry.reason},
    )  # fmt: skip


def blocklist(session: Session, actor: Actor) -> list[BlockedPhone]:
    require_blocklist_keeper(actor)
    return list(session.scalars(select(BlockedPhone).order_by(BlockedPhone.blocked_at.desc())))
