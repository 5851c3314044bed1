"""What a handler does besides taking and resolving an appeal: transfer it to another queue,
summon a unit (吹哨) to act by a deadline, merge a duplicate into the appeal that goes on,
hide spam and restore it, and keep the blocklist of phones whose reports are held.

Like services.py: functions take a Session, the acting user, plain values and `now`; each
checks the state table and the actor's queue, writes the timeline and the audit log, and
queues the SMS it causes, all in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session, contains_eager

from portal.accounts.models import User
from portal.appeals import services
from portal.appeals.models import (
    Appeal,
    AppealState,
    BlockedPhone,
    EventKind,
    Summons,
)
from portal.appeals.services import (
    add_event,
    alert_queue,
    audit_step,
    check_reason,
    local_name_in,
    require_act,
)
from portal.appeals.states import OPEN, WAITING, Action
from portal.audit import services as audit
from portal.errors import Forbidden, Invalid, NotFound
from portal.i18n import CHINESE
from portal.notifications.services import queue_sms
from portal.permissions import Role, covers, require_staff
from portal.phones import mask_phone
from portal.places.models import Place, PlaceKind
from portal.units.models import Unit
from portal.units.services import members

# A unit is given between an hour and a month to answer a summons.
SUMMONS_HOURS = (1, 24 * 30)
# Appeals of the same item at the same building this recent are offered as duplicates.
DUPLICATE_WINDOW = timedelta(days=30)


# --- transfer ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A queue an appeal can be sent to: a place's (grid, community, street) or a unit's."""

    key: str  # "place:12" or "unit:3", as a form sends it
    queue: Place | Unit


def transfer_targets(session: Session, appeal: Appeal) -> list[Target]:
    """Where the appeal may be transferred: the other grids of its community, the other
    communities of its street, its street office, and the units that serve the building."""
    grid = appeal.building.grid
    community = grid.parent
    street = community.parent if community is not None else None
    places: list[Place] = []
    if community is not None:
        places += _children(session, community, PlaceKind.GRID)
    if street is not None:
        places += _children(session, street, PlaceKind.COMMUNITY)
        places.append(street)
    units = [
        unit
        for unit in session.scalars(
            select(Unit).where(Unit.retired_at.is_(None)).order_by(Unit.name_zh, Unit.id)
        )
        if covers(unit.place, appeal.building)
    ]
    here = appeal.unit or appeal.queue_place
    targets = [Target(f"place:{p.id}", p) for p in places]
    targets += [Target(f"unit:{u.id}", u) for u in units]
    return [target for target in targets if target.queue is not here]


def _children(session: Session, parent: Place, kind: PlaceKind) -> list[Place]:
    return list(
        session.scalars(
            select(Place)
            .where(Place.parent_id == parent.id, Place.kind == kind)
            .order_by(Place.code)
        )
    )


