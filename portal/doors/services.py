"""What a building's door says: its place in the hierarchy and whom to contact.

One query gathers the facts of any number of buildings (a door page, or the posters of a
whole district), a second their grid workers (portal.accounts.holders), so nothing is
queried in a loop. A door's facts are read for its page and the report's screens at most
once a minute per process (portal/doors/recent.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session, aliased

from portal.accounts.holders import holders_statement
from portal.audit import services as audit
from portal.doors.models import BuildingScan
from portal.doors.recent import RecentCopies
from portal.errors import Invalid
from portal.permissions import Actor, Permission, require
from portal.places.codes import normalize_code
from portal.places.models import Building, Place
from portal.search import each_word_in

_CHUNK = 500
SEARCH_LIMIT = 20


@dataclass(frozen=True)
class DoorFacts:
    """What a door page and a poster show of one building."""

    building_id: int
    code: str
    name_zh: str
    name_en: str
    address: str
    retired: bool
    grid_name_zh: str
    grid_name_en: str
    grid_phone: str
    community_code: str
    community_name_zh: str
    community_name_en: str
    community_phone: str
    hours_zh: str
    hours_en: str
    # Where the community's service centre is ("" when nobody said).
    centre_zh: str
    centre_en: str
    # Display names of the grid's workers (its grid_worker role holders), oldest role first.
    workers: tuple[str, ...] = ()


@cache
def _facts_query() -> tuple[Select, Any]:
    """The facts of buildings in printing order (street, community, grid, building), and the
    grid alias to filter on; each column is labelled with its DoorFacts field.

    Built once: constructing a statement with aliases took longer than running it."""
    grid, community, street = aliased(Place), aliased(Place), aliased(Place)
    query = (
        select(
            Building.id.label("building_id"),
            Building.public_code.label("code"),
            Building.name_zh.label("name_zh"),
            Building.name_en.label("name_en"),
            Building.address.label("address"),
            Building.retired_at.label("retired_at"),
            grid.id.label("grid_id"),
            grid.name_zh.label("grid_name_zh"),
            grid.name_en.label("grid_name_en"),
            grid.phone.label("grid_phone"),
            community.code.label("community_code"),
            community.name_zh.label("community_name_zh"),
            community.name_en.label("community_name_en"),
            community.phone.label("community_phone"),
            community.service_hours_zh.label("hours_zh"),
            community.service_hours_en.label("hours_en"),
            community.service_centre_zh.label("centre_zh"),
            community.service_centre_en.label("centre_en"),
        )
        .join(grid, Building.grid_id == grid.id)
        .join(community, grid.parent_id == community.id)
        .join(street, community.parent_id == street.id)
        .order_by(street.code, community.code, grid.code, Building.name_zh, Building.id)
    )
    return query, grid


@cache
def _door_query() -> Select:
    """The facts of the building whose code is the `code` parameter.

    Built once with the code as a parameter: a statement built for each door is keyed for
    SQLAlchemy's statement cache again each time, which took longer than running it."""
    query, _grid = _facts_query()
    return query.where(Building.public_code == bindparam("code")).order_by(None)


def _workers_of(session: Session, grid_ids: Sequence[int]) -> dict[int, list[str]]:
    """The names of the grid workers of each grid (those who work its queue), oldest role
    first; a worker who gave no name is left out."""
    workers: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(grid_ids), _CHUNK):
        statement = holders_statement(Permission.HANDLE_APPEALS, grid_ids[start : start + _CHUNK])
        for grid_id, user in session.execute(statement):
            if user.display_name.strip():
                workers[grid_id].append(user.display_name)
    return workers


def _with_workers(
    session: Session, rows: Sequence[Any], *, workers_wanted: bool = True
) -> list[DoorFacts]:
    grid_ids = sorted({row.grid_id for row in rows}) if workers_wanted else []
    workers = _workers_of(session, grid_ids)
    facts = []
    for row in rows:
        values = dict(row._mapping)
        grid_id = values.pop("grid_id")
        values["retired"] = values.pop("retired_at") is not None
        facts.append(DoorFacts(**values, workers=tuple(workers.get(grid_id, ()))))
    return facts


def door(session: Session, raw_code: str) -> DoorFacts | None:
    """The building behind a code as typed or scanned (any case), or None."""
    code = normalize_code(raw_code)
    if code is None:
        return None
    rows = session.connection().execute(_door_query(), {"code": code}).all()
    return _with_workers(session, rows)[0] if rows else None


def recent_door(session: Session, raw_code: str, kept: RecentCopies[DoorFacts]) -> DoorFacts | None:
    """`door`, or the facts it gave within the last minute (kept: see portal/doors/recent.py)."""
    code = normalize_code(raw_code)
    facts = kept.get(code) if code else None
    if facts is None:
        facts = door(session, raw_code)
        if facts is not None:
            kept.put(facts.code, facts)
    return facts


def _in_use_within(query: Select, grid: Any, place: Place | None) -> Select:
    query = query.where(Building.retired_at.is_(None))
    if place is not None:
        query = query.where(grid.path.startswith(place.path, autoescape=True))
    return query


def poster_facts(
    session: Session, actor: Actor, place: Place | None, *, at_most: int | None = None
) -> list[DoorFacts]:
    """The facts of every building in use in `place` (None: the whole portal), in printing
    order; Invalid if there are more than `at_most` (counted before anything is loaded)."""
    require(actor, Permission.MANAGE_PLACES, place)
    query, grid = _facts_query()
    query = _in_use_within(query, grid, place)
    if at_most is not None:
        count = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        if count > at_most:
            command = "flask --app portal qr posters" + (f" --place {place.code}" if place else "")
            raise Invalid(
                _l("%(count)d buildings are too many to print here. Use the command line: %(command)s",
                   count=count, command=command),
            )  # fmt: skip
    return _with_workers(session, session.execute(query).all())


def find_buildings(session: Session, words: str) -> list[DoorFacts]:
    """Buildings in use whose name or address contains each of `words`, for someone without a
    code."""
    words = words.strip()
    if not words:
        return []
    query, _grid = _facts_query()
    query = query.where(
        Building.retired_at.is_(None),
        each_word_in([Building.name_zh, Building.name_en, Building.address], words),
    ).limit(SEARCH_LIMIT)
    return _with_workers(session, session.execute(query).all(), workers_wanted=False)


def scan_total(session: Session, actor: Actor, building: Building) -> int:
    """Scans of a building counted so far (the last few seconds may still be in memory)."""
    require(actor, Permission.MANAGE_PLACES, building)
    total = session.scalar(
        select(func.sum(BuildingScan.count)).where(BuildingScan.building_id == building.id)
    )
    return int(total or 0)


def set_retired(
    session: Session, actor: Actor, building: Building, retired: bool, *, now: datetime
) -> None:
    """Retire a building (its code then points to its community) or bring it back."""
    require(actor, Permission.MANAGE_PLACES, building)
    if retired == (building.retired_at is not None):
        raise Invalid(_l("Nothing to change: the building is already so."))
    building.retired_at = now if retired else None
    building.updated_at = now
    session.flush()
    audit.record(
        session, "doors.retire_building" if retired else "doors.restore_building",
        actor=actor, target=building, now=now,
    )  # fmt: skip
