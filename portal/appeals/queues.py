"""The staff queues: which appeals a handler's queue holds (or, for an administrator, every
open appeal of their area), filtered, in the order they are worked (overdue first, then by the
deadline now running), whose queue it is, and the grids to filter by."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, false, or_, select, true
from sqlalchemy.orm import Session, aliased

from portal.appeals.models import Appeal, AppealState
from portal.appeals.services import units_of
from portal.appeals.states import HANDLING, WAITING
from portal.appeals.tracking import SHANGHAI
from portal.audit import services as audit
from portal.permissions import Actor, Permission, granted_places, require_staff, scopes
from portal.places.models import Building, Place, PlaceKind
from portal.units.models import Unit


@dataclass
class QueueFilter:
    # "team": the queues of my places and units; "mine": taken by me; "held": hidden ones
    # (spam, blocked phones) of my queues, waiting for someone to restore or leave them;
    # "area": every open appeal of the area I may read, wherever in the chain it sits.
    view: str = "team"
    level: int | None = None
    overdue: bool = False
    due_today: bool = False
    stage: str | None = None  # "waiting" (to be taken) or "handling"
    item_id: int | None = None
    grid_id: int | None = None

    def is_plain(self) -> bool:
        return self == QueueFilter(view=self.view)


STAGES = {"waiting": WAITING, "handling": HANDLING}


def queue_places(actor: Actor) -> list[Place]:
    """The places whose queues `actor` works: where they are grid worker, secretary, officer."""
    return granted_places(actor, Permission.HANDLE_APPEALS)


def team_places(actor: Actor) -> list[int]:
    return [place.id for place in queue_places(actor)]


def works_queues(actor: Actor) -> bool:
    """Whether `actor` works a queue: of a place (grid, community, street) or of a unit."""
    return bool(queue_places(actor)) or bool(units_of(actor))


def area_places(actor: Actor) -> list[Place | None]:
    """The widest places whose appeals `actor` may read ([None]: the whole portal)."""
    return scopes(actor, Permission.VIEW_APPEALS)


def default_view(actor: Actor) -> str:
    """The queue a page opens on: one's team's, or the area's for whoever works no queue
    (an administrator reads the district's appeals without handling any)."""
    if not works_queues(actor) and area_places(actor):
        return "area"
    return "team"


def owners(session: Session, actor: Actor, view: str) -> list[Place | Unit | None]:
    """Whose queue the page shows: the places and units of the team's queue, or the places of
    the area (None: the whole portal)."""
    if view == "area":
        return list(area_places(actor))
    units = units_of(actor)
    named_units = session.scalars(select(Unit).where(Unit.id.in_(units))) if units else []
    return [*queue_places(actor), *sorted(named_units, key=lambda unit: unit.code)]


def queue_query(actor: Actor, wanted: QueueFilter, *, now: datetime) -> Select:
    """Open appeals of the queue, overdue first, then by the deadline now running."""
    require_staff(actor)
    if wanted.view == "held":
        # Set-aside reports anywhere in my area: a secretary looks at the grids' ones too.
        query = select(Appeal).where(
            _in_my_queues(actor, within=True), Appeal.state == AppealState.HIDDEN
        )
        return query.order_by(Appeal.created_at.desc(), Appeal.id.desc())
    query = select(Appeal).where(Appeal.is_open.is_(True))
    if wanted.view == "mine":
        query = query.where(Appeal.handler_id == actor.id)
    elif wanted.view == "area":
        query = query.where(_in_my_area(actor))
    else:
        query = query.where(_in_my_queues(actor))
    if wanted.level in (1, 2, 3):
        query = query.where(Appeal.level == wanted.level)
    if wanted.overdue:
        query = query.where(Appeal.due_at <= now)
    if wanted.due_today:
        query = query.where(Appeal.due_at < end_of_local_day(now))
    if wanted.stage in STAGES:
        query = query.where(Appeal.state.in_(STAGES[wanted.stage]))
    if wanted.item_id:
        query = query.where(Appeal.item_id == wanted.item_id)
    if wanted.grid_id:
        in_grid = select(Building.id).where(Building.grid_id == wanted.grid_id)
        query = query.where(Appeal.building_id.in_(in_grid))
    return query.order_by(Appeal.due_at, Appeal.id)


def _in_my_queues(actor: Actor, *, within: bool = False) -> Any:
    """The queues `actor` works (`within`: and every queue of a place inside theirs)."""
    places, units = queue_places(actor), units_of(actor)
    in_places: Any = Appeal.queue_place_id.in_([p.id for p in places]) if places else false()
    if within and places:
        inside = select(Place.id).where(or_(*(Place.path.startswith(p.path) for p in places)))
        in_places = Appeal.queue_place_id.in_(inside)
    return or_(in_places, Appeal.unit_id.in_(units) if units else false())


def _in_my_area(actor: Actor) -> Any:
    """Appeals of the buildings in the area `actor` may read, wherever their queue sits."""
    places = area_places(actor)
    if places == [None]:
        return true()
    if not places:
        return false()
    inside = (
        select(Building.id)
        .join(Building.grid)
        .where(or_(*(Place.path.startswith(p.path, autoescape=True) for p in places)))
    )
    return Appeal.building_id.in_(inside)


def audit_export(session: Session, actor: Actor, wanted: QueueFilter, *, now: datetime) -> None:
    """A queue leaves the portal as a file: who took it, and which filters, go in the log."""
    require_staff(actor)
    audit.record(
        session,
        "appeals.export",
        actor=actor,
        now=now,
        details={key: value for key, value in vars(wanted).items() if value},
    )


def end_of_local_day(now: datetime) -> datetime:
    """The end of today as the district counts days (Asia/Shanghai), in UTC."""
    local = now.astimezone(SHANGHAI)
    tomorrow = datetime.combine(local.date() + timedelta(days=1), time(), tzinfo=SHANGHAI)
    return tomorrow.astimezone(UTC)


def queue_grids(session: Session, actor: Actor, view: str = "team") -> list[Place]:
    """The grids inside the places whose queues `actor` works, or of their area for the area's
    view (for the queue's grid filter)."""
    places = area_places(actor) if view == "area" else queue_places(actor)
    if not places:
        return []
    # Community by community, each one's grids in order (their paths are ids, not an order).
    community = aliased(Place)
    query = (
        select(Place)
        .join(community, community.id == Place.parent_id)
        .where(Place.kind == PlaceKind.GRID)
        .order_by(community.code, Place.code)
    )
    if places != [None]:
        query = query.where(or_(*(Place.path.startswith(p.path) for p in places)))
    return list(session.scalars(query))
