"""Volunteering on a building's door page: an older resident who scans the door finds
volunteering and help for older residents there."""

from __future__ import annotations

from typing import Any

from flask import Flask


def init_app(app: Flask) -> None:
    """Add volunteering's buttons to every building's door page."""
    from portal.features import Panel, add_panel

    add_panel(app, "doors.door", Panel("volunteering/_door.html", door_buttons))


def door_buttons(_session: Any, _actor: Any, _door: Any) -> dict[str, Any]:
    """The same for everyone: the door page is kept and shown to every visitor."""
    return {}
