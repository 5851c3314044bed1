"""The catalogue (事项清单): the kinds of problem residents report, how the report form offers
them, and the administrators' pages that keep them."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from portal.catalogue.models import DEFAULT_HANDLING, HandlingClass
from portal.catalogue.offered import Offered, OfferedCatalogue

_OFFERED = "portal.offered_catalogue"
_HANDLING = "portal.handling_times"


def on_offer(session: Session, locale: str) -> Offered:
    """The catalogue as the report form offers it in `locale` (this process's copy, read again
    every CATALOGUE_REFRESH_SECONDS)."""
    return current_app.extensions[_OFFERED].get(session, locale)


def forget_offered(app: Flask) -> None:
    """Read the offered catalogue again on the next request (it was edited in this process)."""
    app.extensions[_OFFERED].forget()


def use_handling_times(app: Flask, times: dict[HandlingClass, timedelta]) -> None:
    """The times to resolve each handling class that this district configured."""
    app.extensions[_HANDLING] = dict(times)


def handling_times() -> dict[HandlingClass, timedelta]:
    """Each handling class's time to resolve, as configured (the 12345 defaults otherwise)."""
    return current_app.extensions.get(_HANDLING, DEFAULT_HANDLING)


def init_app(app: Flask) -> None:
    # pin_views adds its pages to the catalogue's blueprint.
    from portal.catalogue import cli, pin_views, views  # noqa: F401
    from portal.features import Panel, Tile, add_panel, add_tile
    from portal.permissions import Permission, holds_anywhere

    app.extensions[_OFFERED] = OfferedCatalogue(app.config["CATALOGUE_REFRESH_SECONDS"])
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.appeals_cli)
    add_panel(app, "units.unit", Panel("catalogue/_unit_items.html", views.unit_items))
    add_tile(
        app,
        "desk",
        Tile(
            "catalogue.index",
            _l("Catalogue of problems"),
            _l("The kinds of problem residents can report: their level, time to resolve and unit."),
            shown=lambda actor: holds_anywhere(actor, Permission.MANAGE_CATALOGUE),
            order=400,
        ),
    )
    add_tile(
        app,
        "desk",
        Tile(
            "catalogue.pin_districts",
            _l("First choices on the report form"),
            _l("The kinds of problem each district's report form shows first."),
            shown=lambda actor: holds_anywhere(actor, Permission.MANAGE_CATALOGUE),
            order=410,
        ),
    )
