"""The blocklist: phones whose reports are held for staff to look at before they reach anyone.

Each entry is for a place: it holds the reports from the buildings within it, and is kept
(added, seen, removed) by the secretaries, officers and administrators of that place or of an
area around it. Staff see the entries that hold reports in their area, those set for a wider
area too, but remove only those of their own area.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import literal, or_, select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.appeals.models import BlockedPhone
from portal.appeals.services.intake import check_phone, check_reason
from portal.audit import services as audit
from portal.db import serialize_on
from portal.errors import Forbidden, Invalid, NotFound
from portal.permissions import Actor, Role, Scoped, covers, require_staff
from portal.phones import mask_phone
from portal.places.models import Building, Place

BLOCKLIST_ROLES = frozenset({Role.SECRETARY, Role.OFFICER, Role.ADMIN})


def keeps_blocklist(actor: Actor) -> bool:
    """Secretaries, officers and administrators keep the blocklist of their area (a grid
    worker asks them)."""
    return any(grant.role in BLOCKLIST_ROLES for grant in getattr(actor, "grants", ()))


def require_blocklist_keeper(actor: Actor) -> None:
    require_staff(actor)
    if not keeps_blocklist(actor):
        raise Forbidden(_l("Only a secretary or an officer can change the blocklist."))


def kept_places(actor: Actor) -> list[Place | None]:
    """The places where `actor` keeps the blocklist, none inside another (None: everywhere)."""
    places = [g.place for g in getattr(actor, "grants", ()) if g.role in BLOCKLIST_ROLES]
    if None in places:
        return [None]
    widest = [
        place
        for place in places
        if not any(other is not place and _within(place, other) for other in places)
    ]
    return list({place.id: place for place in widest}.values())


def _within(place: Place, other: Place) -> bool:
    return place.path != other.path and place.path.startswith(other.path)


def keeps_entry(actor: Actor, entry: BlockedPhone) -> bool:
    """Whether `actor` may remove `entry`: it is for a place within their area."""
    return any(covers(place, entry.place) for place in kept_places(actor))


def block(
    session: Session,
    actor: User,
    phone: str,
    reason: str,
    *,
    now: datetime,
    within: Scoped | None = None,
) -> list[BlockedPhone]:
    """Block `phone` in the area where `actor` keeps the blocklist (or only in the part of it
    around `within`, the building of a report being set aside); return its entries."""
    require_blocklist_keeper(actor)
    phone = check_phone(phone)
    reason = check_reason(reason)[:200]
    places = kept_places(actor)
    if within is not None:
        places = [place for place in places if covers(place, within)]
        if not places:
            raise Invalid(
                _l("This report is outside the area where you keep the blocklist."),
                field="block_phone",
            )
    # Two keepers blocking the number at once add one entry for a place, not two.
    serialize_on(session, f"blocklist:{phone}")
    entries = []
    for place in places:
        place_id = place.id if place is not None else None
        known = session.scalar(
            select(BlockedPhone).where(BlockedPhone.phone == phone, _place_is(place_id))
        )
        if known is not None:
            entries.append(known)
            continue
        entry = BlockedPhone(
            phone=phone, place=place, reason=reason, blocked_by_id=actor.id, blocked_at=now
        )
        session.add(entry)
        session.flush()
        _audit_blocklist(session, "appeals.block_phone", actor, entry, now)
        entries.append(entry)
    return entries


def _place_is(place_id: int | None):
    if place_id is None:
        return BlockedPhone.place_id.is_(None)
    return BlockedPhone.place_id == place_id


def unblock(session: Session, actor: User, entry_id: int, *, now: datetime) -> None:
    """Remove an entry of the actor's area (refused, and logged as refused, for another's)."""
    require_blocklist_keeper(actor)
    entry = session.get(BlockedPhone, entry_id)
    if entry is None:
        raise NotFound(_l("This number is not on the blocklist."))
    if not keeps_entry(actor, entry):
        raise Forbidden(
            _l("This number was blocked for another area: its staff can remove it."),
            blocked_phone=entry.id,
        )
    _audit_blocklist(session, "appeals.unblock_phone", actor, entry, now)
    session.delete(entry)
    session.flush()


def _audit_blocklist(
    session: Session, action: str, actor: User, entry: BlockedPhone, now: datetime
) -> None:
    # The log keeps the masked number: the blocklist itself is the one place it is whole.
    audit.record(
        session, action, actor=actor, target=entry, now=now,
        details={
            "phone": mask_phone(entry.phone), "reason": entry.reason, "place_id": entry.place_id,
        },
    )  # fmt: skip


def blocklist(session: Session, actor: Actor) -> list[BlockedPhone]:
    """The entries that hold reports somewhere in the actor's area: those for places within
    it and those for areas around it (which the actor sees but may not remove)."""
    require_blocklist_keeper(actor)
    query = select(BlockedPhone).outerjoin(BlockedPhone.place)
    places = kept_places(actor)
    if None not in places:
        query = query.where(
            or_(
                BlockedPhone.place_id.is_(None),
                *(Place.path.startswith(place.path) for place in places),
                *(literal(place.path).startswith(Place.path) for place in places),
            )
        )
    return list(session.scalars(query.order_by(BlockedPhone.blocked_at.desc(), BlockedPhone.id)))


def is_blocked(session: Session, phone: str, building_id: int) -> bool:
    """Whether reports from `phone` about the building are held: an entry for the number is
    for a place around the building, or for everywhere."""
    building = session.get(Building, building_id)
    path = building.scope_path if building is not None else ""
    held = session.scalar(
        select(BlockedPhone.id)
        .outerjoin(BlockedPhone.place)
        .where(
            BlockedPhone.phone == phone,
            or_(BlockedPhone.place_id.is_(None), literal(path).startswith(Place.path)),
        )
        .limit(1)
    )
    return held is not None
