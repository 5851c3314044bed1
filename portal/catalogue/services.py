"""The catalogue (事项清单): seeding it for a new district, and administrators keeping it.

Functions take a Session, the acting user, plain values and `now`; they check the actor's
MANAGE_CATALOGUE permission, write every change to the audit log, flush but never commit.
Each edit moves `updated_at` of the groups and items it touches: whoever keeps the catalogue
in memory knows from it when to read it again. Items are retired, never deleted: appeals
filed under an item keep pointing at it. Codes never change once given: the starting
catalogue (and whoever else knows an item) finds items by their code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from portal.audit import services as audit
from portal.catalogue.data import CATALOGUE
from portal.catalogue.models import CatalogueGroup, CatalogueItem, HandlingClass, Level
from portal.errors import Invalid, NotFound
from portal.events import handles
from portal.permissions import Actor, Permission, require
from portal.search import each_word_in
from portal.units.models import Unit
from portal.units.services import (
    UNIT_PLACE_KINDS,
    UnitRetiring,
    changes,
    check_code,
    check_names,
    require_catalogue_manager,
)

# An item's own time to resolve, in whole hours: up to 60 days, four times the longest
# handling class (complex, 15 days); anything longer is a mistyped number.
RESOLVE_HOURS_MAX = 60 * 24


def seed_catalogue(session: Session) -> int:
    """Add the groups and items of the starting catalogue that are missing; returns how many
    items were added. Items an administrator changed are left as they are."""
    groups = {g.code: g for g in session.scalars(select(CatalogueGroup))}
    known = set(session.scalars(select(CatalogueItem.code)))
    added = 0
    for group_position, seed_group in enumerate(CATALOGUE):
        group = groups.get(seed_group.code)
        if group is None:
            group = CatalogueGroup(
                code=seed_group.code,
                name_zh=seed_group.name_zh,
                name_en=seed_group.name_en,
                position=group_position,
            )
            session.add(group)
        for position, seed in enumerate(seed_group.items):
            if seed.code in known:
                continue
            group.items.append(
                CatalogueItem(
                    code=seed.code,
                    name_zh=seed.name_zh,
                    name_en=seed.name_en,
                    default_level=seed.level,
                    handling=HandlingClass(seed.handling),
                    position=position,
                )
            )
            added += 1
    session.flush()
    return added


def _move(rows: list[Any], row: Any, step: int, now: datetime) -> None:
    """Move `row` one place up (step -1) or down (+1) among `rows`, and number them afresh."""
    index = rows.index(row)
    target = index + step
    if step not in (-1, 1) or not 0 <= target < len(rows):
        raise Invalid(_l("It cannot move further that way."))
    rows[index], rows[target] = rows[target], rows[index]
    for position, each in enumerate(rows):
        if each.position != position or each in (row, rows[index]):
            each.position = position
            each.updated_at = now


# --- groups ----------------------------------------------------------------------------------


def catalogue_overview(
    session: Session, actor: Actor
) -> tuple[list[CatalogueGroup], list[CatalogueItem]]:
    """Every group in order with its items (and their units), and the retired items apart."""
    require_catalogue_manager(actor)
    groups = list(
        session.scalars(
            select(CatalogueGroup)
            .options(selectinload(CatalogueGroup.items).selectinload(CatalogueItem.unit))
            .order_by(CatalogueGroup.position, CatalogueGroup.id)
        )
    )
    retired = [item for group in groups for item in group.items if item.retired_at is not None]
    return groups, retired


def find_items(session: Session, actor: Actor, words: str) -> list[CatalogueItem]:
    """The kinds of problem whose name (in either language) or code contains each of `words`,
    in the catalogue's order, retired ones last."""
    require_catalogue_manager(actor)
    words = words.strip()
    if not words:
        return []
    return list(
        session.scalars(
            select(CatalogueItem)
            .join(CatalogueItem.group)
            .options(selectinload(CatalogueItem.unit))
            .where(
                each_word_in(
                    [CatalogueItem.name_zh, CatalogueItem.name_en, CatalogueItem.code], words
                )
            )
            .order_by(
                CatalogueItem.retired_at.is_not(None),
                CatalogueGroup.position,
                CatalogueItem.position,
                CatalogueItem.id,
            )
        )
    )


