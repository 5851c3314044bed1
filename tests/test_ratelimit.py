"""Rate limits: what is counted against what, where the counts live, and what a refusal says."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import redis
from flask import Flask
from limits.storage import MemoryStorage, RedisStorage

from portal import create_app, ratelimit
from tests.conftest import IN_CI, PHOTOS_DIR, dispose, make_test_app

# A real Redis runs here in CI; each test keeps to keys of its own prefix and deletes them.
REDIS_URL = "redis://127.0.0.1:6379/0"
PHONE = "13812345678"


def attempt(app: Flask, scope: str, limit: str, key: str | None = None, address="10.0.0.1"):
    with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
        return ratelimit.allow(scope, limit, key)


def in_turn(app: Flask, attempts, address="10.0.0.1"):
    with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
        return ratelimit.first_refused(attempts)


def remaining(app: Flask, scope: str, limit: str, key: str | None = None, address="10.0.0.1"):
    """What the limit has left, as Flask-Limiter's own strategy reads it."""
    with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
        limiter = app.extensions["portal.ratelimit"]
        return limiter.limiter.get_window_stats(
            ratelimit._item(limit), *ratelimit._identifiers(scope, key)
        ).remaining


# Counted in turn: the address, then the phone, then the building (the report's send).
IN_TURN = [
    ("send", "3/minute", None),
    ("send-phone", "1/minute", PHONE),
    ("send-building", "2/minute", "B1"),
]


def counted_in_turn(app: Flask) -> None:
    """What first_refused does, wherever the counts live: each attempt is counted in turn up
    to the first refused one, whose position it returns; those after it are not counted."""
    assert in_turn(app, IN_TURN) is None
    assert in_turn(app, IN_TURN) == 1  # the phone's one a minute is spent
    assert [remaining(app, *attempt) for attempt in IN_TURN] == [1, 0, 1]
    assert in_turn(app, IN_TURN, address="10.0.0.2") == 1
    assert in_turn(app, IN_TURN) == 1  # the address's third
    assert in_turn(app, IN_TURN) == 0  # and now the address is refused first
    assert [remaining(app, *attempt) for attempt in IN_TURN] == [0, 0, 1]
    # The building's window counts on its own (another phone, another address).
    other = [IN_TURN[0], ("send-phone", "1/minute", "13900000000"), IN_TURN[2]]
    assert in_turn(app, other, address="10.0.0.3") is None
    again = [IN_TURN[0], ("send-phone", "1/minute", "13900000001"), IN_TURN[2]]
    assert in_turn(app, again, address="10.0.0.4") == 2
    # The same windows as `allow` keeps.
    assert not attempt(app, "send", "3/minute")
    assert attempt(app, "send", "3/minute", address="10.0.0.5")


class Clock:
    """The time the counts read (time.time), moved on by hand."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = float(int(time.time()))  # whole seconds: Redis keeps them exactly
        monkeypatch.setattr(time, "time", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch)


def backs_off_and_never_locks(app: Flask, clock: Clock) -> None:
    """Wrong tries past the free ones make the next wait, twice as long each time up to the
    longest wait, which always ends; tries sent at once get one through; each key counts on
    its own; forgetting starts again."""
    backoff = ratelimit.Backoff("digits", free=2, first=60, longest=300)
    with app.test_request_context():
        waits = []
        for _ in range(7):
            waits.append(backoff.take("A1"))
            if waits[-1]:
                clock.advance(waits[-1] + 1)
                assert backoff.take("A1") == 0
            backoff.failed("A1")
        assert waits == [0, 0, 60, 120, 240, 300, 300]
        clock.advance(299)
        assert backoff.take("A1") == 1
        clock.advance(2)
        assert backoff.take("A1") == 0, "never locked: after the longest wait, a try is taken"
        assert backoff.take("A1") == 300, "tries sent at once: one gets through"
        assert [backoff.take("B2") for _ in range(3)] == [0, 0, 60]
        backoff.forget("A1")
        assert backoff.take("A1") == 0


def one_try_of_many_sent_at_once(app: Flask) -> None:
    """Tries sent at the same moment, when a wait ends: one is taken, the others wait."""
    backoff = ratelimit.Backoff("digits-at-once", free=0, first=60)
    barrier = threading.Barrier(8)
    waits: list[int] = []

    def run() -> None:
        with app.test_request_context():
            barrier.wait()
            waits.append(backoff.take("A1"))

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(waits) == [0] + [60] * 7


# In memory


def test_wrong_tries_slow_down_and_never_lock(app, clock):
    backs_off_and_never_locks(app, clock)


def test_of_tries_sent_at_once_one_is_taken(app):
    one_try_of_many_sent_at_once(app)


def test_attempts_counted_in_turn_stop_at_the_first_refused(app):
    counted_in_turn(app)


def test_attempts_count_per_scope_address_and_key(app):
    assert [attempt(app, "try", "2/minute") for _ in range(3)] == [True, True, False]
    assert attempt(app, "try", "2/minute", address="10.0.0.2")
    assert attempt(app, "other", "2/minute")
    assert attempt(app, "try", "1/minute", key=PHONE)
    assert not attempt(app, "try", "1/minute", key=PHONE, address="10.0.0.3")


def test_the_default_is_memory_and_adds_no_headers_or_limits_of_its_own(client, app):
    assert isinstance(app.extensions["portal.ratelimit"].storage, MemoryStorage)
    responses = [client.get("/find?q=x") for _ in range(3)] + [client.get("/b/zzzzzz")]
    for response in responses:
        assert not [name for name, _value in response.headers if "ratelimit" in name.lower()]
        assert "Retry-After" not in response.headers


def test_switched_off_nothing_is_refused():
    app = make_test_app("sqlite://", RATELIMIT_ENABLED=False)
    assert all(attempt(app, "try", "1/minute") for _ in range(3))
    ratelimit.reset(app)
    dispose(app)


@pytest.fixture(scope="module")
def proxied_app() -> Iterator[Flask]:
    """An app behind one proxy, with one route limited to one request a minute."""
    app = make_test_app("sqlite://", PROXY_COUNT=1)

    @app.get("/limited")
    def limited():
        ratelimit.check("limited", "1/minute")
        return "ok"

    yield app
    dispose(app)


def test_behind_a_proxy_the_address_is_the_one_it_forwards(proxied_app):
    client = proxied_app.test_client()
    first = {"X-Forwarded-For": "203.0.113.1"}
    assert client.get("/limited", headers=first).status_code == 200
    refused = client.get("/limited", headers=first)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert client.get("/limited", headers={"X-Forwarded-For": "203.0.113.2"}).status_code == 200


# In Redis


@pytest.fixture(scope="module")
def redis_client() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        if IN_CI:
            pytest.fail(f"Redis is not reachable at {REDIS_URL}; CI must test the shared counts.")
        pytest.skip(f"Redis is not reachable at {REDIS_URL} (CI fails here)")
    yield client
    client.close()


@pytest.fixture
def redis_apps(redis_client) -> Iterator[tuple[Callable[..., Flask], str]]:
    """Make apps counting in Redis under a prefix of this test's own; its keys go afterwards."""
    prefix = f"portal-test-{secrets.token_hex(8)}"
    made: list[Flask] = []

    def make(**overrides) -> Flask:
        settings = {"RATELIMIT_STORAGE_URL": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix}
        made.append(make_test_app("sqlite://", **{**settings, **overrides}))
        return made[-1]

    yield make, prefix
    leftover = list(redis_client.scan_iter(match=f"*{prefix}*"))
    if leftover:
        redis_client.delete(*leftover)
    for app in made:
        dispose(app)


