"""The database: the declarative base, UTC timestamps, and one session per application context.

Plain SQLAlchemy 2.x. The glue to Flask is small enough to own: an engine per app, a session
scoped to the app context (so every request gets a fresh one) and removed when it ends.
"""

from __future__ import annotations

import sqlite3
from contextvars import ContextVar
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache
from typing import Any

from flask import Flask, current_app
from flask.globals import app_ctx
from sqlalchemy import DateTime, Engine, Enum, MetaData, create_engine, event, inspect, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import (
    DeclarativeBase,
    Session,
    make_transient_to_detached,
    scoped_session,
    sessionmaker,
)
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database.

    PostgreSQL keeps the offset itself; SQLite drops it, so values are normalised to UTC on the
    way in and marked as UTC on the way out. Naive datetimes are refused: they are always a bug.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every model. Constraint names are stable so migrations can refer to them."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}  # noqa: RUF012


def enum_column(enum: type[StrEnum]) -> Enum:
    """Store a StrEnum by its value in a short string column (no native type to migrate)."""
    return Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )


def default_database_url(app: Flask) -> str:
    return f"sqlite:///{app.instance_path}/portal.db"


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and working SAVEPOINTs.

    Statement parameters are left out of error messages, which reach the log: they hold
    phone numbers and SMS texts. A pooled PostgreSQL connection is checked before use (the
    pre-ping), so that no request fails on one the server has closed (after a restart).
    """
    url = make_url(url)
    kwargs.setdefault("hide_parameters", True)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 15}, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite starts transactions lazily and never around SAVEPOINT; take over BEGIN so that
    # nested transactions (used by the tests and by all-or-nothing imports) behave as on
    # PostgreSQL. This is SQLAlchemy's documented recipe for the pysqlite driver.
    #
    # BEGIN IMMEDIATE takes the write lock at the start: a deferred transaction that reads and
    # then writes fails at once with "database is locked" when another writer got in between
    # (the busy timeout cannot help it), while an immediate one waits its turn (SQLite's busy
    # timeout). Rails and Django made the same choice for SQLite.
    # Requests that only read (every GET: a test proves it) begin deferred instead, so that
    # they do not queue for the write lock.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(f"BEGIN {_sqlite_begin.get()}")


_sqlite_begin: ContextVar[str] = ContextVar("sqlite_begin", default="IMMEDIATE")


def read_only_transactions(read_only: bool) -> None:
    """Say whether what follows (a request) only reads.

    On SQLite its transactions then begin without the write lock. A transaction whose first
    statement writes is safe either way, so a GET may still add an audit entry after a
    rollback, or a scan count in a session of its own.
    """
    _sqlite_begin.set("DEFERRED" if read_only else "IMMEDIATE")


def start_writing(session: Session) -> None:
    """Say that what follows writes, after reads that needed no lock (a form checking its
    answers before saving them).

    On SQLite the transaction that only read is ended, so that the next one takes the write
    lock from its start and holds it for the writing alone: another writer waits that much
    less. PostgreSQL locks rows, not the database, so its transaction goes on.
    """
    read_only_transactions(False)
    if session.get_bind().dialect.name == "sqlite":
        session.rollback()


def insert_ignoring_conflicts(
    session: Session, model: Any, values: dict[str, Any], unique: list[str]
) -> None:
    """Insert a row unless one with the same `unique` columns exists (or is being inserted)."""
    dialect = session.get_bind().dialect.name
    session.execute(insert_ignoring_conflicts_statement(dialect, model, tuple(unique)), values)


@cache
def insert_ignoring_conflicts_statement(dialect: str, model: Any, unique: tuple[str, ...]) -> Any:
    # Built once, the values given as parameters: a statement built around its values is
    # keyed for SQLAlchemy's statement cache on every call, which took longer than running it.
    # No `unique` columns: a conflict on any of them.
    return dialect_insert(dialect)(model).on_conflict_do_nothing(
        index_elements=list(unique) or None
    )


def dialect_insert(dialect: str) -> Any:
    """The dialect's own insert(), which knows ON CONFLICT."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def column_values(instance: Any) -> dict[str, Any]:
    """The column values set on a new mapped object, by column name, for a plain INSERT."""
    state = inspect(instance)
    return {
        attribute.columns[0].name: state.dict[attribute.key]
        for attribute in state.mapper.column_attrs
        if attribute.key in state.dict
    }


def add_as_loaded(session: Session, instance: Any) -> None:
    """Make a new object, whose row a plain INSERT wrote (its primary key set), part of the
    session as if it had been read: no INSERT at the next flush, and the columns left to
    their defaults are read when first used.

    For the rows written most, where the unit of work cost more than the statement.
    """
    make_transient_to_detached(instance)
    session.add(instance)


def serialize_on(session: Session, key: str) -> None:
    """Make transactions that call this with the same key run one after another.

    On PostgreSQL a transaction-scoped advisory lock; SQLite's immediate transactions are
    one at a time already.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key}
        )


def _app_context_id() -> int:
    return id(app_ctx._get_current_object())


class Database:
    """Engine and session of the current app: `db.session` inside a request or CLI command."""

    def init_app(self, app: Flask) -> None:
        url = app.config.get("DATABASE_URL") or default_database_url(app)
        engine = make_engine(url)
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        app.extensions["portal.db"] = _State(engine, scoped_session(factory, _app_context_id))
        app.teardown_appcontext(self._remove_session)

    @staticmethod
    def _remove_session(_exc: BaseException | None) -> None:
        current_app.extensions["portal.db"].session.remove()

    @property
    def engine(self) -> Engine:
        return current_app.extensions["portal.db"].engine

    @property
    def session(self) -> Session:
        # A scoped_session proxies every Session method; typed as Session for the callers.
        return current_app.extensions["portal.db"].session


class _State:
    def __init__(self, engine: Engine, session: scoped_session[Session]) -> None:
        self.engine = engine
        self.session = session


db = Database()
