"""The audit log: who did what, on what, when, from where, and with what result."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from portal.audit import labels, views
    from portal.features import Tile, add_tile
    from portal.permissions import Permission, can

    views.init_app(app)
    app.jinja_env.globals["outcome_label"] = labels.OUTCOME_LABELS.get
    add_tile(
        app,
        "desk",
        Tile(
            "audit.index",
            _l("Audit log"),
            _l("Who did what, and when."),
            shown=lambda actor: can(actor, Permission.VIEW_AUDIT),
            order=700,
        ),
    )
