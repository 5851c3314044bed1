"""The community grid service portal.

`create_app` builds the Flask application: configuration, database, languages, security,
and the feature packages (accounts, places, audit, notifications), each a blueprint.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import config, ratelimit
from portal.db import db
from portal.extensions import babel, csrf
from portal.i18n import select_locale
from portal.logmasking import mask_phones_in_logs
from portal.notifications.delivery import Settings
from portal.notifications.providers import make_provider

PROJECT_ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the portal; `test_config` overrides every other setting."""
    mask_phones_in_logs()
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_object(config.Config)
    if os.environ.get("PORTAL_ENV") == "production":
        app.config.from_object(config.ProductionConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("PORTAL")
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _load_secret_key(app)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(PROJECT_ROOT / "translations")
    _check_base_url(app)

    if app.config["PROXY_COUNT"]:
        count = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]

    db.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    ratelimit.init_app(app)
    _init_notifications(app)
    _register_features(app)
    return app


def _check_base_url(app: Flask) -> None:
    """In production the base URL must be the public one: it is printed on every door."""
    host = urlsplit(app.config["BASE_URL"]).hostname or ""
    if app.config["ENV_NAME"] == "production" and host in ("127.0.0.1", "localhost", ""):
        raise RuntimeError("Set PORTAL_BASE_URL to the portal's public address in production.")


def _load_secret_key(app: Flask) -> None:
    """Use SECRET_KEY if set; else instance/secret_key, created on the first run outside production."""
    if app.config.get("SECRET_KEY"):
        return
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        if app.config["ENV_NAME"] == "production":
            raise RuntimeError("Set PORTAL_SECRET_KEY (the same on every server) in production.")
        _write_new_secret(path)
    app.config["SECRET_KEY"] = path.read_text().strip()


def _write_new_secret(path: Path) -> None:
    # Written aside and linked into place, so two processes starting at once agree on one key.
    temporary = path.with_name(f".secret_key.{os.getpid()}")
    temporary.write_text(secrets.token_hex(32))
    temporary.chmod(0o600)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def _dev_pages(app: Flask) -> bool:
    return bool(app.config["DEV_PAGES"]) and app.config["ENV_NAME"] != "production"


def _init_notifications(app: Flask) -> None:
    name = app.config["NOTIFICATIONS_PROVIDER"]
    if name == "log" and app.config["ENV_NAME"] == "production":
        raise RuntimeError(
            "Production needs an SMS gateway: set PORTAL_NOTIFICATIONS_PROVIDER=http."
        )
    if name == "log" and not _dev_pages(app):
        log.warning("No SMS gateway is configured: residents will not receive sign-in codes.")
    app.extensions["portal.sms"] = make_provider(app.config, dev_pages=_dev_pages(app))
    # Refuse a lease shorter than a batch can take before any worker starts.
    Settings.from_config(app.config)


def _register_features(app: Flask) -> None:
    from portal import cli
    from portal.accounts import sessions
    from portal.accounts.cli import users_cli
    from portal.accounts.views import bp as accounts_bp
    from portal.appeals import staff_views  # noqa: F401  (its routes join the appeals blueprint)
    from portal.appeals import views as appeals
    from portal.appeals.admin import bp as appeals_admin_bp
    from portal.appeals.cli import appeals_cli
    from portal.audit.views import bp as audit_bp
    from portal.demo.cli import demo_cli
    from portal.doors import views as doors
    from portal.doors.cli import qr_cli
    from portal.jobs.cli import worker_command
    from portal.notifications import views as notifications
    from portal.places.cli import places_cli
    from portal.places.views import bp as places_bp
    from portal.web import errors, security, templating
    from portal.web.views import bp as web_bp

    sessions.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    doors.init_app(app)
    appeals.init_app(app)
    blueprints = (
        web_bp,
        accounts_bp,
        places_bp,
        audit_bp,
        doors.bp,
        notifications.bp,
        appeals.bp,
        appeals_admin_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    if app.config["NOTIFICATIONS_PROVIDER"] == "http":
        app.register_blueprint(notifications.receipts_bp)
    if _dev_pages(app) and app.config["NOTIFICATIONS_PROVIDER"] == "log":
        app.register_blueprint(notifications.dev_bp)
    commands = (cli.db_cli, users_cli, places_cli, demo_cli, qr_cli, worker_command, appeals_cli)
    for command in commands:
        app.cli.add_command(command)
    _register_jobs(app)


def _register_jobs(app: Flask) -> None:
    """The periodic jobs the worker runs (features add theirs here)."""
    from portal.accounts.services import purge_sign_in_codes
    from portal.appeals.clockwork import purge_unattached_photos, sweep
    from portal.jobs.registry import HEARTBEAT, HEARTBEAT_EVERY, register
    from portal.notifications.services import purge_old_messages

    # Does nothing: that it ran tells the outbox page that a worker is alive.
    register(app, HEARTBEAT, HEARTBEAT_EVERY, lambda session, now: None)
    register(app, "accounts.purge_sign_in_codes", timedelta(hours=1), purge_sign_in_codes)
    # Every 30 seconds, so that a missed deadline is acted on within a minute of passing.
    register(app, "appeals.sweep", timedelta(seconds=30), sweep)
    photos = app.config["APPEAL_PHOTOS_DIR"] or str(Path(app.instance_path) / "appeal-photos")
    register(
        app,
        "appeals.purge_unattached_photos",
        timedelta(hours=1),
        lambda session, now: purge_unattached_photos(session, Path(photos), now),
    )
    keep_days = int(app.config["SMS_KEEP_DAYS"])
    register(
        app,
        "notifications.purge_old_messages",
        timedelta(hours=6),
        lambda session, now: purge_old_messages(session, now, keep_days=keep_days),
    )
