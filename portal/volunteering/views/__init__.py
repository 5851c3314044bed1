"""HTTP for volunteering, one blueprint over modules by who uses them."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("volunteering", __name__, url_prefix="/volunteering")


@bp.app_template_global("hours_text")
def _hours_text(minutes: int) -> str:
    """Minutes as hours in the reader's language, on every page: "1.5", "1,500"."""
    from portal.volunteering.timebank import hours_text

    return hours_text(minutes)
