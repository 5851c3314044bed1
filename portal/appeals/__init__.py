"""Appeals (诉求): what residents report, and how staff handle it."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from portal.appeals.settings import AppealSettings

SETTINGS = "portal.appeal_settings"


def appeal_settings(app: Flask) -> AppealSettings:
    """The settings the appeal services take, as init_app read them from the configuration."""
    return app.extensions[SETTINGS]


def init_app(app: Flask) -> None:
    from portal import catalogue
    from portal.appeals.clockwork import sweep
    from portal.appeals.views import bp, report, resident, staff
    from portal.jobs.registry import register

    settings = app.extensions[SETTINGS] = AppealSettings.from_config(app.config)
    # The catalogue's pages show each handling class's time as this district configured it.
    catalogue.use_handling_times(app, settings.clocks.handling)
    resident.init_app(app)
    report.init_app(app)
    staff.init_app(app)
    app.register_blueprint(bp)
    # Every 30 seconds, so that a missed deadline is acted on within a minute of passing.
    register(
        app,
        "appeals.sweep",
        timedelta(seconds=30),
        lambda session, now: sweep(session, now, settings=settings),
    )
