"""The demo district: places, buildings and the people who work them, for trying the portal out."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.demo import cli

    app.cli.add_command(cli.demo_cli)