def keys_of(redis_client: redis.Redis, prefix: str) -> list[str]:
    return [key.decode() for key in redis_client.scan_iter(match=f"*{prefix}*")]


def test_servers_sharing_redis_share_the_counts(redis_apps):
    make, _prefix = redis_apps
    one, two = make(), make()
    assert isinstance(one.extensions["portal.ratelimit"].storage, RedisStorage)
    assert attempt(one, "try", "2/minute")
    assert attempt(two, "try", "2/minute")
    assert not attempt(one, "try", "2/minute")
    assert attempt(two, "try", "2/minute", address="10.0.0.2")


def test_in_redis_wrong_tries_slow_down_and_never_lock(redis_apps, clock):
    make, _prefix = redis_apps
    backs_off_and_never_locks(make(), clock)


def test_in_redis_of_tries_sent_at_once_one_is_taken(redis_apps):
    make, _prefix = redis_apps
    one_try_of_many_sent_at_once(make())


def test_in_redis_attempts_counted_in_turn_stop_at_the_first_refused(redis_apps):
    make, _prefix = redis_apps
    app = make()
    counted_in_turn(app)
    # Another server sees the same counts.
    assert in_turn(make(), IN_TURN) == 0


def test_phone_numbers_and_addresses_never_reach_redis_as_they_are(redis_apps, redis_client):
    make, prefix = redis_apps
    app = make()
    assert attempt(app, "appeal-submit-phone", "10/day", PHONE, address="10.1.2.3")
    assert attempt(app, "appeal-submit", "20/hour", address="10.1.2.3")
    keys = keys_of(redis_client, prefix)
    assert len(keys) == 2
    for key in keys:
        assert PHONE not in key and PHONE[-8:] not in key and "10.1.2.3" not in key
    # Another secret, another key: nobody can hash every mobile number to find one.
    other = make(SECRET_KEY="another-secret")
    assert attempt(other, "appeal-submit-phone", "10/day", PHONE)
    assert len(keys_of(redis_client, prefix)) == 3


def test_the_older_name_of_the_setting_is_still_read(redis_apps):
    make, _prefix = redis_apps
    app = make(RATELIMIT_STORAGE_URL=None, RATELIMIT_STORAGE_URI=REDIS_URL)
    assert isinstance(app.extensions["portal.ratelimit"].storage, RedisStorage)


def test_the_storage_is_chosen_by_an_environment_variable(monkeypatch, redis_client):
    monkeypatch.setenv("PORTAL_RATELIMIT_STORAGE_URL", REDIS_URL)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": "sqlite://",
            "DEV_PAGES": True,
            "UPLOADS_DIR": PHOTOS_DIR,
        }
    )
    assert isinstance(app.extensions["portal.ratelimit"].storage, RedisStorage)
    dispose(app)


def test_no_page_pays_for_flask_limiters_own_checks(app):
    """Its request hooks look for limits declared with its decorators, and there are none:
    every limit is counted where it applies (the tests above)."""
    hooks = [
        *app.before_request_funcs.get(None, []),
        *app.after_request_funcs.get(None, []),
        *app.teardown_request_funcs.get(None, []),
    ]
    modules = {getattr(getattr(hook, "func", hook), "__module__", "") for hook in hooks}
    assert not [module for module in modules if module.startswith("flask_limiter")]
    assert "flask_wtf.csrf" in modules, "the hooks of other extensions stay"
