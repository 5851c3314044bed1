"""Managing staff accounts: creating them, granting and revoking roles, disabling, resetting,
and who works a place.

Each function checks the acting user's permission on the places involved and writes the
change to the audit log. They flush but never commit.
"""

from __future__ import annotations

import string
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, func, or_, select, true
from sqlalchemy.orm import Session, joinedload

from portal.accounts.models import RoleGrant, User
from portal.accounts.passwords import hash_password, password_problem
from portal.accounts.services import end_all_sessions, valid_phone
from portal.audit import services as audit
from portal.errors import Forbidden, Invalid, NotFound
from portal.numbers import typed
from portal.permissions import STAFF_ROLES, Actor, Permission, Role, can, require, scopes
from portal.phones import mask_phone, normalize_phone
from portal.places.models import Place, PlaceKind

# The kinds of place each role may be granted on; None means the whole portal.
GRANTABLE_ON: dict[Role, frozenset[PlaceKind | None]] = {
    Role.VOLUNTEER: frozenset({PlaceKind.COMMUNITY}),
    Role.GRID_WORKER: frozenset({PlaceKind.GRID}),
    Role.SECRETARY: frozenset({PlaceKind.COMMUNITY}),
    Role.DEPUTY_SECRETARY: frozenset({PlaceKind.COMMUNITY}),
    Role.COORDINATOR: frozenset({PlaceKind.COMMUNITY}),
    Role.OFFICER: frozenset({PlaceKind.STREET, PlaceKind.DISTRICT}),
    Role.LEGAL_ADVISER: frozenset({PlaceKind.DISTRICT, PlaceKind.STREET, PlaceKind.COMMUNITY}),
    Role.LEGAL_SUPERVISOR: frozenset({PlaceKind.DISTRICT}),
    Role.ARCHIVIST: frozenset({PlaceKind.DISTRICT, PlaceKind.STREET}),
    Role.ADMIN: frozenset({None, PlaceKind.DISTRICT}),
}


def require_staff_manager(actor: Actor) -> list[Place | None]:
    """The places where `actor` manages staff ([None]: everywhere); Forbidden if none."""
    places = scopes(actor, Permission.MANAGE_STAFF)
    if not places:
        raise Forbidden(_l("You do not have permission to do this here."))
    return places


def _visible_to(actor: Actor) -> ColumnElement[bool]:
    """Accounts `actor` may look at: those holding a role inside the actor's area.

    Residents (no role on any place) are seen only by administrators of the whole portal.
    """
    places = require_staff_manager(actor)
    if places == [None]:
        return true()
    inside = or_(*(Place.path.startswith(place.path, autoescape=True) for place in places))
    holders = select(RoleGrant.user_id).join(Place, RoleGrant.place_id == Place.id).where(inside)
    return User.id.in_(holders)


def _can_see(actor: Actor, user: User) -> bool:
    places = require_staff_manager(actor)
    if places == [None]:
        return True
    return any(
        grant.place is not None and can(actor, Permission.MANAGE_STAFF, grant.place)
        for grant in user.grants
    )


