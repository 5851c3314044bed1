"""Rate limits per client address, phone number and building (Flask-Limiter).

Counts live in memory, or in Redis when RATELIMIT_STORAGE_URL names it so that every process
and server shares them; windows move (an hour is the last sixty minutes, not the clock hour).

Where a limit depends on what was typed, a view counts the attempt with `allow` and, when it is
refused, shows the form again with a message, so that nothing the person typed is lost. `check`
instead ends the request with the 429 page, which says when to come back. `first_refused`
counts several limits in turn, in one Redis round trip.

Every key is stored as a keyed hash, never as given: Redis keys are readable by whoever runs
Redis, and a phone number must not be among them.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections.abc import Sequence
from functools import lru_cache

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from limits.storage import RedisStorage
from werkzeug.exceptions import TooManyRequests

# The hash keeps 64 bits: collisions stay out of reach, and keys stay short.
KEY_DIGITS = 16


def init_app(app: Flask) -> None:
    # One Limiter per app, not one per module: apps made side by side (the tests make several)
    # would otherwise share the storage of whichever was made last.
    limiter = app.extensions["portal.ratelimit"] = Limiter(
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
    _without_request_hooks(app, limiter)
    if limiter.enabled and isinstance(limiter.storage, RedisStorage):
        # Sent by its digest, and loaded again by redis-py should Redis have lost it.
        app.extensions["portal.ratelimit_in_turn"] = (
            limiter.storage.get_connection().register_script(ACQUIRE_IN_TURN)
        )


def _without_request_hooks(app: Flask, limiter: Limiter) -> None:
    """Take out the hooks Flask-Limiter puts around every request.

    They look for limits declared with its decorators, and the portal declares none: every
    limit is counted where it applies (`allow`, `check`), with the key it needs. The hooks
    cost a tenth of a millisecond on every page, a fifth of what a plain page costs.
    """

    def ours(hook: object) -> bool:
        bound_to = getattr(hook, "__self__", None)
        partial_of = getattr(hook, "args", ())[:1]
        return bound_to is limiter or partial_of == (limiter,)

    for hooks in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        hooks[None] = [hook for hook in hooks.get(None, []) if not ours(hook)]


def allow(scope: str, limit: str, key: str | None = None) -> bool:
    """Count one attempt at `scope` from this client (or for `key`, such as a phone number or a
    building); False once `limit` is exceeded (a refused attempt is not counted)."""
    limiter: Limiter = current_app.extensions["portal.ratelimit"]
    if not limiter.enabled:
        return True
    return limiter.limiter.hit(_item(limit), *_identifiers(scope, key))


def first_refused(attempts: Sequence[tuple[str, str, str | None]]) -> int | None:
    """Count attempts given as (scope, limit, key), one after another as `allow` does, up to
    the first refused; return its position in `attempts`, or None when none was refused.

    In Redis they are counted in one round trip, where each `allow` is one: the report's
    send counts three, and under load the round trips cost more than all its statements.
    The windows are the ones Flask-Limiter's own moving-window strategy keeps (the same
    keys, the same lists of times), so `allow`, `check` and `reset` see these counts.
    """
    limiter: Limiter = current_app.extensions["portal.ratelimit"]
    if not limiter.enabled:
        return None
    if not isinstance(limiter.storage, RedisStorage):
        return next((at for at, attempt in enumerate(attempts) if not allow(*attempt)), None)
    keys, args = [], [time.time()]
    for scope, limit, key in attempts:
        item = _item(limit)
        keys.append(limiter.storage.prefixed_key(item.key_for(*_identifiers(scope, key))))
        args += [item.amount, item.get_expiry()]
    refused = current_app.extensions["portal.ratelimit_in_turn"](keys, args)
    return refused - 1 if refused else None


# limits' acquire_moving_window.lua for one key (a list of attempt times, newest first, at
# most `limit` long), applied to each key in turn up to the first whose window is full. Should
# limits keep its windows otherwise, tests/test_ratelimit.py (which reads these counts back
# through Flask-Limiter) fails.
ACQUIRE_IN_TURN = """
local now = tonumber(ARGV[1])
for position, key in ipairs(KEYS) do
    local limit = tonumber(ARGV[2 * position])
    local expiry = tonumber(ARGV[2 * position + 1])
    local oldest = redis.call('lindex', key, limit - 1)
    if oldest and tonumber(oldest) >= now - expiry then
        return position
    end
    redis.call('lpush', key, now)
    redis.call('ltrim', key, 0, limit - 1)
    redis.call('expire', key, expiry)
end
return 0
"""


def check(scope: str, limit: str, key: str | None = None) -> None:
    """Count one attempt like `allow`; once `limit` is exceeded, answer with the 429 page and
    a Retry-After of when the oldest counted attempt leaves the window."""
    if allow(scope, limit, key):
        return
    limiter: Limiter = current_app.extensions["portal.ratelimit"]
    reset_at, _remaining = limiter.limiter.get_window_stats(_item(limit), *_identifiers(scope, key))
    raise TooManyRequests(retry_after=max(1, math.ceil(reset_at - time.time())))


def reset(app: Flask) -> None:
    """Forget every count (for tests; on Redis this empties every limit stored there)."""
    limiter: Limiter = app.extensions["portal.ratelimit"]
    if limiter.enabled:
        limiter.storage.reset()


@lru_cache(maxsize=64)
def _item(limit: str) -> RateLimitItem:
    return parse(limit)


def _identifiers(scope: str, key: str | None) -> tuple[str, str, str]:
    config = current_app.config
    given = key or get_remote_address()
    secret = config["SECRET_KEY"].encode()
    digest = hmac.new(secret, f"ratelimit:{given}".encode(), hashlib.sha256).hexdigest()
    return config["RATELIMIT_KEY_PREFIX"], scope, digest[:KEY_DIGITS]
