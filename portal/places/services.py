"""Places: keeping the hierarchy and its buildings up to date, and importing them from CSV.

Functions take a Session, the acting user and plain values (and `now`); they check the user's
MANAGE_PLACES permission on the place concerned, flush but never commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, insert, or_, select
from sqlalchemy.orm import Session

from portal.audit import services as audit
from portal.errors import Forbidden, Invalid, NotFound
from portal.events import publish
from portal.permissions import Actor, Permission, can, require, scopes
from portal.places.codes import generate_code
from portal.places.csvio import BuildingRow, ImportFailed, RowError, read_buildings
from portal.places.events import PublicPhoneChosen
from portal.places.models import CHILD_KIND, Building, Place, PlaceKind, RiskGrade
from portal.search import each_word_in

# Large IN lists are sent in chunks: SQLite and PostgreSQL both cap bound parameters.
_CHUNK = 500


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def get_place(session: Session, actor: Actor, place_id: int) -> Place:
    """The place, if it exists and `actor` may manage it."""
    place = session.get(Place, place_id)
    if place is None:
        raise NotFound(_l("There is no such place."))
    require(actor, Permission.MANAGE_PLACES, place)
    return place


def get_building(session: Session, actor: Actor, building_id: int) -> Building:
    building = session.get(Building, building_id)
    if building is None:
        raise NotFound(_l("There is no such building."))
    require(actor, Permission.MANAGE_PLACES, building)
    return building


def places_overview(session: Session, actor: Actor) -> tuple[list[Place], bool]:
    """The widest places `actor` manages, and whether they may add a district."""
    may_add_district = can(actor, Permission.MANAGE_PLACES, None)
    places = managed_places(session, actor)
    if not places and not may_add_district:
        raise Forbidden(_l("You do not look after any places."))
    return places, may_add_district


def new_place_kind(actor: Actor, parent: Place | None) -> PlaceKind:
    """What a new place inside `parent` will be, if `actor` may add one there."""
    require(actor, Permission.MANAGE_PLACES, parent)
    if parent is None:
        return PlaceKind.DISTRICT
    if parent.kind not in CHILD_KIND:
        raise Invalid(_l("A grid is divided into buildings, not into smaller areas."))
    return CHILD_KIND[parent.kind]


def get_grid(session: Session, actor: Actor, place_id: int) -> Place:
    """A grid `actor` manages (buildings are added to grids only)."""
    grid = get_place(session, actor, place_id)
    if grid.kind != PlaceKind.GRID:
        raise NotFound(_l("Buildings belong to a grid."))
    return grid


def trail(actor: Actor, place: Place) -> list[tuple[Place, bool]]:
    """The areas above `place` and `place` itself, each with whether `actor` may open it."""
    return [
        (step, can(actor, Permission.MANAGE_PLACES, step)) for step in [*place.ancestors, place]
    ]


def grid_by_code(session: Session, code: str) -> Place:
    """The grid with `code`, or Invalid pointing at the grid code field."""
    grid = session.scalar(select(Place).where(Place.code == code.strip()))
    if grid is None or grid.kind != PlaceKind.GRID:
        raise Invalid(
            _l("There is no grid with the code %(code)s.", code=code.strip()), field="grid_code"
        )
    return grid


def managed_places(session: Session, actor: Actor) -> list[Place]:
    """The widest places `actor` manages: every district for a portal-wide administrator."""
    places = scopes(actor, Permission.MANAGE_PLACES)
    if places == [None]:
        return list(
            session.scalars(select(Place).where(Place.parent_id.is_(None)).order_by(Place.code))
        )
    return sorted(places, key=lambda place: place.code)


def child_places(session: Session, place: Place) -> list[tuple[Place, int]]:
    """The areas directly inside `place`, each with its number of buildings."""
    children = list(
        session.scalars(select(Place).where(Place.parent_id == place.id).order_by(Place.code))
    )
    # One grouped count per grid below `place`, then added up by the child each grid lies in:
    # a grid's path continues the parent's path with the child's id.
    per_grid = session.execute(
        select(Place.path, func.count(Building.id))
        .join(Building.grid)
        .where(Place.path.startswith(place.path, autoescape=True))
        .group_by(Place.path)
    ).all()
    counts: dict[int, int] = {}
    depth = place.path.count("/")
    for path, count in per_grid:
        if path == place.path:  # A grid's own buildings lie in no child area.
            continue
        child_id = int(path.split("/")[depth])
        counts[child_id] = counts.get(child_id, 0) + count
    return [(child, counts.get(child.id, 0)) for child in children]


def buildings_query(place: Place, search: str = "") -> Select:
    """The buildings within `place`, by grid then name; optionally matching a search."""
    query = (
        select(Building)
        .join(Building.grid)
        .where(Place.path.startswith(place.path, autoescape=True))
        .order_by(Place.code, Building.name_zh, Building.id)
    )
    words = search.strip()
    if words:
        pattern = f"%{words}%"
        query = query.where(
            or_(
                Building.name_zh.like(pattern),
                Building.name_en.like(pattern),
                Building.address.like(pattern),
                Building.public_code == words.upper(),
            )
        )
    return query


# How many buildings a search lists: staff narrow it down rather than page through.
FOUND_LIMIT = 20


def find_buildings(
    session: Session, actor: Actor, permission: Permission, words: str, *, limit: int = FOUND_LIMIT
) -> tuple[list[Building], bool]:
    """The buildings in use where `actor` holds `permission` whose name or address contains
    each of `words` (or whose door code they are), by name; and whether more than `limit`
    matched."""
    words = words.strip()
    places = scopes(actor, permission)
    if not words or not places:
        return [], False
    query = (
        select(Building)
        .join(Building.grid)
        .where(
            Building.retired_at.is_(None),
            or_(
                each_word_in([Building.name_zh, Building.name_en, Building.address], words),
                Building.public_code == words.upper(),
            ),
        )
        .order_by(Building.name_zh, Building.id)
        .limit(limit + 1)
    )
    if places != [None]:
        query = query.where(
            or_(*(Place.path.startswith(place.path, autoescape=True) for place in places))
        )
    found = list(session.scalars(query))
    return found[:limit], len(found) > limit


_PHONE_CHARACTERS = set("0123456789 +-()")


def printable(text: str) -> bool:
    """Whether door posters can print `text`: their font covers the Basic Multilingual Plane
    (every character in common use); rarer ones (𠮷) would come out garbled."""
    return all(ord(character) <= 0xFFFF for character in text)


def _check_printable(field: str, *texts: str) -> None:
    if not all(printable(text) for text in texts):
        raise Invalid(
            _l(
                "This contains a rare character that posters cannot print; please use a common one."
            ),
            field=field,
        )


def check_public_phone(session: Session, phone: str) -> None:
    """Refuse a public number (printed, or shown in full) that is malformed or a sign-in number."""
    phone = phone.strip()
    if not phone:
        return
    if (
        not set(phone) <= _PHONE_CHARACTERS
        or len(phone) > 20
        or not any(ch.isdigit() for ch in phone)
    ):
        raise Invalid(_l("Enter a phone number of digits, like 0755-2345 6789."), field="phone")
    # Whose numbers people sign in with is not this feature's business: a handler refuses those.
    digits = "".join(ch for ch in phone if ch.isdigit())
    publish(session, PublicPhoneChosen(phone=phone, digits=digits))


def _check_place_fields(
    session: Session, code: str, name_zh: str, phone: str, place_id: int | None
) -> None:
    if not code.strip():
        raise Invalid(_l("Enter the code of this place."), field="code")
    if not name_zh.strip():
        raise Invalid(_l("Enter the Chinese name of this place."), field="name_zh")
    clash = session.scalar(select(Place.id).where(Place.code == code.strip()))
    if clash is not None and clash != place_id:
        raise Invalid(_l("Another place already has this code."), field="code")
    _check_printable("name_zh", name_zh)
    check_public_phone(session, phone)


def create_place(
    session: Session,
    actor: Actor,
    parent: Place | None,
    *,
    code: str,
    name_zh: str,
    name_en: str,
    now: datetime,
    phone: str = "",
    hours_zh: str = "",
    hours_en: str = "",
    centre_zh: str = "",
    centre_en: str = "",
) -> Place:
    """Add an area inside `parent` (a new district when there is no parent).

    `phone` is printed on door posters: a community's hotline, a grid worker's work number.
    `hours_*` and `centre_*` say when and where a community's service centre receives people.
    """
    kind = new_place_kind(actor, parent)
    _check_place_fields(session, code, name_zh, phone, None)
    place = Place(
        kind=kind,
        parent=parent,
        code=code.strip(),
        name_zh=name_zh.strip(),
        name_en=name_en.strip(),
        phone=phone.strip(),
        service_hours_zh=hours_zh.strip(),
        service_hours_en=hours_en.strip(),
        service_centre_zh=centre_zh.strip(),
        service_centre_en=centre_en.strip(),
        created_at=now,
        updated_at=now,
    )
    session.add(place)
    session.flush()
    place.path = f"{parent.path if parent else '/'}{place.id}/"
    session.flush()
    audit.record(
        session,
        "places.create_place",
        actor=actor,
        target=place,
        now=now,
        details={"code": place.code},
    )
    return place


def update_place(
    session: Session,
    actor: Actor,
    place: Place,
    *,
    code: str,
    name_zh: str,
    name_en: str,
    now: datetime,
    phone: str,
    hours_zh: str,
    hours_en: str,
    centre_zh: str,
    centre_en: str,
) -> None:
    """Change an area's names, code and public contacts (every field, as the form shows them)."""
    require(actor, Permission.MANAGE_PLACES, place)
    _check_place_fields(session, code, name_zh, phone, place.id)
    place.code = code.strip()
    place.name_zh = name_zh.strip()
    place.name_en = name_en.strip()
    place.phone = phone.strip()
    place.service_hours_zh = hours_zh.strip()
    place.service_hours_en = hours_en.strip()
    place.service_centre_zh = centre_zh.strip()
    place.service_centre_en = centre_en.strip()
    place.updated_at = now
    session.flush()
    audit.record(
        session,
        "places.update_place",
        actor=actor,
        target=place,
        now=now,
        details={"code": place.code},
    )