def get_user(session: Session, actor: Actor, user_id: int) -> User:
    """An account `actor` may look at."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_l("There is no such account."))
    if not _can_see(actor, user):
        raise Forbidden(_l("This account works outside your area."))
    return user


def users_query(actor: Actor, search: str = "") -> Select:
    """Accounts `actor` may look through, staff first, by phone number; optionally a search."""
    query = select(User).where(_visible_to(actor))
    digits = "".join(ch for ch in typed(search) if ch in string.digits)
    if digits:
        query = query.where(User.phone.contains(digits))
    elif search.strip():
        query = query.where(User.display_name.contains(search.strip()))
    has_staff_role = (
        select(func.count(RoleGrant.id))
        .where(RoleGrant.user_id == User.id, RoleGrant.role.in_(STAFF_ROLES))
        .scalar_subquery()
    )
    return query.order_by(has_staff_role.desc(), User.phone)


def reveal_phone(session: Session, actor: Actor, user: User, *, now: datetime) -> str:
    """The full number, for calling the person; each look is written to the audit log."""
    if not _can_see(actor, user):
        raise Forbidden(_l("This account works outside your area."))
    audit.record(session, "accounts.reveal_phone", actor=actor, target=user, now=now)
    return user.phone


def _check_new_password(password: str, phone: str) -> None:
    problem = password_problem(password, phone=phone)
    if problem:
        raise Invalid(problem, field="password")


def create_user(
    session: Session,
    actor: Actor,
    *,
    phone: str,
    display_name: str,
    password: str | None,
    now: datetime,
    locale: str | None = None,
) -> User:
    """Create an account with no role yet (the command line and the demo district).

    With a password it can sign in as staff once granted a role. A password set by someone
    else is temporary: it must be changed at the first sign-in.
    """
    require(actor, Permission.MANAGE_STAFF, None)
    phone = valid_phone(phone)
    if session.scalar(select(User.id).where(User.phone == phone)) is not None:
        raise Invalid(_l("An account with this phone number already exists."), field="phone")
    user = User(
        phone=phone,
        display_name=display_name.strip(),
        locale=locale,
        created_at=now,
        # Whoever created the account knows the password; its owner must replace it.
        must_change_password=password is not None,
    )
    if password is not None:
        _check_new_password(password, phone)
        user.password_hash = hash_password(password)
    session.add(user)
    session.flush()
    audit.record(
        session, "accounts.create_user", actor=actor, target=user, now=now,
        details={"phone": mask_phone(phone), "staff": password is not None},
    )  # fmt: skip
    return user


def find_user_by_phone(session: Session, phone: str) -> User | None:
    number = normalize_phone(phone)
    return session.scalar(select(User).where(User.phone == number)) if number else None


def _grant_place(
    session: Session, actor: Actor, role: Role, place_code: str | None
) -> Place | None:
    """The place a role is to be granted on, if the role fits it and `actor` may grant there."""
    place = None
    if place_code and place_code.strip():
        place = session.scalar(select(Place).where(Place.code == place_code.strip()))
        if place is None:
            raise Invalid(_l("There is no place with this code."), field="place_code")
    if role == Role.RESIDENT:
        raise Invalid(_l("Every account can act as a resident; there is nothing to grant."))
    kind = place.kind if place is not None else None
    if kind not in GRANTABLE_ON[role]:
        raise Invalid(_l("This role cannot be granted on this kind of place."), field="place_code")
    require(actor, Permission.MANAGE_STAFF, place)
    return place


def create_staff(
    session: Session,
    actor: Actor,
    *,
    phone: str,
    display_name: str,
    password: str,
    role: Role,
    place_code: str,
    now: datetime,
) -> User:
    """Make someone staff with their first role, in one go.

    A new number gets a new account; a resident's account becomes a staff account (its owner
    then signs in with the temporary password). A number that is staff already is refused:
    give that account another role instead.
    """
    _grant_place(session, actor, role, place_code)
    number = valid_phone(phone)
    user = find_user_by_phone(session, number)
    if user is None:
        user = User(phone=number, display_name=display_name.strip(), created_at=now)
        session.add(user)
        action = "accounts.create_user"
    elif user.password_hash or user.is_staff:
        raise Invalid(
            _l("This number has a staff account already: give it another role there."),
            field="phone",
        )
    else:
        user.display_name = display_name.strip() or user.display_name
        action = "accounts.make_staff"
    _check_new_password(password, user.phone)
    user.password_hash = hash_password(password)
    # Whoever set the password knows it; its owner must replace it.
    user.must_change_password = True
    session.flush()
    audit.record(
        session,
        action,
        actor=actor,
        target=user,
        now=now,
        details={"phone": mask_phone(user.phone)},
    )
    grant_role(session, actor, user, role, place_code, now=now)
    return user


def grant_role(
    session: Session, actor: Actor, user: User, role: Role, place_code: str | None, *, now: datetime
) -> RoleGrant:
    """Appoint `user` to `role` on the place with `place_code` (empty: the whole portal)."""
    place = _grant_place(session, actor, role, place_code)
    if role in STAFF_ROLES and not user.password_hash:
        raise Invalid(_l("Staff sign in with a password: set one for this account first."))
    place_id = place.id if place is not None else None
    if any(g.role == role and g.place_id == place_id for g in user.grants):
        raise Invalid(_l("This account already has this role here."))
    grant = RoleGrant(role=role, place=place, granted_by_id=actor.id, granted_at=now)
    user.grants.append(grant)
    session.flush()
    audit.record(
        session, "accounts.grant_role", actor=actor, target=user, now=now,
        details={"role": role.value, "place": place.code if place else None},
    )  # fmt: skip
    return grant


def revoke_role(
    session: Session, actor: Actor, user: User, grant_id: int, *, now: datetime
) -> None:
    """Take one of `user`'s roles away; it stops working at their next request."""
    grant = session.get(RoleGrant, grant_id)
    if grant is None or grant.user_id != user.id:
        raise NotFound(_l("There is no such role."))
    require(actor, Permission.MANAGE_STAFF, grant.place)
    if user.id == actor.id and grant.role == Role.ADMIN:
        raise Invalid(_l("You cannot take away your own administrator role."))
    details = {"role": grant.role.value, "place": grant.place.code if grant.place else None}
    user.grants.remove(grant)
    session.flush()
    audit.record(
        session, "accounts.revoke_role", actor=actor, target=user, now=now, details=details
    )


def _require_over(actor: Actor, user: User) -> None:
    """Raise Forbidden unless `actor` manages staff on every place `user` holds a role on."""
    places = [grant.place for grant in user.grants] or [None]
    if not all(can(actor, Permission.MANAGE_STAFF, place) for place in places):
        raise Forbidden(_l("This account also works outside your area."))


def set_disabled(
    session: Session, actor: Actor, user: User, disabled: bool, *, now: datetime
) -> None:
    """Disable an account (every session ends at once) or enable it again."""
    _require_over(actor, user)
    if user.id == actor.id:
        raise Invalid(_l("You cannot disable your own account."))
    if disabled == (user.disabled_at is not None):
        return
    user.disabled_at = now if disabled else None
    end_all_sessions(user)
    audit.record(
        session, "accounts.disable_user" if disabled else "accounts.enable_user",
        actor=actor, target=user, now=now,
    )  # fmt: skip


def reset_password(
    session: Session, actor: Actor, user: User, password: str, *, now: datetime
) -> None:
    """Give an account a temporary password and unlock it; the owner must change it."""
    _require_over(actor, user)
    _check_new_password(password, user.phone)
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.failed_sign_ins = 0
    user.locked_until = None
    end_all_sessions(user)
    audit.record(session, "accounts.reset_password", actor=actor, target=user, now=now)


def staff_of(session: Session, place: Place) -> list[RoleGrant]:
    """The roles held on `place` itself (its secretary, its grid worker), with their holders."""
    return list(
        session.scalars(
            select(RoleGrant)
            .where(RoleGrant.place_id == place.id)
            .options(joinedload(RoleGrant.user))
            .order_by(RoleGrant.role, RoleGrant.id)
        )
    )
