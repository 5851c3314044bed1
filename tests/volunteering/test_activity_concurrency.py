"""Volunteers reaching for the same seats at the same moment, on SQLite and PostgreSQL: seats
never oversell, and every freed seat goes to exactly one on the waiting list, in order.

Each thread has its own session and commits as a view does; they start together at a barrier.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from portal.accounts.models import User
from portal.db import db, utcnow
from portal.notifications.models import SmsMessage
from portal.volunteering import activities as services
from portal.volunteering.activity_lists import own_sign_up
from portal.volunteering.models import Activity, SignUp, SignUpState, Volunteer
from tests import factories
from tests.accounts.test_concurrency import together


@pytest.fixture
def app(fresh_app):
    return fresh_app(migrate=True)


def make_world(app, *, seats: int, volunteers: int) -> tuple[int, list[int]]:
    """An activity tomorrow with `seats`, and `volunteers` approved volunteers' accounts."""
    with app.app_context():
        tree = factories.tree(db.session)
        start = utcnow() + timedelta(days=1)
        activity = factories.activity(db.session, tree.community, starts_at=start, seats=seats)
        people = [
            factories.volunteer(db.session, tree.community, name=f"志愿者{i}")
            for i in range(volunteers)
        ]
        db.session.commit()
        return activity.id, [person.user_id for person in people]


def sign_up(activity_id: int, user_id: int, now=None) -> None:
    services.sign_up(
        db.session,
        db.session.get(User, user_id),
        db.session.get(Activity, activity_id),
        now=now or utcnow(),
    )


def states(app, activity_id: int) -> tuple[dict[int, SignUpState], int]:
    """Each volunteer's (account's) state at the activity, and its seats taken."""
    with app.app_context():
        rows = db.session.execute(
            select(SignUp.volunteer_id, SignUp.state).where(SignUp.activity_id == activity_id)
        ).all()
        users = dict(db.session.execute(select(Volunteer.id, Volunteer.user_id)).all())
        taken = db.session.get(Activity, activity_id).seats_taken
        return {users[volunteer]: state for volunteer, state in rows}, taken


def test_twenty_volunteers_at_once_for_three_seats_leave_three_seated_and_ten_waiting(app):
    # Three seats, and a line of ten (the shortest waiting list): seven are told it is full.
    activity_id, users = make_world(app, seats=3, volunteers=20)
    results = together(app, 20, lambda i: sign_up(activity_id, users[i]))
    assert Counter(outcome for outcome, _ in results) == {"ok": 13, "Invalid": 7}
    found, taken = states(app, activity_id)
    assert Counter(found.values()) == {SignUpState.SEATED: 3, SignUpState.WAITING: 10}
    assert taken == 3


def test_eight_seated_cancelling_at_once_seat_the_first_eight_waiting_each_once(app):
    activity_id, users = make_world(app, seats=10, volunteers=20)
    start = utcnow()
    with app.app_context():
        # One after the other, a second apart: the line's order is plain.
        for index, user_id in enumerate(users):
            sign_up(activity_id, user_id, now=start + timedelta(seconds=index))
        db.session.commit()
    seated, waiting = users[:10], users[10:]

    def cancel(index: int) -> None:
        user = db.session.get(User, seated[index])
        activity = db.session.get(Activity, activity_id)
        mine = own_sign_up(db.session, user, activity)
        services.cancel_sign_up(db.session, user, mine, now=utcnow())

    results = together(app, 8, cancel)
    assert Counter(outcome for outcome, _ in results) == {"ok": 8}
    found, taken = states(app, activity_id)
    assert taken == 10
    assert [u for u in users if found[u] is SignUpState.SEATED] == seated[8:] + waiting[:8]
    assert [u for u in users if found[u] is SignUpState.WAITING] == waiting[8:]
    assert all(found[u] is SignUpState.CANCELLED for u in seated[:8])
    with app.app_context():
        phones = dict(db.session.execute(select(User.id, User.phone)).all())
        texted = Counter(
            db.session.scalars(
                select(SmsMessage.phone).where(SmsMessage.kind == "volunteer_activity_seated")
            )
        )
    assert texted == Counter(phones[u] for u in waiting[:8]), "each moved up texted once"


def test_two_reminder_sweeps_at_once_write_each_reminder_once(app):
    from portal.volunteering import activity_reminders

    activity_id, users = make_world(app, seats=5, volunteers=5)
    with app.app_context():
        for user_id in users:
            sign_up(activity_id, user_id)
        # Seated days ago, before the reminder's hour (those seated after it are not reminded).
        db.session.execute(
            update(SignUp)
            .where(SignUp.activity_id == activity_id)
            .values(seated_at=utcnow() - timedelta(days=2))
        )
        db.session.commit()
    together(app, 2, lambda _: activity_reminders.sweep(db.session, utcnow()))
    with app.app_context():
        sent = Counter(
            db.session.scalars(
                select(SmsMessage.phone).where(SmsMessage.kind == "volunteer_activity_reminder")
            )
        )
    assert len(sent) == 5 and set(sent.values()) == {1}
