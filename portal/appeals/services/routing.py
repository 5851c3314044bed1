"""Which queue an appeal sits in, and who works it: the level's place (grid, community,
street) or a unit; the places an appeal can be passed up or sent to; telling a queue's handlers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.holders import holders
from portal.accounts.models import User
from portal.appeals import sla
from portal.appeals.models import (
    Appeal,
)
from portal.appeals.services.deadlines import minutes_of
from portal.catalogue.models import CatalogueItem, Level
from portal.errors import Invalid
from portal.events import handles
from portal.i18n import CHINESE, name_in
from portal.notifications.services import queue_sms
from portal.permissions import Permission, covers
from portal.places.models import Building, Place, PlaceKind
from portal.units.models import Unit
from portal.units.services import UnitRetiring, members

# The kind of place whose queue takes each level, and the role that works that queue.
QUEUE_KIND = {
    Level.GRID: PlaceKind.GRID,
    Level.COMMUNITY: PlaceKind.COMMUNITY,
    Level.STREET: PlaceKind.STREET,
}


LEVEL_OF_KIND = {kind: level for level, kind in QUEUE_KIND.items()}


# How often an unaccepted appeal is passed up: grid → community → street → district.
MAX_ESCALATIONS = 3


def dispatch_to(session: Session, appeal: Appeal, level: int) -> None:
    """Put the appeal in the queue that handles `level` for its building: at level 3 the
    item's unit when it serves the building, else the building's grid, community or street."""
    unit = responsible_unit(appeal.item, appeal.building) if level == Level.STREET else None
    queue_in(session, appeal, unit or place_for_level(appeal.building, level))


def queue_in(session: Session, appeal: Appeal, queue: Place | Unit) -> None:
    """Put the appeal in the queue of a place or a unit (a unit's queue is level 3)."""
    if isinstance(queue, Unit):
        appeal.unit, appeal.queue_place, appeal.level = queue, None, Level.STREET
    else:
        appeal.unit, appeal.queue_place = None, queue
        appeal.level = LEVEL_OF_KIND.get(queue.kind, appeal.level)
    session.flush()


def responsible_unit(item: CatalogueItem, building: Building) -> Unit | None:
    unit = item.unit
    if unit is None or unit.retired_at is not None or not covers(unit.place, building):
        return None
    return unit


def place_for_level(building: Building, level: int) -> Place:
    wanted = QUEUE_KIND[Level(level)]
    place: Place | None = building.grid
    while place is not None and place.kind != wanted:
        place = place.parent
    if place is None:
        raise ValueError(f"building {building.id} has no {wanted} above it")
    return place


def handlers_of(session: Session, place: Place | None) -> list[User]:
    """The staff who work the queue of `place` (its grid workers, secretaries or officers)."""
    if place is None:
        return []
    return holders(session, Permission.HANDLE_APPEALS, place)


def queue_handlers(session: Session, appeal: Appeal) -> list[User]:
    """Who works the queue the appeal is in: the unit's members, or the place's handlers."""
    if appeal.unit is not None:
        return members(session, appeal.unit)
    return handlers_of(session, appeal.queue_place)


def supervisor_place(appeal: Appeal) -> Place | None:
    """The place above the appeal's queue: the one a unit serves, or the queue's parent."""
    if appeal.unit is not None:
        return appeal.unit.place
    return appeal.queue_place.parent if appeal.queue_place is not None else None


def alert_queue(
    session: Session,
    appeal: Appeal,
    kind: str,
    *,
    now: datetime,
    step: str,
    clocks: sla.Clocks,
    place: Place | None = None,
    **params: Any,
) -> None:
    """Tell every handler of the appeal's queue, each in their own language; a new appeal
    ("appeal_new") is told with the minutes they have to take it, from `clocks`."""
    for user in queue_handlers(session, appeal):
        locale = user.locale or CHINESE
        values: dict[str, Any] = {"tracking": appeal.tracking, **params}
        if kind == "appeal_new":
            values |= {
                "building": name_in(appeal.building, locale),
                "item": name_in(appeal.item, locale),
                "minutes": minutes_of(clocks.accept),
            }
        if place is not None:
            values["place"] = name_in(place, locale)
        queue_sms(
            session,
            phone=user.phone,
            kind=kind,
            params=values,
            locale=locale,
            key=f"appeal:{appeal.id}:{step}:{user.id}",
            cause=f"appeals:{appeal.id}",
            now=now,
        )


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


def summon_units(session: Session, appeal: Appeal) -> list[Unit]:
    """The units that serve the appeal's building and may be summoned to it."""
    return [
        t.queue
        for t in transfer_targets(session, appeal)
        if isinstance(t.queue, Unit) and t.queue.id != appeal.unit_id
    ]


@handles(UnitRetiring)
def _keep_units_with_open_appeals(session: Session, event: UnitRetiring) -> None:
    """A unit whose queue still holds appeals being handled stays in use until they are done."""
    if session.scalar(
        select(Appeal.id).where(Appeal.unit_id == event.unit.id, Appeal.is_open.is_(True)).limit(1)
    ):
        raise Invalid(
            _l(
                "Reports in this unit's queue are still being handled. Retire it once they are done."
            )
        )
