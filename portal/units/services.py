"""Units: the street offices and departments that take level-3 appeals, and their members.

A unit serves a street or a district; its members are officers (holding the OFFICER role on
a place that covers the unit's) who work its queue. Administrators of the portal, or of the
district a unit lies in, keep units (MANAGE_CATALOGUE). Functions take a Session, the acting
user, plain values and `now`; they write every change to the audit log, flush but never
commit. Units are retired, never deleted: appeals and summonses keep pointing at them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.audit import services as audit
from portal.errors import Forbidden, Invalid, NotFound
from portal.events import DomainEvent, publish
from portal.permissions import Actor, Permission, Role, covers, holds_anywhere, require, scopes
from portal.phones import mask_phone, normalize_phone
from portal.places.models import Place, PlaceKind
from portal.places.services import check_public_phone
from portal.units.models import Unit, UnitMember

CODE_MAX = 40
CODE_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
NAME_ZH_MAX = 50
NAME_EN_MAX = 100
# The kinds of place a unit may serve.
UNIT_PLACE_KINDS = frozenset({PlaceKind.STREET, PlaceKind.DISTRICT})


# --- rules the catalogue's pages share: the same administrators keep both -----------------------


def require_catalogue_manager(actor: Actor) -> None:
    """Raise Forbidden unless `actor` keeps the catalogue: an administrator of the portal or
    of a district (the catalogue is one list for the whole portal)."""
    if not holds_anywhere(actor, Permission.MANAGE_CATALOGUE):
        raise Forbidden(
            _l("You do not have permission to do this here."),
            permission=Permission.MANAGE_CATALOGUE.value,
        )


def check_code(session: Session, model: type, raw: str, taken: Any) -> str:
    """A new code for a group, an item or a unit: a lower-case slug no other row of `model`
    has; `taken` is the message when one does."""
    code = (raw or "").strip().lower()
    if not code:
        raise Invalid(_l("Enter a code."), field="code")
    if len(code) > CODE_MAX or not CODE_PATTERN.fullmatch(code):
        raise Invalid(
            _l("Use up to 40 lower-case letters, digits and hyphens, like rubbish-in-corridor."),
            field="code",
        )
    if session.scalar(select(model.id).where(model.code == code)) is not None:
        raise Invalid(taken, field="code")
    return code


def check_names(name_zh: str, name_en: str) -> tuple[str, str]:
    """Both names, trimmed: the portal is read in Chinese and in English."""
    name_zh, name_en = (name_zh or "").strip(), (name_en or "").strip()
    if not name_zh:
        raise Invalid(_l("Enter the name in Chinese."), field="name_zh")
    if len(name_zh) > NAME_ZH_MAX:
        raise Invalid(_l("Keep it within 50 characters."), field="name_zh")
    if not name_en:
        raise Invalid(
            _l("Enter the name in English: the portal is read in English too."), field="name_en"
        )
    if len(name_en) > NAME_EN_MAX:
        raise Invalid(_l("Keep it within 100 characters."), field="name_en")
    return name_zh, name_en


def changes(row: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields `values` would change on `row`, as [before, after] for the audit log."""
    changed = {}
    for name, value in values.items():
        before = getattr(row, name)
        if before != value:
            changed[name] = [_plain(before), _plain(value)]
    return changed


def _plain(value: Any) -> Any:
    """A value as the audit log keeps it: a group, unit or place by its code, a class by name."""
    if isinstance(getattr(value, "code", None), str):
        return value.code
    if isinstance(value, Enum):
        return value.value
    return value


@dataclass(frozen=True)
class UnitRetiring(DomainEvent):
    """A unit is about to be retired: a feature whose work still goes to it refuses (raises
    Invalid) and the unit stays in use."""

    unit: Unit


# --- units -----------------------------------------------------------------------------------


def _within_scopes(actor: Actor) -> Any:
    """A condition on Place: inside the places where `actor` keeps units (None: everywhere)."""
    require_catalogue_manager(actor)
    places = scopes(actor, Permission.MANAGE_CATALOGUE)
    if places == [None]:
        return None
    return or_(*(Place.path.startswith(place.path, autoescape=True) for place in places))


