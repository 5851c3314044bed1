"""Shared fixtures: one migrated database per run, one rolled-back transaction per test.

`pytest --db=sqlite` (the default) runs on a SQLite file; `pytest --db=postgres` on a fresh
schema of PORTAL_TEST_DATABASE_URL, dropped afterwards. Each test joins an outer transaction
that is rolled back at its end (SQLAlchemy's "join a session into an external transaction"
recipe), so tests stay independent and fast on both databases.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from portal import create_app, ratelimit
from portal.db import make_engine
from portal.migrations import upgrade
from tests.gateway import GatewayStub
from tests.outbox import Outbox

ROOT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
IN_CI = os.environ.get("CI") == "true"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db", choices=["sqlite", "postgres"], default="sqlite", help="database to test on"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Tests of what only PostgreSQL supports are not collected on SQLite (not skipped: CI
    # counts a skip as a failure, and the PostgreSQL run does include them).
    if config.getoption("--db") == "postgres":
        return
    left_out = [item for item in items if item.get_closest_marker("postgres")]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # In CI nothing may be skipped: a skipped browser or database test is a failed check.
    if not IN_CI:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(
            f"CI=true: {len(skipped)} tests were skipped, which CI does not allow.", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


class Database:
    """A database made for this test run: its URL and how to make another empty one."""

    def __init__(self, kind: str, workdir: Path) -> None:
        self.kind = kind
        self.workdir = workdir
        self.schemas: list[str] = []

    def new_url(self) -> str:
        """The URL of a new, empty database (a SQLite file or a PostgreSQL schema)."""
        if self.kind == "sqlite":
            return f"sqlite:///{self.workdir / f'db-{secrets.token_hex(4)}.sqlite'}"
        schema = f"portal_test_{secrets.token_hex(4)}"
        base = os.environ.get("PORTAL_TEST_DATABASE_URL", DEFAULT_POSTGRES_URL)
        admin = make_engine(base)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        self.schemas.append(schema)
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        return url.render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if not self.schemas:
            return
        admin = make_engine(os.environ.get("PORTAL_TEST_DATABASE_URL", DEFAULT_POSTGRES_URL))
        # One transaction a schema: dropping them all at once takes a lock for every table
        # and index of every schema, more than PostgreSQL's shared lock table holds.
        for schema in self.schemas:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def database(request: pytest.FixtureRequest) -> Iterator[Database]:
    kind = request.config.getoption("--db")
    with tempfile.TemporaryDirectory(prefix="portal-tests-") as workdir:
        made = Database(kind, Path(workdir))
        try:
            yield made
        finally:
            made.drop_all()


def migrated_engine(url: str) -> Engine:
    engine = make_engine(url)
    with engine.begin() as connection:
        upgrade(connection)
    return engine


@pytest.fixture(scope="session")
def engine(database: Database) -> Iterator[Engine]:
    """The run's database, migrated to the newest schema (the way production gets it)."""
    engine = migrated_engine(database.new_url())
    yield engine
    engine.dispose()


# Photos the tests upload go to a folder of this run, never to instance/.
PHOTOS_DIR = tempfile.mkdtemp(prefix="portal-test-photos-")


def make_test_app(database_url: str, **overrides) -> Flask:
    settings = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URL": "memory://",
        "DEV_PAGES": True,
        "SCAN_FLUSH_SECONDS": None,
        "UPLOADS_DIR": PHOTOS_DIR,
    }
    settings.update(overrides)
    return create_app(settings)


def dispose(app: Flask) -> None:
    """Close the app's pooled connections (psycopg warns about any left to the collector)."""
    app.extensions["portal.db"].engine.dispose()


@pytest.fixture(scope="session")
def app(engine: Engine) -> Iterator[Flask]:
    made = make_test_app(engine.url.render_as_string(hide_password=False))
    yield made
    dispose(made)


@pytest.fixture
def fresh_app(database: Database) -> Iterator[Callable[..., Flask]]:
    """Make apps on new, empty databases of their own (for the command line and set-up)."""
    made: list[Flask] = []

    def make(*, migrate: bool = False, **overrides) -> Flask:
        url = database.new_url()
        if migrate:
            migrated_engine(url).dispose()
        made.append(make_test_app(url, **overrides))
        return made[-1]

    yield make
    for app in made:
        dispose(app)


@pytest.fixture
def session(app: Flask, engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test.

    The app's own sessions join the same connection, so what a request commits is only a
    savepoint released inside the outer transaction.
    """
    connection = engine.connect()
    outer = connection.begin()
    app_sessions = app.extensions["portal.db"].session.session_factory
    app_sessions.configure(bind=connection, join_transaction_mode="create_savepoint")
    test_session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield test_session
    finally:
        test_session.close()
        app_sessions.configure(bind=engine, join_transaction_mode="conservative_savepoint")
        outer.rollback()
        connection.close()


def forget_counters(app: Flask) -> None:
    """Empty the rate limits, door pages and facts, the catalogue the form offers and the scan
    counts that `app` keeps in memory."""
    ratelimit.reset(app)
    app.extensions["portal.door_pages"].clear()
    app.extensions["portal.door_facts"].clear()
    app.extensions["portal.offered_catalogue"].forget()
    app.extensions["portal.scans"].take()


@pytest.fixture(autouse=True)
def _fresh_counters(app: Flask) -> Iterator[None]:
    """Rate limits, door pages and facts, the catalogue the form offers and scan counts start
    empty."""
    forget_counters(app)
    yield


class Client(FlaskClient):
    """A test client that makes the test's session re-read rows after every request."""

    test_session: Session | None = None

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        if self.test_session is not None:
            self.test_session.expire_all()
        return response


@pytest.fixture
def client(app: Flask, session: Session) -> Client:
    app.test_client_class = Client
    made = app.test_client()
    made.test_session = session
    return made


@pytest.fixture
def app_context(app: Flask) -> Iterator[None]:
    """For service tests: gettext, config and the SMS provider need an app context.

    Messages are read in English (a few tests switch to Chinese with force_locale).
    """
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def english_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line speaks the language of LC_ALL / LANG; these tests read English."""
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")


@pytest.fixture
def gateway() -> Iterator[GatewayStub]:
    """An SMS gateway stub served on 127.0.0.1 for this test."""
    with GatewayStub() as stub:
        yield stub


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment of a production server: its own secret, address and SMS gateway."""
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("PORTAL_SECRET_KEY", "a production secret")
    monkeypatch.setenv("PORTAL_BASE_URL", "https://portal.example")
    monkeypatch.setenv("PORTAL_SMS_GATEWAY_URL", "https://sms.example/send")
    monkeypatch.setenv("PORTAL_SMS_GATEWAY_SECRET", "a gateway secret")


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


@pytest.fixture
def sms(session: Session) -> Outbox:
    """The SMS outbox: what this test queued for residents' phones."""
    return Outbox(session)
