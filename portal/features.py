"""The features the portal is made of, and what each adds to the pages they share.

`create_app` imports every package named in FEATURES, in order, and calls its
`init_app(app)`. There a feature registers all it brings: its blueprints, its command-line
group, its periodic jobs (portal.jobs.registry), its template labels, and its tiles on the
staff desk and the resident's home page, or its panels on another feature's page. Nothing
outside the package needs to know that it exists; adding a feature is adding its name here.

The home page and the staff desk (portal/desk) show what is registered here and import no
feature; a feature's page shows another's panels the same way.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from flask import Flask

from portal.permissions import Actor

# In the order their init_app runs: a feature comes after those whose registrations it reads.
FEATURES: tuple[str, ...] = (
    "portal.web",
    "portal.audit",
    "portal.jobs",
    "portal.notifications",
    "portal.accounts",
    "portal.workdays",
    "portal.uploads",
    "portal.drafts",
    "portal.places",
    "portal.verification",
    "portal.staff",
    "portal.doors",
    "portal.catalogue",
    "portal.units",
    "portal.appeals",
    "portal.ledger",
    "portal.meetings",
    "portal.volunteering",
    "portal.points",
    "portal.legal",
    "portal.archives",
    "portal.demo",
    "portal.desk",
)

Where = Literal["desk", "home"]


def init_features(app: Flask) -> None:
    """Call every feature's init_app."""
    app.extensions["portal.features"] = Registry()
    for name in FEATURES:
        importlib.import_module(name).init_app(app)


def _always(_actor: Actor) -> bool:
    return True


@dataclass(frozen=True)
class Tile:
    """A link on the staff desk or the resident's home page, to a feature's page."""

    endpoint: str
    title: Any  # a lazy gettext string
    summary: Any = ""
    # Whether the person (an Actor, maybe anonymous) is shown the tile; the page checks again.
    shown: Callable[[Any], bool] = _always
    # Lower first: the work people come for before their settings.
    order: int = 100


@dataclass(frozen=True)
class Panel:
    """A part of another feature's page: `template` rendered with what `context` returns, or
    left out when it returns None. `context(session, actor, subject)`, where the subject is
    what the page is about (a building, a place)."""

    template: str
    context: Callable[[Any, Any, Any], dict[str, Any] | None]
    order: int = 100


@dataclass
class Registry:
    tiles: dict[str, list[Tile]] = field(default_factory=dict)
    panels: dict[str, list[Panel]] = field(default_factory=dict)


def _registry(app: Flask) -> Registry:
    return app.extensions["portal.features"]


def add_tile(app: Flask, where: Where, tile: Tile) -> None:
    """Show `tile` on the staff desk or the resident's home page."""
    tiles = _registry(app).tiles.setdefault(where, [])
    tiles.append(tile)
    tiles.sort(key=lambda each: each.order)


def tiles(app: Flask, where: Where, actor: Actor) -> list[Tile]:
    """The tiles of a page that `actor` is shown, in order."""
    return [tile for tile in _registry(app).tiles.get(where, []) if tile.shown(actor)]


def add_panel(app: Flask, slot: str, panel: Panel) -> None:
    """Show `panel` on the page that renders `slot` (named after it: "places.building")."""
    panels = _registry(app).panels.setdefault(slot, [])
    panels.append(panel)
    panels.sort(key=lambda each: each.order)


def panels(
    app: Flask, slot: str, session: Any, actor: Actor, subject: Any
) -> list[tuple[str, dict]]:
    """The panels of `slot` to show about `subject`: (template, context) in order."""
    shown = []
    for panel in _registry(app).panels.get(slot, []):
        context = panel.context(session, actor, subject)
        if context is not None:
            shown.append((panel.template, context))
    return shown
