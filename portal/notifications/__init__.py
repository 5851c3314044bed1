"""Notifications: SMS messages to residents and staff, rendered in the recipient's language,
queued in the outbox in the transaction that causes them and delivered by the worker."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import click
from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

log = logging.getLogger(__name__)


def dev_pages(app: Flask) -> bool:
    """Whether SMS are shown at /dev/messages instead of sent (never in production)."""
    return bool(app.config["DEV_PAGES"]) and app.config["ENV_NAME"] != "production"


def warn_without_gateway() -> None:
    """Log, in the command line's language, that no SMS reaches anyone (no gateway, no
    development pages); in an app context."""
    log.warning(
        _(
            "No SMS gateway is configured and the development pages are off: no SMS reaches "
            "anyone, sign-in codes included. Set PORTAL_NOTIFICATIONS_PROVIDER=http with the "
            "gateway's address and secret, or PORTAL_DEV_PAGES=true to read them at "
            "/dev/messages."
        )
    )


def _starting_server() -> bool:
    """Whether the app is being built to serve requests: by a WSGI server such as gunicorn
    (outside any command) or by `flask run`. Other commands (db upgrade, demo seed, qr
    posters ...) serve no one; the worker says the warning itself when it starts."""
    command = click.get_current_context(silent=True)
    return command is None or command.info_name == "run"


class _WarningFirst:
    """A pump's drain that first warns, once, that no SMS gateway is configured: the worker
    drains its pumps as soon as it starts, each pass in an app context."""

    def __init__(self, drain: Callable[..., Any]) -> None:
        self.drain = drain
        self.warned = False

    def __call__(self, session: Any, **how: Any) -> Any:
        if not self.warned:
            self.warned = True
            warn_without_gateway()
        return self.drain(session, **how)


def init_app(app: Flask) -> None:
    from portal.features import Tile, add_tile
    from portal.jobs.registry import Pump, register, register_pump
    from portal.notifications import labels, views
    from portal.notifications.delivery import Settings, deliver_due
    from portal.notifications.providers import make_provider
    from portal.notifications.services import purge_old_messages
    from portal.permissions import Permission, can

    name = app.config["NOTIFICATIONS_PROVIDER"]
    if name == "log" and app.config["ENV_NAME"] == "production":
        raise RuntimeError(
            "Production needs an SMS gateway: set PORTAL_NOTIFICATIONS_PROVIDER=http."
        )
    provider = app.extensions["portal.sms"] = make_provider(app.config, dev_pages=dev_pages(app))
    # Refuses a lease shorter than a batch can take before any worker starts.
    settings = Settings.from_config(app.config)

    def deliver(session, **how):
        return deliver_due(session, provider, settings, **how)

    # Said where it matters, once: as the server and the worker start, not in every command.
    if name == "log" and not dev_pages(app):
        deliver = _WarningFirst(deliver)
        if _starting_server():
            with app.app_context():
                warn_without_gateway()
    register_pump(app, Pump("notifications.deliver", deliver))
    keep_days = int(app.config["SMS_KEEP_DAYS"])
    register(
        app,
        "notifications.purge_old_messages",
        timedelta(hours=6),
        lambda session, now: purge_old_messages(session, now, keep_days=keep_days),
    )

    app.register_blueprint(views.bp)
    if name == "http":
        app.register_blueprint(views.receipts_bp)
    if dev_pages(app) and name == "log":
        app.register_blueprint(views.dev_bp)
    app.jinja_env.globals.update(
        message_kind_label=labels.KIND_LABELS.get,
        message_state_label=labels.STATE_LABELS.get,
        message_error_label=labels.error_label,
    )
    add_tile(
        app,
        "desk",
        Tile(
            "notifications.outbox",
            _l("SMS messages"),
            _l("What was sent to whom, and when; send a failed message again."),
            shown=lambda actor: can(actor, Permission.MANAGE_MESSAGES),
            order=800,
        ),
    )