def groups(session: Session, actor: Actor) -> list[CatalogueGroup]:
    """The groups, in the order the report form shows them."""
    require_catalogue_manager(actor)
    return list(
        session.scalars(select(CatalogueGroup).order_by(CatalogueGroup.position, CatalogueGroup.id))
    )


def get_group(session: Session, actor: Actor, group_id: int) -> CatalogueGroup:
    require_catalogue_manager(actor)
    group = session.get(CatalogueGroup, group_id)
    if group is None:
        raise NotFound(_l("There is no such group."))
    return group


def _check_group_names(
    session: Session, name_zh: str, name_en: str, group_id: int | None
) -> tuple[str, str]:
    name_zh, name_en = check_names(name_zh, name_en)
    for field, column, value in (
        ("name_zh", CatalogueGroup.name_zh, name_zh),
        ("name_en", CatalogueGroup.name_en, name_en),
    ):
        query = select(CatalogueGroup.id).where(column == value)
        if group_id is not None:
            query = query.where(CatalogueGroup.id != group_id)
        if session.scalar(query) is not None:
            raise Invalid(_l("Another group already has this name."), field=field)
    return name_zh, name_en


def create_group(
    session: Session, actor: Actor, *, code: str, name_zh: str, name_en: str, now: datetime
) -> CatalogueGroup:
    """Add a group at the end of the catalogue."""
    require_catalogue_manager(actor)
    code = check_code(session, CatalogueGroup, code, _l("Another group already has this code."))
    name_zh, name_en = _check_group_names(session, name_zh, name_en, None)
    last = session.scalar(select(func.max(CatalogueGroup.position)))
    group = CatalogueGroup(
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        position=0 if last is None else last + 1,
        updated_at=now,
    )
    session.add(group)
    session.flush()
    audit.record(
        session, "appeals.create_catalogue_group", actor=actor, target=group, now=now,
        details={"code": code},
    )  # fmt: skip
    return group


def update_group(
    session: Session,
    actor: Actor,
    group: CatalogueGroup,
    *,
    name_zh: str,
    name_en: str,
    now: datetime,
) -> None:
    """Rename a group."""
    require_catalogue_manager(actor)
    name_zh, name_en = _check_group_names(session, name_zh, name_en, group.id)
    changed = changes(group, {"name_zh": name_zh, "name_en": name_en})
    if not changed:
        return
    group.name_zh, group.name_en = name_zh, name_en
    group.updated_at = now
    session.flush()
    audit.record(
        session, "appeals.update_catalogue_group", actor=actor, target=group, now=now,
        details={"code": group.code, "changed": changed},
    )  # fmt: skip


def move_group(
    session: Session, actor: Actor, group: CatalogueGroup, step: int, *, now: datetime
) -> None:
    """Move a group one place up (-1) or down (+1) on the report form."""
    require_catalogue_manager(actor)
    rows = list(
        session.scalars(select(CatalogueGroup).order_by(CatalogueGroup.position, CatalogueGroup.id))
    )
    _move(rows, group, step, now)
    session.flush()
    audit.record(
        session, "appeals.move_catalogue_group", actor=actor, target=group, now=now,
        details={"code": group.code, "position": group.position},
    )  # fmt: skip


# --- items -----------------------------------------------------------------------------------


@dataclass
class ItemFields:
    """What the item form says about a kind of problem (all but its code)."""

    group_id: int | None
    name_zh: str
    name_en: str
    default_level: int | None
    handling: str | None
    # The item's own time to resolve, in whole hours; None: its handling class's time.
    resolve_hours: int | None = None
    # Who takes it at level 3; None: the street office of the building.
    unit_id: int | None = None


