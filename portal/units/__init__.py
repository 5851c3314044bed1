"""Units: the street offices and departments that take level-3 appeals, their members, and
the administrators' pages that keep them."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from portal.features import Tile, add_tile
    from portal.permissions import Permission, holds_anywhere
    from portal.units import views

    app.register_blueprint(views.bp)
    add_tile(
        app,
        "desk",
        Tile(
            "units.unit_list",
            _l("Street offices and departments"),
            _l("The units that take level-3 reports, and the officers who work their queues."),
            shown=lambda actor: holds_anywhere(actor, Permission.MANAGE_CATALOGUE),
            order=500,
        ),
    )
