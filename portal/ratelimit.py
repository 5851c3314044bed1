"""Rate limits per client address, phone number and building (Flask-Limiter).

Counts live in memory, or in Redis when RATELIMIT_STORAGE_URL names it so that every process
and server shares them; windows move (an hour is the last sixty minutes, not the clock hour).

Where a limit depends on what was typed, a view counts the attempt with `allow` and, when it is
refused, shows the form again with a message, so that nothing the person typed is lost.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse


def init_app(app: Flask) -> None:
    # One Limiter per app, not one per module: apps made side by side (the tests make several)
    # would otherwise share the storage of whichever was made last.
    app.extensions["portal.ratelimit"] = Limiter(
        # request.remote_addr: behind PROXY_COUNT proxies, ProxyFix has set it from
        # X-Forwarded-For before any of this runs.
        get_remote_address,
        app=app,
        # RATELIMIT_STORAGE_URI is the older name of the setting (and Flask-Limiter's own).
        storage_uri=app.config.get("RATELIMIT_STORAGE_URL")
        or app.config.get("RATELIMIT_STORAGE_URI")
        or "memory://",
        strategy="moving-window",
        # No X-RateLimit-* headers on every page: door pages are cached and shared.
        headers_enabled=False,
    )


def allow(scope: str, limit: str, key: str | None = None) -> bool:
    """Count one attempt at `scope` from this client (or for `key`, such as a phone number or a
    building); False once `limit` is exceeded (a refused attempt is not counted)."""
    limiter: Limiter = current_app.extensions["portal.ratelimit"]
    if not limiter.enabled:
        return True
    return limiter.limiter.hit(_item(limit), *_identifiers(scope, key))


def reset(app: Flask) -> None:
    """Forget every count (for tests; on Redis this empties every limit stored there)."""
    limiter: Limiter = app.extensions["portal.ratelimit"]
    if limiter.enabled:
        limiter.storage.reset()


@lru_cache(maxsize=64)
def _item(limit: str) -> RateLimitItem:
    return parse(limit)


def _identifiers(scope: str, key: str | None) -> tuple[str, str, str]:
    return current_app.config["RATELIMIT_KEY_PREFIX"], scope, key or get_remote_address()
