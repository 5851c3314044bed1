"""Residents reaching for the same times at the same moment, on SQLite and PostgreSQL: one
booking per time, a day's cap held exactly, and a cancelled time taken again by one person.

Each thread has its own session and commits as a view does; they start together at a barrier.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from itertools import pairwise

import pytest
from sqlalchemy import func, select

from portal.db import db
from portal.meetings import booking as engine
from portal.meetings.models import Booking
from portal.permissions import Role
from tests import factories
from tests.accounts.test_concurrency import together
from tests.meetings.conftest import MONDAY_8AM, schedule_for, shanghai


@pytest.fixture
def app(fresh_app):
    return fresh_app(migrate=True)


@pytest.fixture
def schedule_id(app) -> int:
    with app.app_context():
        tree = factories.tree(db.session)
        host = factories.user(db.session, Role.SECRETARY, tree.community)
        made = schedule_for(db.session, host, tree.community)
        db.session.commit()
        return made.id


def booker(index: int) -> engine.Booker:
    return engine.Booker(phone=f"138{index:08d}")


def live_bookings(app) -> list[Booking]:
    with app.app_context():
        return list(db.session.scalars(select(Booking).where(Booking.cancelled_at.is_(None))))


def test_twenty_residents_booking_one_time_leave_one_booking(app, schedule_id):
    wanted = shanghai(7, 10)
    results = together(
        app,
        20,
        lambda i: engine.book(db.session, booker(i), schedule_id, wanted, now=MONDAY_8AM),
    )
    assert Counter(outcome for outcome, _ in results) == {"ok": 1, "Unavailable": 19}
    assert {message for outcome, message in results if outcome != "ok"} == {
        "Someone has just booked that time."
    }
    assert [b.starts_at for b in live_bookings(app)] == [wanted]


def test_twenty_residents_booking_different_times_of_a_full_day_leave_the_cap(app, schedule_id):
    times = [shanghai(7, 9) + timedelta(minutes=30 * i) for i in range(5)]
    times += [shanghai(7, 14) + timedelta(minutes=30 * i) for i in range(6)]
    times += [shanghai(7, 9, 20), shanghai(7, 14, 20)]  # inside others' buffers
    times += [shanghai(7, 15, 50), shanghai(7, 16, 20)] * 3 + [shanghai(7, 10, 50)]
    assert len(times) == 20
    results = together(
        app,
        20,
        lambda i: engine.book(db.session, booker(i), schedule_id, times[i], now=MONDAY_8AM),
    )
    assert Counter(outcome for outcome, _ in results)["ok"] == 5
    booked = sorted(b.starts_at for b in live_bookings(app))
    assert len(booked) == 5
    for before, after in pairwise(booked):
        assert after - before >= timedelta(minutes=30), "20 minutes and the 10-minute buffer"


def test_a_cancelled_time_is_taken_again_by_one_of_ten(app, schedule_id):
    wanted = shanghai(8, 9)
    with app.app_context():
        first = engine.book(db.session, booker(99), schedule_id, wanted, now=MONDAY_8AM)
        engine.cancel(db.session, first, booker=booker(99), now=MONDAY_8AM)
        db.session.commit()
    results = together(
        app,
        10,
        lambda i: engine.book(db.session, booker(i), schedule_id, wanted, now=MONDAY_8AM),
    )
    assert Counter(outcome for outcome, _ in results) == {"ok": 1, "Unavailable": 9}
    with app.app_context():
        count = db.session.scalar(select(func.count(Booking.id)))
    assert count == 2 and [b.starts_at for b in live_bookings(app)] == [wanted]


def test_two_sweeps_at_once_write_each_reminder_once(app, schedule_id):
    from portal.meetings import reminders
    from portal.meetings.models import BookingEvent, BookingEventKind
    from portal.meetings.secretary import MeetingSettings
    from portal.notifications.models import SmsMessage

    settings = MeetingSettings(base_url="https://portal.example")
    with app.app_context():
        starts = [shanghai(9, 9), shanghai(9, 9, 40), shanghai(9, 10, 20), shanghai(9, 11)]
        for index, start in enumerate(starts):
            engine.book(db.session, booker(index), schedule_id, start, now=MONDAY_8AM)
        db.session.commit()
    # Tuesday 10:45: the day-before reminders of 09:00, 09:40 and 10:20 are due.
    together(app, 2, lambda _: reminders.sweep(db.session, settings, shanghai(8, 10, 45)))
    # Wednesday 10:05: the hour-before reminders of 10:20 and 11:00 are due.
    together(app, 2, lambda _: reminders.sweep(db.session, settings, shanghai(9, 10, 5)))
    with app.app_context():
        keys = db.session.scalars(select(SmsMessage.idempotency_key)).all()
        events = db.session.scalar(
            select(func.count(BookingEvent.id)).where(
                BookingEvent.kind == BookingEventKind.REMINDED
            )
        )
    assert len(keys) == len(set(keys)) == 5
    assert events == 5, "each reminder marked once, by one of the two"


def test_two_clicks_at_once_leave_the_host_one_live_feed(app, schedule_id):
    from portal.accounts.models import User
    from portal.meetings import feeds
    from portal.meetings.models import CalendarFeed, Schedule

    with app.app_context():
        host_id = db.session.get(Schedule, schedule_id).host_id
    together(
        app,
        4,
        lambda _: feeds.new_feed(db.session, db.session.get(User, host_id), now=MONDAY_8AM),
    )
    with app.app_context():
        made = db.session.scalars(select(CalendarFeed)).all()
    assert len(made) == 4 and sum(feed.revoked_at is None for feed in made) == 1