@dataclass
class BuildingFields:
    name_zh: str
    name_en: str
    address: str
    households: int
    risk_grade: RiskGrade


def _check_building_fields(fields: BuildingFields) -> None:
    _check_printable("name_zh", fields.name_zh)
    _check_printable("address", fields.address)
    if not fields.name_zh.strip():
        raise Invalid(_l("Enter the Chinese name of the building."), field="name_zh")
    if not fields.address.strip():
        raise Invalid(_l("Enter the address of the building."), field="address")
    if fields.households < 0:
        raise Invalid(_l("The number of households cannot be negative."), field="households")


def _require_grid(actor: Actor, grid: Place) -> None:
    if grid.kind != PlaceKind.GRID:
        raise Invalid(_l("Buildings belong to a grid."), field="grid")
    require(actor, Permission.MANAGE_PLACES, grid)


def new_public_codes(session: Session, count: int) -> list[str]:
    """`count` fresh building codes, none of them used before."""
    fresh: set[str] = set()
    while len(fresh) < count:
        candidates = {generate_code() for _ in range(count - len(fresh))} - fresh
        taken: set[str] = set()
        for chunk in _chunks(sorted(candidates)):
            taken.update(
                session.scalars(select(Building.public_code).where(Building.public_code.in_(chunk)))
            )
        fresh |= candidates - taken
    return sorted(fresh)


