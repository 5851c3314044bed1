"""HTTP for grid points, one blueprint over modules by who uses them: residents and the
public notice (public.py), coordinators (desk.py), district administrators (admin.py)."""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask_login import current_user
from sqlalchemy import func, select

from portal.db import db
from portal.permissions import Permission, require, require_staff
from portal.places.models import Place, PlaceKind
from portal.points.awards import awarding_communities

bp = Blueprint("points", __name__, url_prefix="/points")


@bp.app_template_global("points_text")
def _points_text(points: int) -> str:
    """Points in the reader's language: "1,500"."""
    from portal.points.accounts import points_text

    return points_text(points)


def place_or_404(kind: PlaceKind, code: str) -> Place:
    """The place of `kind` whose code is `code`, in any case (a code typed or read from a
    poster); 404 when there is none."""
    wanted = code.strip().upper()[:32]
    found = db.session.scalar(
        select(Place).where(func.upper(Place.code) == wanted, Place.kind == kind)
    ) if wanted else None  # fmt: skip
    if found is None:
        abort(404)
    return found


def place_by_code(kind: PlaceKind, permission: Permission) -> Place | None:
    """The place of `kind` named by the query's code (`?district=` or `?community=`), which the
    signed-in staff member holds `permission` on; None when no code was given; 404 when no
    such place."""
    code = request.args.get(kind.value, "").strip()
    if not code:
        return None
    found = place_or_404(kind, code)
    require(current_user, permission, found)
    return found


def coordinators_community() -> Place | None:
    """The community the coordinators' desks work in: the one asked for by its code, or the
    only one the coordinator has; None when they must choose (on the points desk)."""
    require_staff(current_user)
    found = place_by_code(PlaceKind.COMMUNITY, Permission.AWARD_POINTS)
    if found is not None:
        return found
    mine = awarding_communities(db.session, current_user)
    if not mine:
        require(current_user, Permission.AWARD_POINTS, None)
    return mine[0] if len(mine) == 1 else None
