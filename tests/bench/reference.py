"""A reference for the report's send: a bare Flask app doing only the send's durable work.

The portal's POST /b/<code>/report (the last screen's "Send the report") is measured against
this app, served and loaded the same way (tests/bench/appeals.py). Each POST here:

- checks a Flask-WTF form and its CSRF token against the session cookie a real GET gave;
- counts five moving-window limits (reports per address, per phone, per building, and code
  SMS per address and per building, the portal's values) in one Redis round trip: limits' own moving-window script, sent three times in one
  pipeline (in memory, with limits' MemoryStorage, when the URL says memory://);
- in one transaction inserts the appeal, its timeline entry, its SMS code (the row the portal's
  code service keeps: the code's HMAC, its expiry and tries) and its SMS into four small tables
  of its own (reference_*, beside the portal's on the same database URL), and commits;
- remembers the appeal in the session and answers with a 302 redirect.

Nothing else: no door facts, no catalogue, no tracking numbers drawn against collisions, no
templates. SQLite is set up the plain way (WAL, synchronous=NORMAL, SQLite's busy timeout);
PostgreSQL with SQLAlchemy's default pool.

Served with `gunicorn 'tests.bench.reference:create_app()'`, configured by REFERENCE_DATABASE_URL,
REFERENCE_LIMITS_URL and REFERENCE_KEY_PREFIX; `create_tables(url)` makes its tables first.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from datetime import UTC, datetime, timedelta

from flask import Flask, abort, redirect, request, session
from flask_wtf import FlaskForm
from limits import parse
from limits.storage import MemoryStorage, RedisStorage, storage_from_string
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    func,
    insert,
    select,
)
from werkzeug.middleware.proxy_fix import ProxyFix
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, Regexp

metadata = MetaData()
appeals = Table(
    "reference_appeal", metadata,
    Column("id", Integer, primary_key=True),
    Column("tracking", String(16), nullable=False, unique=True),
    Column("submission_key", String(40), nullable=False, unique=True),
    Column("door", String(16), nullable=False),
    Column("item_id", Integer, nullable=False),
    Column("description", String(500), nullable=False),
    Column("phone", String(11), nullable=False),
    Column("held", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)  # fmt: skip
events = Table(
    "reference_event", metadata,
    Column("id", Integer, primary_key=True),
    Column("appeal_id", ForeignKey("reference_appeal.id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)  # fmt: skip
# The columns of the portal's phone_codes, as its send writes them for the report's code.
codes = Table(
    "reference_phone_code", metadata,
    Column("id", Integer, primary_key=True),
    Column("purpose", String(32), nullable=False),
    Column("phone", String(11), nullable=False),
    Column("subject", String(64)),
    Column("code_hash", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("used_at", DateTime(timezone=True)),
    Index("ix_reference_phone_code_phone_purpose_created_at", "phone", "purpose", "created_at"),
    Index("ix_reference_phone_code_created_at", "created_at"),
)  # fmt: skip
messages = Table(
    "reference_sms", metadata,
    Column("id", Integer, primary_key=True),
    Column("appeal_id", ForeignKey("reference_appeal.id"), nullable=False, index=True),
    Column("phone", String(11), nullable=False),
    Column("body", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)  # fmt: skip

SECRET = b"reference"
# How long the portal's report code lives (APPEAL_CODE in portal/appeals/services/intake.py).
CODE_VALID_FOR = timedelta(minutes=10)
# The portal's limits of the public form (portal/appeals/views.py).
# and of its code SMS (APPEAL_CODE's per_address and per_building).
LIMITS = [parse(limit) for limit in ("20/hour", "10/day", "60/hour", "20/hour", "60/hour")]


class SendForm(FlaskForm):
    item = IntegerField(validators=[DataRequired()])
    description = StringField(validators=[DataRequired(), Length(max=500)])
    phone = StringField(validators=[Regexp(r"^1\d{10}$")])
    key = StringField(validators=[DataRequired(), Length(max=40)])


def make_engine(url: str):
    if not url.startswith("sqlite"):
        return create_engine(url)
    engine = create_engine(url, connect_args={"timeout": 15})

    @event.listens_for(engine, "connect")
    def _on_connect(connection, _record) -> None:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")

    return engine


def create_tables(url: str) -> None:
    engine = make_engine(url)
    metadata.create_all(engine)
    engine.dispose()


def count_appeals(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(appeals))
    engine.dispose()
    return count


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY=SECRET.decode(), SESSION_COOKIE_NAME="portal_session")
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)  # behind one proxy, as the portal is served
    engine = app.extensions["reference.engine"] = make_engine(os.environ["REFERENCE_DATABASE_URL"])
    storage = storage_from_string(os.environ.get("REFERENCE_LIMITS_URL", "memory://"))
    prefix = os.environ.get("REFERENCE_KEY_PREFIX", "reference")

    def refused(keys: list[str]) -> list[bool]:
        """Count one attempt at each limit; True where it was over."""
        if isinstance(storage, MemoryStorage):
            return [
                not storage.acquire_entry(key, item.amount, item.get_expiry())
                for key, item in zip(keys, LIMITS, strict=True)
            ]
        assert isinstance(storage, RedisStorage)
        script = storage.lua_acquire_moving_window
        pipeline = storage.get_connection().pipeline(transaction=False)
        for key, item in zip(keys, LIMITS, strict=True):
            # evalsha, not script(client=pipeline): that asks SCRIPT EXISTS first, a round trip.
            pipeline.evalsha(script.sha, 1, storage.prefixed_key(key), time.time(),
                             item.amount, item.get_expiry(), 1)  # fmt: skip
        return [not acquired for acquired in pipeline.execute()]

    if isinstance(storage, RedisStorage):
        storage.get_connection().script_load(storage.lua_acquire_moving_window.script)

    @app.get("/b/<code>/report")
    def form(code: str) -> str:
        return f'<form method="post"><input name="csrf_token" value="{SendForm().csrf_token.current_token}"></form>'

    @app.post("/b/<code>/report")
    def send(code: str):
        form = SendForm()
        if not form.validate_on_submit():
            abort(400)
        keys = [
            item.key_for(prefix, scope, value)
            for item, scope, value in zip(
                LIMITS, ("address", "phone", "building", "code-address", "code-building"),
                (request.remote_addr, form.phone.data, code, request.remote_addr, code),
                strict=True,
            )
        ]  # fmt: skip
        over = refused(keys)
        if over[0] or over[1] or over[3] or over[4]:
            abort(429)
        tracking = f"R{secrets.token_hex(5)}"
        sms_code = f"{secrets.randbelow(10**6):06d}"
        now = datetime.now(UTC)
        with engine.begin() as connection:
            appeal_id = connection.scalar(
                insert(appeals).returning(appeals.c.id),
                {"tracking": tracking, "submission_key": form.key.data, "door": code,
                 "item_id": form.item.data, "description": form.description.data,
                 "phone": form.phone.data, "held": over[2]},
            )  # fmt: skip
            connection.execute(insert(events), {"appeal_id": appeal_id, "kind": "submitted"})
            connection.execute(
                insert(codes),
                {"purpose": "appeal", "phone": form.phone.data, "subject": f"appeal:{tracking}",
                 "code_hash": hmac.new(SECRET, f"appeal:{tracking}:{sms_code}".encode(),
                                       hashlib.sha256).hexdigest(),
                 "created_at": now, "expires_at": now + CODE_VALID_FOR, "attempts": 0},
            )  # fmt: skip
            connection.execute(
                insert(messages),
                {"appeal_id": appeal_id, "phone": form.phone.data,
                 "body": f"Your code for {tracking}: {sms_code}"},
            )  # fmt: skip
        session["appeal_pending"] = tracking
        return redirect(f"/a/{tracking}/confirm")

    return app
