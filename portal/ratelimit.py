"""Rate limits per client address, phone number and building (Flask-Limiter).

Counts live in memory, or in Redis when RATELIMIT_STORAGE_URL names it so that every process
and server shares them; windows move (an hour is the last sixty minutes, not the clock hour).

Where a limit depends on what was typed, a view counts the attempt with `allow` and, when it is
refused, shows the form again with a message, so that nothing the person typed is lost. `check`
instead ends the request with the 429 page, which says when to come back. `first_refused`
counts several limits in turn, up to the first refused. `Backoff` slows down wrong tries at one
thing from anywhere without ever locking it: a wait that grows with them, and always ends.

Every key is stored as a keyed hash, never as given: Redis keys are readable by whoever runs
Redis, and a phone number must not be among them.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, RateLimitItemPerSecond, parse
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


def _without_request_hooks(app: Flask, limiter: Limiter) -> None:
    """Take out the hooks Flask-Limiter puts around every request.

    They look for limits declared with its decorators, and the portal declares none: every
    limit is counted where it applies (`allow`, `check`), with the key it needs. Measured
    (issue 15, 5 interleaved rounds on a quiet machine): the door page serves 13% more
    requests a second without them on SQLite and 12% on PostgreSQL, with the rounds' ranges
    apart; tests/test_ratelimit.py checks that no hook of the Limiter is left.
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
    """Count attempts given as (scope, limit, key) with `allow`, one after another, up to the
    first refused; return its position in `attempts`, or None when none was refused."""
    return next((at for at, attempt in enumerate(attempts) if not allow(*attempt)), None)


def check(scope: str, limit: str, key: str | None = None) -> None:
    """Count one attempt like `allow`; once `limit` is exceeded, answer with the 429 page and
    a Retry-After of when the oldest counted attempt leaves the window."""
    if allow(scope, limit, key):
        return
    raise TooManyRequests(retry_after=retry_after(scope, limit, key))


def retry_after(scope: str, limit: str, key: str | None = None) -> int:
    """Seconds until `limit` at `scope` takes an attempt again (for a refusal's message)."""
    limiter: Limiter = current_app.extensions["portal.ratelimit"]
    reset_at, _remaining = limiter.limiter.get_window_stats(_item(limit), *_identifiers(scope, key))
    return max(1, math.ceil(reset_at - time.time()))


@dataclass(frozen=True)
class Backoff:
    """Slow down, never lock: wrong tries at one thing (a key, such as an appeal's id), from
    any address, past the `free` ones of the last `window` seconds, each make the next try
    wait: `first` seconds, then twice as long each time, up to `longest`. Whoever knows the
    answer is kept waiting at most `longest` after the last wrong try, however many were made.

    A try is taken atomically (a hit in the storage, not a look at it): many tries sent at
    the moment a wait ends get one through, not all.
    """

    scope: str
    free: int = 5
    first: int = 60
    longest: int = 3600
    window: int = 24 * 3600

    def take(self, key: str) -> int:
        """Take a try at `key`: 0 when it is taken, else the seconds to wait for the next."""
        limiter: Limiter = current_app.extensions["portal.ratelimit"]
        if not limiter.enabled:
            return 0
        gate, ids = self._gate(key)
        if limiter.limiter.hit(gate, *ids):
            return 0
        if gate.amount > 1:
            # The free tries were all taken at once and are still being checked: once they
            # are, the first wait applies.
            return self.first
        reset_at, _remaining = limiter.limiter.get_window_stats(gate, *ids)
        return max(1, math.ceil(reset_at - time.time()))

    def failed(self, key: str) -> None:
        """Count a wrong try at `key`: the next waits as long as the wrong tries now say."""
        limiter: Limiter = current_app.extensions["portal.ratelimit"]
        if not limiter.enabled:
            return
        limiter.limiter.hit(self._wrong, *_identifiers(f"{self.scope}:wrong", key))
        gate, ids = self._gate(key)
        if gate.amount == 1:  # The wait starts now.
            limiter.limiter.hit(gate, *ids)

    def forget(self, key: str) -> None:
        """Forget the tries at `key` (the right answer was given)."""
        limiter: Limiter = current_app.extensions["portal.ratelimit"]
        if limiter.enabled:
            limiter.limiter.clear(self._wrong, *_identifiers(f"{self.scope}:wrong", key))
            limiter.limiter.clear(self._free, *_identifiers(f"{self.scope}:free", key))

    @property
    def _wrong(self) -> RateLimitItem:
        # Only counted: far more than anyone can make at the slowest pace.
        return RateLimitItemPerSecond(self.window, self.window)

    @property
    def _free(self) -> RateLimitItem:
        return RateLimitItemPerSecond(self.free, self.window)

    def _gate(self, key: str) -> tuple[RateLimitItem, tuple[str, str, str]]:
        """What the next try at `key` must get through: one of the free tries, or one try per
        the wait the wrong tries so far call for."""
        limiter: Limiter = current_app.extensions["portal.ratelimit"]
        wrong_ids = _identifiers(f"{self.scope}:wrong", key)
        _reset, remaining = limiter.limiter.get_window_stats(self._wrong, *wrong_ids)
        wrong = self._wrong.amount - remaining
        if wrong < self.free:
            return self._free, _identifiers(f"{self.scope}:free", key)
        seconds = min(self.longest, self.first * 2 ** min(wrong - self.free, 32))
        return RateLimitItemPerSecond(1, seconds), _identifiers(f"{self.scope}:pace", key)


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
