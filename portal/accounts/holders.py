"""Who holds a permission on a place: the one query every feature asks "who works here?" with.

A role is granted on a place (portal.permissions); the staff who work a place are the active
users holding a role that carries the permission, granted on that very place, or with
`covering=True` on any place that contains it (the secretary of the community above a grid,
an administrator of the whole portal).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from portal.accounts.models import RoleGrant, User
from portal.permissions import ROLES_WITH, Permission, Scoped


def place_ids_above(place: Scoped) -> list[int]:
    """The ids of `place` and of every place containing it, read from its path ("/1/4/9/")."""
    return [int(part) for part in place.scope_path.split("/") if part]


def holders_statement(permission: Permission, place_ids: Iterable[int]) -> Select[Any]:
    """The grants of active users that carry `permission` on one of `place_ids`, as
    (place id, user) rows, oldest grant first; for pages that ask about many places at once."""
    return (
        select(RoleGrant.place_id, User)
        .join(User, User.id == RoleGrant.user_id)
        .where(
            RoleGrant.role.in_(ROLES_WITH[permission]),
            RoleGrant.place_id.in_(list(place_ids)),
            User.disabled_at.is_(None),
        )
        .order_by(RoleGrant.id)
    )


def holders(
    session: Session, permission: Permission, place: Scoped, *, covering: bool = False
) -> list[User]:
    """The active users holding `permission` on `place` itself, or with `covering` on any
    place that contains it, grants on the whole portal included; each once, oldest grant
    first."""
    if covering:
        ids = place_ids_above(place)
        on_place = or_(RoleGrant.place_id.in_(ids), RoleGrant.place_id.is_(None))
    else:
        on_place = RoleGrant.place_id == getattr(place, "id", None)
    users = session.scalars(
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role.in_(ROLES_WITH[permission]), on_place, User.disabled_at.is_(None))
        .order_by(RoleGrant.id)
    )
    return list(dict.fromkeys(users))
