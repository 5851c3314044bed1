"""HTTP for grid points, one blueprint over modules by who uses them: residents and the
public notice (public.py), coordinators (desk.py), district administrators (admin.py)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("points", __name__, url_prefix="/points")


@bp.app_template_global("points_text")
def _points_text(points: int) -> str:
    """Points in the reader's language: "1,500"."""
    from portal.points.accounts import points_text

    return points_text(points)
