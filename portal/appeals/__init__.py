"""Appeals (诉求): what residents report, and how staff handle it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask

from portal.appeals.settings import AppealSettings

SETTINGS = "portal.appeal_settings"


def photo_folder(app: Flask) -> Path:
    """Where appeal photos are kept: the web pages and the worker's purge read the same one."""
    configured = app.config["APPEAL_PHOTOS_DIR"]
    return Path(configured) if configured else Path(app.instance_path) / "appeal-photos"


def appeal_settings(app: Flask) -> AppealSettings:
    """The settings the appeal services take, as init_app read them from the configuration."""
    return app.extensions[SETTINGS]


def init_app(app: Flask) -> None:
    from portal import catalogue
    from portal.appeals.clockwork import purge_unattached_photos, sweep
    from portal.appeals.views import bp, resident, staff
    from portal.jobs.registry import register

    settings = app.extensions[SETTINGS] = AppealSettings.from_config(app.config)
    # The catalogue's pages show each handling class's time as this district configured it.
    catalogue.use_handling_times(app, settings.clocks.handling)
    resident.init_app(app)
    staff.init_app(app)
    app.register_blueprint(bp)
    # Every 30 seconds, so that a missed deadline is acted on within a minute of passing.
    register(
        app,
        "appeals.sweep",
        timedelta(seconds=30),
        lambda session, now: sweep(session, now, settings=settings),
    )
    photos = photo_folder(app)
    register(
        app,
        "appeals.purge_unattached_photos",
        timedelta(hours=1),
        lambda session, now: purge_unattached_photos(session, photos, now),
    )