def get_item(session: Session, actor: Actor, item_id: int) -> CatalogueItem:
    require_catalogue_manager(actor)
    item = session.get(CatalogueItem, item_id)
    if item is None:
        raise NotFound(_l("There is no such kind of problem."))
    return item


def _live_items_named(session: Session, column: Any, value: str, item_id: int | None) -> bool:
    query = select(CatalogueItem.id).where(CatalogueItem.retired_at.is_(None), column == value)
    if item_id is not None:
        query = query.where(CatalogueItem.id != item_id)
    return session.scalar(query) is not None


def _check_item_names(session: Session, name_zh: str, name_en: str, item_id: int | None) -> None:
    # Two kinds of problem of the same name on the form: residents could not tell them apart.
    if _live_items_named(session, CatalogueItem.name_zh, name_zh, item_id):
        raise Invalid(_l("A kind of problem in use already has this name."), field="name_zh")
    if _live_items_named(session, CatalogueItem.name_en, name_en, item_id):
        raise Invalid(_l("A kind of problem in use already has this name."), field="name_en")


def check_resolve_hours(hours: Any) -> int | None:
    """The item's own time to resolve in minutes, from whole hours (None: the class's time)."""
    if hours is None:
        return None
    if isinstance(hours, bool) or not isinstance(hours, int) or not 0 < hours <= RESOLVE_HOURS_MAX:
        raise Invalid(
            _l(
                "Enter a whole number of hours from 1 to %(max)d, or leave it empty.",
                max=RESOLVE_HOURS_MAX,
            ),
            field="resolve_hours",
        )
    return hours * 60


def check_unit(
    session: Session, actor: Actor, unit_id: int | None, current: int | None
) -> Unit | None:
    """The unit an item goes to at level 3: one in use, serving a street or the district, and
    (when it changes) one the actor looks after. None: the building's street office."""
    if unit_id is None:
        return None
    unit = session.get(Unit, unit_id) if isinstance(unit_id, int) else None
    if unit is None or unit.retired_at is not None or unit.place.kind not in UNIT_PLACE_KINDS:
        raise Invalid(_l("Choose a unit in use, or the building's street office."), field="unit_id")
    if unit.id != current:
        require(actor, Permission.MANAGE_CATALOGUE, unit.place)
    return unit


def _item_values(
    session: Session, actor: Actor, fields: ItemFields, item: CatalogueItem | None
) -> dict[str, Any]:
    """The checked values of an item, as its columns."""
    group = session.get(CatalogueGroup, fields.group_id) if fields.group_id else None
    if group is None:
        raise Invalid(_l("Choose a group."), field="group_id")
    name_zh, name_en = check_names(fields.name_zh, fields.name_en)
    if item is None or item.retired_at is None:
        _check_item_names(session, name_zh, name_en, item.id if item else None)
    if fields.default_level not in tuple(Level):
        raise Invalid(_l("Choose level 1, 2 or 3."), field="default_level")
    try:
        handling = HandlingClass(fields.handling)
    except ValueError:
        raise Invalid(_l("Choose how long resolving may take."), field="handling") from None
    return {
        "group": group,
        "name_zh": name_zh,
        "name_en": name_en,
        "default_level": int(fields.default_level),
        "handling": handling,
        "resolve_minutes": check_resolve_hours(fields.resolve_hours),
        "unit": check_unit(session, actor, fields.unit_id, item.unit_id if item else None),
    }


def _end_of(session: Session, group: CatalogueGroup) -> int:
    last = session.scalar(
        select(func.max(CatalogueItem.position)).where(CatalogueItem.group_id == group.id)
    )
    return 0 if last is None else last + 1


