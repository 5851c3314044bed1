"""The registry features fill in: tiles for the shared pages, panels for each other's pages."""

from __future__ import annotations

from types import SimpleNamespace

from flask import Flask

from portal.features import FEATURES, Panel, Registry, Tile, add_panel, add_tile, panels, tiles


def bare_app() -> Flask:
    app = Flask(__name__)
    app.extensions["portal.features"] = Registry()
    return app


def test_tiles_come_in_their_order_and_only_to_whom_they_are_shown():
    app = bare_app()
    staff = SimpleNamespace(is_staff=True)
    resident = SimpleNamespace(is_staff=False)
    add_tile(app, "desk", Tile("b.later", "Later", order=200))
    add_tile(app, "desk", Tile("a.staff", "Staff", shown=lambda actor: actor.is_staff, order=100))
    add_tile(app, "home", Tile("c.home", "Home"))
    assert [tile.endpoint for tile in tiles(app, "desk", staff)] == ["a.staff", "b.later"]
    assert [tile.endpoint for tile in tiles(app, "desk", resident)] == ["b.later"]
    assert [tile.endpoint for tile in tiles(app, "home", resident)] == ["c.home"]


def test_a_panel_that_has_nothing_to_say_is_left_out():
    app = bare_app()
    add_panel(app, "places.building", Panel("b.html", lambda s, a, subject: {"n": subject}, 20))
    add_panel(app, "places.building", Panel("a.html", lambda s, a, subject: None, 10))
    add_panel(app, "places.building", Panel("c.html", lambda s, a, subject: {"n": 2 * subject}, 30))
    assert panels(app, "places.building", None, None, 4) == [
        ("b.html", {"n": 4}),
        ("c.html", {"n": 8}),
    ]
    assert panels(app, "places.place", None, None, 4) == []


def test_every_feature_registers_itself(app):
    import importlib

    for name in FEATURES:
        assert callable(importlib.import_module(name).init_app), name
    blueprints = {blueprint.import_name.split(".")[1] for blueprint in app.blueprints.values()}
    assert {
        "accounts",
        "places",
        "doors",
        "appeals",
        "audit",
        "notifications",
        "desk",
    } <= blueprints
