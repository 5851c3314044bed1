"""The resident's home page and the staff desk: the tiles features register, for whoever may
use them (portal/features.py). The desk imports no feature."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.desk import views

    app.register_blueprint(views.bp)
