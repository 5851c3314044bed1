"""The reference booking (tests/bench/booking_reference.py) stays an honest floor for the
portal's: it writes the rows the portal's booking writes, reads the user from the portal's
cookie, and refuses a time already booked."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.meetings import booking as engine
from portal.meetings import legal, slots
from portal.meetings.models import Booking, BookingEvent, MeetingKind, Venue
from portal.permissions import Role
from tests import factories
from tests.bench import booking_reference
from tests.conftest import migrated_engine

EVERY_DAY = {str(day): [["08:00", "20:00"]] for day in range(7)}


def test_the_reference_booking_writes_the_rows_the_portals_booking_writes(database, monkeypatch):
    url = database.new_url()
    portal_engine = migrated_engine(url)
    now = utcnow()
    with Session(portal_engine, expire_on_commit=False) as session:
        tree = factories.tree(session)
        adviser = factories.user(session, Role.LEGAL_ADVISER, tree.community)
        resident, other = factories.user(session), factories.user(session)
        schedule = booking_reference.Schedule(
            host_id=adviser.id, place_id=tree.community.id, kind=MeetingKind.LEGAL,
            venue=Venue.CENTRE, weekly=EVERY_DAY, horizon_days=14,
        )  # fmt: skip
        session.add(schedule)
        session.flush()
        tomorrow = slots.local_date(now) + timedelta(days=1)
        first, second = engine.free_times(session, schedule, now, first=tomorrow)[:2]
        booker = engine.Booker(phone=other.phone, user_id=other.id, name=other.display_name)
        legal.book(session, booker, schedule.id, second.start, about="房租纠纷", now=now)
        session.commit()

    monkeypatch.setenv("REFERENCE_DATABASE_URL", url)
    app = booking_reference.create_app()
    app.config["WTF_CSRF_ENABLED"] = False
    path = f"/c/{tree.community.code}/legal/{schedule.id}/book"
    try:
        client = app.test_client()
        with client.session_transaction() as cookie:
            cookie["_user_id"] = f"{resident.id}:wrong-token"
        data = {"start": int(first.start.timestamp()), "about": "房租纠纷"}
        assert client.post(path, data=data).status_code == 401
        with client.session_transaction() as cookie:
            cookie["_user_id"] = f"{resident.id}:{resident.session_token}"
        made = client.post(path, data=data)
        again = client.post(path, data=data)
        taken = client.post(path, data={**data, "start": int(second.start.timestamp())})
    finally:
        app.extensions["reference.engine"].dispose()
    assert made.status_code == 302
    assert made.location.startswith("/m/M")
    assert (again.status_code, taken.status_code) == (409, 409)

    ignored = {"id", "reference", "created_at", "starts_at", "ends_at", "user_id", "phone", "name"}
    with Session(portal_engine) as session:
        by_reference, by_portal = session.scalars(select(Booking).order_by(Booking.starts_at)).all()
        events = {e.booking_id: e for e in session.scalars(select(BookingEvent))}
        assert (by_reference.user_id, by_reference.phone, by_reference.starts_at, by_reference.ends_at) == (
            resident.id, resident.phone, first.start, first.end
        )  # fmt: skip
        columns = [c.key for c in Booking.__table__.columns if c.key not in ignored]
        assert {c: getattr(by_reference, c) for c in columns} == {
            c: getattr(by_portal, c) for c in columns
        }
        assert (events[by_reference.id].kind, events[by_reference.id].actor_id) == (
            events[by_portal.id].kind, events[by_portal.id].actor_id
        )  # fmt: skip
        assert events[by_reference.id].details == {"starts_at": first.start.isoformat()}
    portal_engine.dispose()