def create_building(
    session: Session, actor: Actor, grid: Place, fields: BuildingFields, *, now: datetime
) -> Building:
    _require_grid(actor, grid)
    _check_building_fields(fields)
    building = Building(
        grid=grid,
        public_code=new_public_codes(session, 1)[0],
        name_zh=fields.name_zh.strip(),
        name_en=fields.name_en.strip(),
        address=fields.address.strip(),
        households=fields.households,
        risk_grade=fields.risk_grade,
        created_at=now,
        updated_at=now,
    )
    session.add(building)
    session.flush()
    audit.record(session, "places.create_building", actor=actor, target=building, now=now)
    return building


def update_building(
    session: Session,
    actor: Actor,
    building: Building,
    grid: Place,
    fields: BuildingFields,
    *,
    now: datetime,
) -> None:
    """Change a building's details, or move it to another grid; its code never changes."""
    require(actor, Permission.MANAGE_PLACES, building)
    _require_grid(actor, grid)
    _check_building_fields(fields)
    building.grid = grid
    building.name_zh = fields.name_zh.strip()
    building.name_en = fields.name_en.strip()
    building.address = fields.address.strip()
    building.households = fields.households
    building.risk_grade = fields.risk_grade
    building.updated_at = now
    session.flush()
    audit.record(session, "places.update_building", actor=actor, target=building, now=now)


@dataclass
class ImportSummary:
    created: int
    updated: int