def transfer(
    session: Session, actor: User, appeal: Appeal, target_key: str, reason: str, *, now: datetime
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
    services.wait_for_acceptance(appeal, now)
    services.queue_in(session, appeal, target.queue)
    details = {"from": before, "to": target.key, "level": appeal.level}
    add_event(
        session, appeal, EventKind.TRANSFERRED, actor=actor, now=now, note=reason, details=details
    )
    audit_step(session, "appeals.transfer", actor, appeal, now, {**details, "reason": reason})
    alert_queue(session, appeal, "appeal_new", now=now, step=f"transfer:{now.timestamp()}")


def _queue_key(appeal: Appeal) -> str:
    return f"unit:{appeal.unit_id}" if appeal.unit_id else f"place:{appeal.queue_place_id}"


# --- summons (吹哨) ------------------------------------------------------------------------------


def summon_units(session: Session, appeal: Appeal) -> list[Unit]:
    """The units that serve the appeal's building and may be summoned to it."""
    return [
        t.queue
        for t in transfer_targets(session, appeal)
        if isinstance(t.queue, Unit) and t.queue.id != appeal.unit_id
    ]


def summon(
    session: Session,
    actor: User,
    appeal: Appeal,
    unit_id: Any,
    hours: Any,
    note: str,
    *,
    now: datetime,
) -> Summons:
    """Whoever handles the appeal calls a unit to act within `hours`; the unit's officers
    are texted, and the sweep tells both sides if the deadline passes unanswered."""
    require_act(actor, appeal, Action.SUMMON)
    services.require_handler(actor, appeal)
    unit = next((u for u in summon_units(session, appeal) if u.id == unit_id), None)
    if unit is None:
        raise Invalid(_l("Choose the unit to summon."), field="unit")
    low, high = SUMMONS_HOURS
    if not isinstance(hours, int) or not low <= hours <= high:
        raise Invalid(
            _l("Give between %(low)d and %(high)d hours.", low=low, high=high), field="hours"
        )
    note = (note or "").strip()
    if len(note) < 2:
        raise Invalid(_l("Say what the unit is asked to do."), field="note")
    waiting = session.scalar(
        select(Summons.id).where(
            Summons.appeal_id == appeal.id,
            Summons.unit_id == unit.id,
            Summons.answered_at.is_(None),
        )
    )
    if waiting is not None:
        raise Invalid(_l("This unit was already summoned and has not answered yet."), field="unit")
    summons = Summons(
        appeal_id=appeal.id,
        unit=unit,
        summoned_by_id=actor.id,
        note=note[:2000],
        created_at=now,
        due_at=now + timedelta(hours=hours),
    )
    session.add(summons)
    session.flush()
    details = {"unit": unit.id, "hours": hours}
    add_event(session, appeal, EventKind.SUMMONED, actor=actor, now=now, note=note, details=details)
    audit_step(session, "appeals.summon", actor, appeal, now, details)
    for user in members(session, unit):
        locale = user.locale or CHINESE
        queue_sms(
            session,
            phone=user.phone,
            kind="appeal_summoned",
            params={
                "tracking": appeal.tracking,
                "building": local_name_in(appeal.building, locale),
                "place": local_name_in(unit, locale),
                "hours": hours,
            },
            locale=locale,
            key=f"appeal:{appeal.id}:summons:{summons.id}:{user.id}",
            cause=f"appeals:{appeal.id}",
            now=now,
        )
    return summons


def summonses(session: Session, appeal: Appeal) -> list[Summons]:
    return list(
        session.scalars(
            select(Summons).where(Summons.appeal_id == appeal.id).order_by(Summons.created_at)
        )
    )


def waiting_summonses(session: Session, actor: Any) -> list[Summons]:
    """The summonses `actor`'s units have still to answer, soonest deadline first."""
    units = services.units_of(actor)
    if not units:
        return []
    return list(
        session.scalars(
            select(Summons)
            .join(Appeal, Appeal.id == Summons.appeal_id)
            .where(
                Summons.unit_id.in_(units),
                Summons.answered_at.is_(None),
                Appeal.is_open.is_(True),
            )
            .options(contains_eager(Summons.appeal))
            .order_by(Summons.due_at, Summons.id)
            .limit(100)
        )
    )


def answer_summons(
    session: Session, actor: User, summons: Summons, answer: str, *, now: datetime
) -> None:
    """A member of the summoned unit says what the unit did or will do; the one who
    summoned it is texted."""
    require_staff(actor)
    if summons.unit_id not in services.units_of(actor):
        raise Forbidden(_l("Only the summoned unit can answer."), summons=summons.id)
    locked = session.scalar(
        select(Summons)
        .where(Summons.id == summons.id)
        .with_for_update(of=Summons)
        .execution_options(populate_existing=True)
    )
    if locked is None or locked.answered_at is not None:
        raise Invalid(_l("This summons is already answered."))
    if not summons.appeal.is_open:
        raise Invalid(_l("This report is no longer being handled: no answer is needed."))
    answer = (answer or "").strip()
    if len(answer) < 2:
        raise Invalid(_l("Say what your unit did or will do."), field="answer")
    summons.answer = answer[:2000]
    summons.answered_at = now
    summons.answered_by_id = actor.id
    appeal = summons.appeal
    details = {"unit": summons.unit_id}
    add_event(
        session,
        appeal,
        EventKind.SUMMONS_ANSWERED,
        actor=actor,
        now=now,
        note=answer,
        details=details,
    )
    audit_step(session, "appeals.answer_summons", actor, appeal, now, details)
    told = summons.summoned_by
    locale = told.locale or CHINESE
    queue_sms(
        session,
        phone=told.phone,
        kind="appeal_answered",
        params={"tracking": appeal.tracking, "place": local_name_in(summons.unit, locale)},
        locale=locale,
        key=f"appeal:{appeal.id}:summons:{summons.id}:answered",
        cause=f"appeals:{appeal.id}",
        now=now,
    )


def get_summons(session: Session, actor: Any, summons_id: int) -> Summons:
    summons = session.get(Summons, summons_id)
    if summons is None:
        raise NotFound(_l("There is no such summons."))
    if summons.unit_id not in services.units_of(actor):
        raise Forbidden(_l("Only the summoned unit can answer."), summons=summons.id)
    return summons


# --- duplicates and merging ----------------------------------------------------------------------


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


def merge(session: Session, actor: User, duplicate: Appeal, into: str, *, now: datetime) -> Appeal:
    """Merge `duplicate` into the appeal numbered `into`, a report of the same building still
    being handled, which goes on. The duplicate's resident (and the residents of reports
    merged into it before) follow the survivor: they are texted its number now and told
    again when it is resolved."""
    survivor = services.find(session, into)
    if survivor is not None and survivor.id != duplicate.id:
        # Both rows, in one order, so that merging A into B and B into A at once cannot
        # leave two reports pointing at each other.
        first, second = sorted((duplicate, survivor), key=lambda appeal: appeal.id)
        services.lock(session, first)
        services.lock(session, second)
    require_act(actor, duplicate, Action.MERGE)
    if survivor is None or survivor.state not in OPEN:
        raise Invalid(_l("Give the number of a report that is still being handled."), field="into")
    if survivor.id == duplicate.id:
        raise Invalid(_l("A report cannot be merged into itself."), field="into")
    if survivor.building_id != duplicate.building_id or not services.can_view(actor, survivor):
        raise Invalid(_l("Only a report of the same building can be merged into."), field="into")
    services.finish(duplicate, AppealState.MERGED, now)
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
            "url": services.tracking_url(survivor),
        },
        locale=duplicate.locale,
        key=f"appeal:{duplicate.id}:merged",
        cause=f"appeals:{duplicate.id}",
        now=now,
    )
    return survivor


