"""A reference for the legal service day booking: a bare Flask app doing only a booking's own
durable work.

The portal's POST /c/<code>/legal/<schedule_id>/book (a signed-in resident books a time with a
legal adviser) is measured against this app, served and loaded the same way
(tests/bench/meeting_bookings.py), on the same database: the portal's own tables, migrated.
Each POST here, in one transaction:

- checks a Flask-WTF form (CSRF on, as the portal: the token against the session cookie) with
  the chosen start (seconds since 1970) and what the meeting is about;
- reads the signed-in resident from the portal's own session cookie (Flask's signed cookie,
  the same secret): its "_user_id" of "<id>:<session token>", the user's row read by id and
  the token compared, as the portal's user loader does;
- reads the schedule (its host, community and slot length);
- locks the host's day: INSERT … ON CONFLICT DO NOTHING into meeting_host_days, then SELECT …
  FOR UPDATE on PostgreSQL; on SQLite the transaction is BEGIN IMMEDIATE, which holds the
  database's write lock from its start;
- reads the day's live bookings of the host and refuses a start that overlaps one;
- inserts the booking row and its "booked" event row, commits, and answers with a 302 redirect
  to the booking's page.

Nothing else: no community looked up by its code, no rate limits, no count of the resident's
open bookings, no working-day calendar or slot rules, no reference drawn against collisions
(the unique index would refuse one), no flash message, no templates. SQLite is set up as the
portal sets it up (WAL, synchronous=NORMAL, foreign keys, SQLite's busy timeout); PostgreSQL
with SQLAlchemy's default pool.

Served with `gunicorn 'tests.bench.booking_reference:create_app()'`, configured by
REFERENCE_DATABASE_URL and REFERENCE_SECRET_KEY (the portal's SECRET_KEY, so that its cookies
and CSRF tokens are this app's too).
"""

from __future__ import annotations

import hmac
import os
import secrets
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask, abort, redirect, session
from flask_wtf import FlaskForm
from sqlalchemy import create_engine, event, select
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.middleware.proxy_fix import ProxyFix
from wtforms import IntegerField, StringField
from wtforms.validators import InputRequired, Length

from portal.accounts.models import User
from portal.meetings.models import (
    Booking,
    BookingEvent,
    BookingEventKind,
    BookingState,
    HostDay,
    Schedule,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
users, schedules = User.__table__, Schedule.__table__
bookings, events, host_days = Booking.__table__, BookingEvent.__table__, HostDay.__table__


class BookForm(FlaskForm):
    start = IntegerField(validators=[InputRequired()])
    about = StringField(validators=[InputRequired(), Length(min=2, max=300)])


def make_engine(url: str):
    if not url.startswith("sqlite"):
        return create_engine(url)
    engine = create_engine(url, connect_args={"timeout": 15})

    @event.listens_for(engine, "connect")
    def _on_connect(connection, _record) -> None:
        connection.isolation_level = None  # BEGIN is ours: IMMEDIATE, below
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ.get("REFERENCE_SECRET_KEY", "reference"),
        SESSION_COOKIE_NAME="portal_session",
        WTF_CSRF_TIME_LIMIT=None,  # as the portal's
    )
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)  # behind one proxy, as the portal is served
    engine = app.extensions["reference.engine"] = make_engine(os.environ["REFERENCE_DATABASE_URL"])
    postgres = engine.dialect.name == "postgresql"
    lock_day = (postgresql.insert if postgres else sqlite.insert)(
        host_days
    ).on_conflict_do_nothing()

    @app.post("/c/<code>/legal/<int:schedule_id>/book")
    def book(code: str, schedule_id: int):
        form = BookForm()
        if not form.validate_on_submit():
            abort(400)
        user_id, _, token = str(session.get("_user_id", "")).partition(":")
        if not user_id.isdigit():
            abort(401)
        start = datetime.fromtimestamp(form.start.data, UTC)
        day = start.astimezone(SHANGHAI).date()
        now = datetime.now(UTC)
        with engine.begin() as connection:
            user = connection.execute(
                select(users.c.phone, users.c.display_name, users.c.session_token).where(
                    users.c.id == int(user_id), users.c.disabled_at.is_(None)
                )
            ).first()
            if user is None or not hmac.compare_digest(user.session_token, token):
                abort(401)
            schedule = connection.execute(
                select(schedules).where(schedules.c.id == schedule_id, schedules.c.is_active)
            ).first()
            if schedule is None:
                abort(404)
            end = start + timedelta(minutes=schedule.slot_minutes)
            connection.execute(lock_day, {"host_id": schedule.host_id, "day": day})
            if postgres:
                connection.execute(
                    select(host_days.c.host_id)
                    .where(host_days.c.host_id == schedule.host_id, host_days.c.day == day)
                    .with_for_update()
                )
            booked = connection.execute(
                select(bookings.c.starts_at, bookings.c.ends_at).where(
                    bookings.c.host_id == schedule.host_id,
                    bookings.c.day == day,
                    bookings.c.cancelled_at.is_(None),
                )
            )
            if any(taken_start < end and start < taken_end for taken_start, taken_end in booked):
                abort(409)
            reference = "M" + "".join(secrets.choice(ALPHABET) for _ in range(7))
            booking_id = connection.scalar(
                bookings.insert().returning(bookings.c.id),
                {"reference": reference, "schedule_id": schedule.id,
                 "host_id": schedule.host_id, "place_id": schedule.place_id,
                 "kind": schedule.kind, "starts_at": start, "ends_at": end, "day": day,
                 "venue": schedule.venue, "state": BookingState.BOOKED, "user_id": int(user_id),
                 "phone": user.phone, "name": user.display_name, "about": form.about.data,
                 "locale": "zh_Hans_CN", "walk_in": False, "created_at": now,
                 "cancel_reason": "", "outcome_note": ""},
            )  # fmt: skip
            connection.execute(
                events.insert(),
                {"booking_id": booking_id, "kind": BookingEventKind.BOOKED, "at": now,
                 "actor_id": None, "details": {"starts_at": start.isoformat()}},
            )  # fmt: skip
        return redirect(f"/m/{reference}")

    return app