def import_buildings(
    session: Session,
    actor: Actor,
    data: bytes,
    *,
    within: Place | None,
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Create and update buildings from a CSV file, all or nothing.

    A row with a QR code number updates that building; a row without one adds a building with
    a new code. Every row must name a grid inside `within` that `actor` manages. If any row
    is wrong, ImportFailed lists every problem with its line number and nothing is saved.
    """
    require(actor, Permission.MANAGE_PLACES, within)
    rows, errors = read_buildings(data)
    grids = _load_by(session, Place, Place.code, {row.grid_code for row in rows})
    existing = _load_by(
        session,
        Building,
        Building.public_code,
        {row.public_code for row in rows if row.public_code},
    )

    seen_codes: dict[str, int] = {}
    for row in rows:
        errors.extend(_row_problems(actor, row, within, grids, existing, seen_codes))
    if errors:
        raise ImportFailed(errors)

    new_rows = [row for row in rows if row.public_code is None]
    codes = iter(new_public_codes(session, len(new_rows)))
    values = []
    done = 0
    for row in rows:
        grid = grids[row.grid_code]
        if row.public_code is None:
            values.append(
                {
                    "grid_id": grid.id,
                    "public_code": next(codes),
                    "name_zh": row.name_zh,
                    "name_en": row.name_en,
                    "address": row.address,
                    "households": row.households,
                    "risk_grade": row.risk_grade,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        else:
            building = existing[row.public_code]
            building.grid = grid
            building.name_zh = row.name_zh
            building.name_en = row.name_en
            building.address = row.address
            building.households = row.households
            building.risk_grade = row.risk_grade
            building.updated_at = now
        done += 1
        if progress and done % 100 == 0:
            progress(100)
    if progress and done % 100:
        progress(done % 100)
    for chunk in _chunks(values):
        session.execute(insert(Building), list(chunk))
    session.flush()
    summary = ImportSummary(created=len(new_rows), updated=len(rows) - len(new_rows))
    audit.record(
        session, "places.import_buildings", actor=actor, target=within, now=now,
        details={"created": summary.created, "updated": summary.updated},
    )  # fmt: skip
    return summary


def _load_by(session: Session, model: Any, column: Any, keys: set[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for chunk in _chunks(sorted(keys)):
        for item in session.scalars(select(model).where(column.in_(chunk))):
            found[getattr(item, column.key)] = item
    return found


def _row_problems(
    actor: Actor,
    row: BuildingRow,
    within: Place | None,
    grids: dict[str, Place],
    existing: dict[str, Building],
    seen_codes: dict[str, int],
) -> list[RowError]:
    problems = []
    if not printable(row.name_zh + row.address):
        problems.append(
            RowError(
                row.line,
                _l(
                    "This line has a rare character that posters cannot print; please use a common one."
                ),
            )
        )
    grid = grids.get(row.grid_code)
    if grid is None:
        problems.append(
            RowError(row.line, _l("There is no grid with the code %(code)s.", code=row.grid_code))
        )
    elif grid.kind != PlaceKind.GRID:
        problems.append(
            RowError(row.line, _l("%(code)s is not the code of a grid.", code=row.grid_code))
        )
    elif not _inside(actor, grid, within):
        problems.append(
            RowError(
                row.line,
                _l(
                    "The grid %(code)s is outside the area you are importing into.",
                    code=row.grid_code,
                ),
            )
        )
    if row.public_code:
        building = existing.get(row.public_code)
        if building is None:
            problems.append(
                RowError(
                    row.line,
                    _l(
                        "No building has the QR code number %(code)s. Leave it empty for a new building.",
                        code=row.public_code,
                    ),
                )
            )
        elif not _inside(actor, building, within):
            problems.append(
                RowError(
                    row.line,
                    _l(
                        "The building %(code)s is outside the area you are importing into.",
                        code=row.public_code,
                    ),
                )
            )
        if row.public_code in seen_codes:
            problems.append(
                RowError(
                    row.line,
                    _l(
                        "The QR code number %(code)s is also on line %(line)d.",
                        code=row.public_code,
                        line=seen_codes[row.public_code],
                    ),
                )
            )
        seen_codes.setdefault(row.public_code, row.line)
    return problems


def _inside(actor: Actor, target: Any, within: Place | None) -> bool:
    if within is not None and not target.scope_path.startswith(within.path):
        return False
    return can(actor, Permission.MANAGE_PLACES, target)
