"""Places: the district → street → community → grid hierarchy and the buildings of each grid."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from portal.features import Tile, add_tile
    from portal.permissions import Permission, holds_anywhere
    from portal.places import cli, labels, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.places_cli)
    app.jinja_env.globals.update(
        kind_label=labels.KIND_LABELS.get,
        kind_plural=labels.KIND_PLURALS.get,
        risk_label=labels.RISK_LABELS.get,
    )
    add_tile(
        app,
        "desk",
        Tile(
            "places.index",
            _l("Places and buildings"),
            _l("Keep areas and buildings up to date; import and export buildings."),
            shown=lambda actor: holds_anywhere(actor, Permission.MANAGE_PLACES),
            order=300,
        ),
    )
