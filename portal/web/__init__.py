"""Site-wide plumbing every feature uses: error pages, headers, template helpers, the
health check."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.web import errors, security, templating, views

    security.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    app.register_blueprint(views.bp)