# --- hiding spam, and the blocklist ----------------------------------------------------------------


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
    services.hide_as(session, appeal, now, kind=EventKind.HIDDEN, actor=actor, details=details)
    audit_step(session, "appeals.hide", actor, appeal, now, {"reason": reason})
    if block_phone:
        block(session, actor, appeal.phone, reason, now=now)


def restore(session: Session, actor: User, appeal: Appeal, *, now: datetime) -> None:
    """Undo a hiding: the appeal returns to the state it left. One that waited to be taken
    starts its clocks again, for it was out of the loop; one being handled keeps them."""
    require_act(actor, appeal, Action.RESTORE)
    back = appeal.hidden_from or AppealState.RECEIVED
    appeal.hidden_from = None
    if back in WAITING:
        appeal.accepted_at = None
        services.start_clocks(appeal, now)
        appeal.state = back
    else:
        appeal.state = back
        appeal.is_open = True
        services.set_handling_due(appeal)
    add_event(session, appeal, EventKind.RESTORED, actor=actor, now=now)
    audit_step(session, "appeals.restore", actor, appeal, now)
    if appeal.state in WAITING:
        # A report held on arrival never had its "received" SMS; the key sends it once.
        services.tell_received(session, appeal, now)
        alert_queue(session, appeal, "appeal_new", now=now, step=f"restored:{now.timestamp()}")


BLOCKLIST_ROLES = frozenset({Role.SECRETARY, Role.OFFICER, Role.ADMIN})


def keeps_blocklist(actor: Any) -> bool:
    """Secretaries, officers and administrators keep the blocklist (it holds reports
    district-wide, so a grid worker asks them)."""
    return any(grant.role in BLOCKLIST_ROLES for grant in getattr(actor, "grants", ()))


def require_blocklist_keeper(actor: Any) -> None:
    require_staff(actor)
    if not keeps_blocklist(actor):
        raise Forbidden(_l("Only a secretary or an officer can change the blocklist."))


def block(session: Session, actor: User, phone: str, reason: str, *, now: datetime) -> BlockedPhone:
    require_blocklist_keeper(actor)
    phone = services.check_phone(phone)
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


def blocklist(session: Session, actor: Any) -> list[BlockedPhone]:
    require_blocklist_keeper(actor)
    return list(session.scalars(select(BlockedPhone).order_by(BlockedPhone.blocked_at.desc())))