def create_item(
    session: Session, actor: Actor, *, code: str, fields: ItemFields, now: datetime
) -> CatalogueItem:
    """Add a kind of problem at the end of its group; the report form offers it at once."""
    require_catalogue_manager(actor)
    code = check_code(
        session, CatalogueItem, code, _l("Another kind of problem already has this code.")
    )
    values = _item_values(session, actor, fields, None)
    item = CatalogueItem(
        code=code, position=_end_of(session, values["group"]), updated_at=now, **values
    )
    session.add(item)
    session.flush()
    audit.record(
        session, "appeals.create_catalogue_item", actor=actor, target=item, now=now,
        details={"code": code, "group": item.group.code, "level": item.default_level,
                 "unit": item.unit.code if item.unit else None},
    )  # fmt: skip
    return item


def update_item(
    session: Session, actor: Actor, item: CatalogueItem, fields: ItemFields, *, now: datetime
) -> None:
    """Change a kind of problem; one moved to another group goes to the end of it. Appeals
    already filed keep the deadlines and the level they were given."""
    require_catalogue_manager(actor)
    values = _item_values(session, actor, fields, item)
    changed = changes(item, values)
    if not changed:
        return
    if values["group"] is not item.group:
        item.position = _end_of(session, values["group"])
    for name, value in values.items():
        setattr(item, name, value)
    item.updated_at = now
    session.flush()
    audit.record(
        session, "appeals.update_catalogue_item", actor=actor, target=item, now=now,
        details={"code": item.code, "changed": changed},
    )  # fmt: skip


def move_item(
    session: Session, actor: Actor, item: CatalogueItem, step: int, *, now: datetime
) -> None:
    """Move a kind of problem one place up (-1) or down (+1) within its group."""
    require_catalogue_manager(actor)
    if item.retired_at is not None:
        raise Invalid(_l("A retired kind of problem is not on the form: it has no place."))
    rows = list(
        session.scalars(
            select(CatalogueItem)
            .where(CatalogueItem.group_id == item.group_id, CatalogueItem.retired_at.is_(None))
            .order_by(CatalogueItem.position, CatalogueItem.id)
        )
    )
    _move(rows, item, step, now)
    session.flush()
    audit.record(
        session, "appeals.move_catalogue_item", actor=actor, target=item, now=now,
        details={"code": item.code, "position": item.position},
    )  # fmt: skip


def set_item_retired(
    session: Session, actor: Actor, item: CatalogueItem, retired: bool, *, now: datetime
) -> None:
    """Take a kind of problem off the report form, or put it back. Appeals keep it either way."""
    require_catalogue_manager(actor)
    if retired == (item.retired_at is not None):
        raise Invalid(_l("Nothing to change: the kind of problem is already so."))
    if not retired:
        _check_item_names(session, item.name_zh, item.name_en, item.id)
        check_unit(session, actor, item.unit_id, item.unit_id)
    item.retired_at = now if retired else None
    item.updated_at = now
    session.flush()
    audit.record(
        session,
        "appeals.retire_catalogue_item" if retired else "appeals.restore_catalogue_item",
        actor=actor, target=item, now=now, details={"code": item.code},
    )  # fmt: skip


# --- the units items go to -------------------------------------------------------------------


def items_of(session: Session, unit: Unit) -> list[CatalogueItem]:
    """The catalogue items this unit takes at level 3, retired ones too."""
    return list(
        session.scalars(
            select(CatalogueItem)
            .where(CatalogueItem.unit_id == unit.id)
            .order_by(CatalogueItem.retired_at.is_not(None), CatalogueItem.name_zh)
        )
    )


@handles(UnitRetiring)
def _keep_units_items_go_to(session: Session, event: UnitRetiring) -> None:
    """A unit that items still go to stays in use: those items would have nobody to go to."""
    if items_of(session, event.unit):
        raise Invalid(
            _l(
                "Kinds of problem still go to this unit at level 3 (they are listed on this page). Give them another unit first."
            )
        )
