"""Accounts: people, how they sign in, and the language they read."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from portal.accounts import codes, labels, sessions, views
    from portal.features import Tile, add_tile
    from portal.jobs.registry import register

    sessions.init_app(app)
    app.register_blueprint(views.bp)
    register(app, "accounts.purge_phone_codes", timedelta(hours=1), codes.purge)
    app.jinja_env.globals["role_label"] = labels.ROLE_LABELS.get
    add_tile(
        app,
        "desk",
        Tile("accounts.change_password", _l("Change your password"), order=1000),
    )
