"""Appeals (诉求): what residents report, and how staff handle it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext as _l


def photo_folder(app: Flask) -> Path:
    """Where appeal photos are kept: the web pages and the worker's purge read the same one."""
    configured = app.config["APPEAL_PHOTOS_DIR"]
    return Path(configured) if configured else Path(app.instance_path) / "appeal-photos"


def init_app(app: Flask) -> None:
    from portal.appeals import staff_views, views  # noqa: F401 (staff routes join views.bp)
    from portal.appeals.clockwork import purge_unattached_photos, sweep
    from portal.appeals.queues import team_places
    from portal.features import Tile, add_tile
    from portal.jobs.registry import register

    views.init_app(app)
    app.register_blueprint(views.bp)
    # Every 30 seconds, so that a missed deadline is acted on within a minute of passing.
    register(app, "appeals.sweep", timedelta(seconds=30), sweep)
    photos = photo_folder(app)
    register(
        app,
        "appeals.purge_unattached_photos",
        timedelta(hours=1),
        lambda session, now: purge_unattached_photos(session, photos, now),
    )
    add_tile(
        app,
        "desk",
        Tile(
            "appeals.queue",
            _l("Reports to handle"),
            _l("Your team's queue, overdue first; accept, resolve, send on."),
            shown=lambda actor: bool(team_places(actor)),
            order=100,
        ),
    )
    add_tile(
        app,
        "home",
        Tile(
            "appeals.mine",
            _l("My reports"),
            shown=lambda actor: actor.is_authenticated,
            order=200,
        ),
    )