def units_query(actor: Actor) -> Select:
    """The units `actor` keeps, those in use first, by the place they serve, then by code."""
    query = select(Unit).join(Unit.place)
    inside = _within_scopes(actor)
    if inside is not None:
        query = query.where(inside)
    return query.order_by(Unit.retired_at.is_not(None), Place.code, Unit.code)


def usable_units(session: Session, actor: Actor) -> list[Unit]:
    """The units in use that `actor` may give catalogue items to."""
    return list(session.scalars(units_query(actor).where(Unit.retired_at.is_(None))))


def unit_places(session: Session, actor: Actor) -> list[Place]:
    """The streets and districts `actor` may give a unit to, by code (a street's division code
    begins with its district's)."""
    query = select(Place).where(Place.kind.in_(UNIT_PLACE_KINDS))
    inside = _within_scopes(actor)
    if inside is not None:
        query = query.where(inside)
    return list(session.scalars(query.order_by(Place.code)))


def get_unit(session: Session, actor: Actor, unit_id: int) -> Unit:
    """A unit `actor` keeps."""
    require_catalogue_manager(actor)
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(_l("There is no such unit."))
    require(actor, Permission.MANAGE_CATALOGUE, unit.place)
    return unit


def member_counts(session: Session, units: list[Unit]) -> dict[int, int]:
    """How many members each of `units` has."""
    if not units:
        return {}
    rows = session.execute(
        select(UnitMember.unit_id, func.count())
        .where(UnitMember.unit_id.in_([unit.id for unit in units]))
        .group_by(UnitMember.unit_id)
    )
    return dict(rows.all())


def members_of(session: Session, unit: Unit) -> list[UnitMember]:
    """The unit's memberships, disabled accounts too, longest-standing first: the page where
    administrators add and remove them."""
    return list(
        session.scalars(
            select(UnitMember)
            .where(UnitMember.unit_id == unit.id)
            .order_by(UnitMember.added_at, UnitMember.user_id)
        )
    )


def members(session: Session, unit: Unit) -> list[User]:
    """The active users who work the unit's queue and answer its summonses, by account id."""
    return list(
        session.scalars(
            select(User)
            .join(UnitMember, UnitMember.user_id == User.id)
            .where(UnitMember.unit_id == unit.id, User.disabled_at.is_(None))
            .order_by(User.id)
        )
    )


def units_of_member(session: Session, user_id: int) -> frozenset[int]:
    """The ids of the units in use whose queues the user works."""
    return frozenset(
        session.scalars(
            select(UnitMember.unit_id)
            .join(Unit, Unit.id == UnitMember.unit_id)
            .where(UnitMember.user_id == user_id, Unit.retired_at.is_(None))
        )
    )


def _check_place(session: Session, actor: Actor, place_id: int | None) -> Place:
    place = session.get(Place, place_id) if isinstance(place_id, int) else None
    if place is None or place.kind not in UNIT_PLACE_KINDS:
        raise Invalid(_l("Choose the street or district the unit serves."), field="place_id")
    require(actor, Permission.MANAGE_CATALOGUE, place)
    return place


def _is_officer_of(user: User, place: Place) -> bool:
    return any(grant.role == Role.OFFICER and covers(grant.place, place) for grant in user.grants)


def create_unit(
    session: Session,
    actor: Actor,
    *,
    code: str,
    place_id: int | None,
    name_zh: str,
    name_en: str,
    phone: str,
    now: datetime,
) -> Unit:
    """Add a street office or department serving a street or a district."""
    require_catalogue_manager(actor)
    code = check_code(session, Unit, code, _l("Another unit already has this code."))
    place = _check_place(session, actor, place_id)
    name_zh, name_en = check_names(name_zh, name_en)
    check_public_phone(session, phone)
    unit = Unit(code=code, place=place, name_zh=name_zh, name_en=name_en, phone=phone.strip())
    session.add(unit)
    session.flush()
    audit.record(
        session, "appeals.create_unit", actor=actor, target=unit, now=now,
        details={"code": code, "place": place.code},
    )  # fmt: skip
    return unit


