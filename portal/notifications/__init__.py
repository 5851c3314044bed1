"""Notifications: SMS messages to residents and staff, rendered in the recipient's language,
queued in the outbox in the transaction that causes them and delivered by the worker."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask
from flask_babel import lazy_gettext as _l

log = logging.getLogger(__name__)


def dev_pages(app: Flask) -> bool:
    """Whether SMS are shown at /dev/messages instead of sent (never in production)."""
    return bool(app.config["DEV_PAGES"]) and app.config["ENV_NAME"] != "production"


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
    if name == "log" and not dev_pages(app):
        log.warning("No SMS gateway is configured: residents will not receive sign-in codes.")
    provider = app.extensions["portal.sms"] = make_provider(app.config, dev_pages=dev_pages(app))
    # Refuses a lease shorter than a batch can take before any worker starts.
    settings = Settings.from_config(app.config)
    register_pump(
        app,
        Pump(
            "notifications.deliver",
            lambda session, **how: deliver_due(session, provider, settings, **how),
        ),
    )
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
