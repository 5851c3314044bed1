"""Verification: /v/<code> says whether a document the portal issued still counts.

Features register the kinds of document they issue (`register_kind`) in their init_app, then
issue and withdraw documents through portal.verification.services.
"""

from __future__ import annotations

from flask import Flask

from portal.verification.kinds import DocumentKind, kind_named, register_kind

__all__ = ["DocumentKind", "init_app", "kind_named", "register_kind"]


def init_app(app: Flask) -> None:
    from portal.verification import kinds, views

    kinds.init_app(app)
    app.register_blueprint(views.bp)