def update_unit(
    session: Session,
    actor: Actor,
    unit: Unit,
    *,
    place_id: int | None,
    name_zh: str,
    name_en: str,
    phone: str,
    now: datetime,
) -> None:
    """Change a unit's names, office line or the place it serves. Its members must all be
    officers of the new place."""
    require(actor, Permission.MANAGE_CATALOGUE, unit.place)
    place = _check_place(session, actor, place_id)
    name_zh, name_en = check_names(name_zh, name_en)
    check_public_phone(session, phone)
    if place is not unit.place and not all(
        _is_officer_of(member.user, place) for member in members_of(session, unit)
    ):
        raise Invalid(
            _l(
                "Some members are not officers of that street or district. Remove them first, or give them the officer role there."
            ),
            field="place_id",
        )
    values = {"place": place, "name_zh": name_zh, "name_en": name_en, "phone": phone.strip()}
    changed = changes(unit, values)
    if not changed:
        return
    for name, value in values.items():
        setattr(unit, name, value)
    session.flush()
    audit.record(
        session, "appeals.update_unit", actor=actor, target=unit, now=now,
        details={"code": unit.code, "changed": changed},
    )  # fmt: skip


def set_unit_retired(
    session: Session, actor: Actor, unit: Unit, retired: bool, *, now: datetime
) -> None:
    """Retire a unit (it takes nothing new) or bring it back. One that other features still
    send work to stays in use (see UnitRetiring): that work would have nobody to go to."""
    require(actor, Permission.MANAGE_CATALOGUE, unit.place)
    if retired == (unit.retired_at is not None):
        raise Invalid(_l("Nothing to change: the unit is already so."))
    if retired:
        publish(session, UnitRetiring(unit))
    unit.retired_at = now if retired else None
    session.flush()
    audit.record(
        session, "appeals.retire_unit" if retired else "appeals.restore_unit",
        actor=actor, target=unit, now=now, details={"code": unit.code},
    )  # fmt: skip


def add_member(session: Session, actor: Actor, unit: Unit, phone: str, *, now: datetime) -> User:
    """Add the officer whose staff account has this number to the unit's members."""
    require(actor, Permission.MANAGE_CATALOGUE, unit.place)
    if unit.retired_at is not None:
        raise Invalid(_l("This unit is retired. Bring it back into use before adding members."))
    number = normalize_phone(phone or "")
    if number is None:
        raise Invalid(
            _l("Enter an 11-digit mainland mobile number, like 138 0013 8000."), field="phone"
        )
    user = session.scalar(select(User).where(User.phone == number))
    if user is None or not user.is_staff:
        raise Invalid(
            _l("No staff account has this number. Create one under Staff accounts first."),
            field="phone",
        )
    if not user.is_active:
        raise Invalid(_l("This account is disabled."), field="phone")
    if not _is_officer_of(user, unit.place):
        raise Invalid(
            _l(
                "This account is not an officer of the street or district this unit serves. Give it the officer role there first, under Staff accounts."
            ),
            field="phone",
        )
    if session.get(UnitMember, (unit.id, user.id)) is not None:
        raise Invalid(_l("This officer is a member of the unit already."), field="phone")
    session.add(UnitMember(unit_id=unit.id, user_id=user.id, added_at=now))
    session.flush()
    audit.record(
        session, "appeals.add_unit_member", actor=actor, target=unit, now=now,
        details={"code": unit.code, "user_id": user.id, "phone": mask_phone(user.phone)},
    )  # fmt: skip
    return user


def remove_member(
    session: Session, actor: Actor, unit: Unit, user_id: int, *, now: datetime
) -> None:
    """Take an officer off the unit's members."""
    require(actor, Permission.MANAGE_CATALOGUE, unit.place)
    member = session.get(UnitMember, (unit.id, user_id))
    if member is None:
        raise NotFound(_l("This officer is not a member of the unit."))
    masked = mask_phone(member.user.phone)
    session.delete(member)
    session.flush()
    audit.record(
        session, "appeals.remove_unit_member", actor=actor, target=unit, now=now,
        details={"code": unit.code, "user_id": user_id, "phone": masked},
    )  # fmt: skip
