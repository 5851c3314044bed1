"""Staff accounts: the administrators' pages and command line for accounts and their roles,
and who works each place (a panel on the place page)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask
from flask_babel import lazy_gettext as _l

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from portal.permissions import Actor
    from portal.places.models import Place


def init_app(app: Flask) -> None:
    from portal.features import Panel, Tile, add_panel, add_tile
    from portal.permissions import Permission, holds_anywhere
    from portal.staff import cli, handlers, views  # noqa: F401  (handlers registers itself)

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.users_cli)
    add_panel(app, "places.place", Panel("staff/_place_staff.html", _place_staff))
    add_tile(
        app,
        "desk",
        Tile(
            "staff.users",
            _l("Staff accounts"),
            _l("Create accounts, grant and take away roles, disable accounts."),
            shown=lambda actor: holds_anywhere(actor, Permission.MANAGE_STAFF),
            order=600,
        ),
    )


def _place_staff(session: Session, actor: Actor, place: Place) -> dict[str, Any]:
    from portal.staff.services import staff_of

    return {"staff": staff_of(session, place)}
