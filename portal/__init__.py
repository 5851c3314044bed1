"""The community grid service portal.

`create_app` builds the Flask application: configuration, database, languages, rate limits,
then every feature package of portal/features.py, each registering itself.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import cli, config, ratelimit
from portal.db import db
from portal.extensions import babel, csrf
from portal.features import init_features
from portal.i18n import select_locale
from portal.logmasking import mask_phones_in_logs

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
    app.cli.add_command(cli.db_cli)
    init_features(app)
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
