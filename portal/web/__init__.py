"""Site-wide plumbing every feature uses: error pages, headers, checks of addresses, template
helpers, the health check."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.web import addresses, errors, security, templating, views

    addresses.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    app.register_blueprint(views.bp)
