"""Doors: the permanent door page /b/<code> of every building, its QR code and its posters."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from portal.permissions import Actor


def init_app(app: Flask) -> None:
    from portal.doors import cli, views
    from portal.features import Panel, Tile, add_panel, add_tile

    views.init_app(app)
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.qr_cli)
    add_panel(app, "places.building", Panel("doors/_building_door.html", _building_door))
    add_tile(
        app,
        "home",
        Tile("doors.find", _l("No code at hand? Find your building"), order=100),
    )


def recent_door(session: Any, raw_code: str) -> Any:
    """A door's facts (portal.doors.services.DoorFacts) as the report's screens show them:
    read at most once a minute per process, as the door page is rendered."""
    from flask import current_app

    from portal.doors.services import recent_door as kept_or_read

    return kept_or_read(session, raw_code, current_app.extensions["portal.door_facts"])


def _building_door(session: Any, actor: Actor, building: Any) -> dict[str, Any]:
    from portal.doors.services import scan_total

    return {"building": building, "scans": scan_total(session, actor, building)}
