"""Rate limits per client address, kept in memory or in Redis (the `limits` library).

Views count an attempt with `allow` and, when it is refused, show the form again with a
message, so nothing the person typed is lost. Limits per phone number are rules of the
accounts feature and live in its services, counted in the database.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from limits import parse, storage, strategies


def init_app(app: Flask) -> None:
    backend = storage.storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
    app.extensions["portal.ratelimit"] = strategies.MovingWindowRateLimiter(backend)


def allow(scope: str, limit: str, key: str | None = None) -> bool:
    """Count one attempt at `scope` from this client (or for `key`, such as a phone number or
    a building); False once `limit` is exceeded."""
    limiter = current_app.extensions["portal.ratelimit"]
    return limiter.hit(parse(limit), scope, key or request.remote_addr or "unknown")


def reset(app: Flask) -> None:
    """Forget every count (for tests)."""
    app.extensions["portal.ratelimit"].storage.reset()
