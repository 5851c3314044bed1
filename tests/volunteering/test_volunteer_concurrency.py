"""Accounts applying with one ID number at the same moment, on SQLite and PostgreSQL: exactly
one volunteer, and every other account told the number is registered (naming no one); two
coordinators answering one application at once: one answer, one SMS.

Each thread has its own session and commits as a view does; they start together at a barrier.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.db import db
from portal.notifications.models import SmsMessage
from portal.permissions import Role
from portal.places.models import Place
from portal.volunteering import volunteers as service
from portal.volunteering.models import Volunteer, VolunteerState
from tests import factories
from tests.accounts.test_concurrency import together

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


@pytest.fixture
def app(fresh_app):
    return fresh_app(migrate=True)


@pytest.fixture
def world(app) -> tuple[int, list[int]]:
    with app.app_context():
        tree = factories.tree(db.session)
        accounts = [factories.user(db.session, name=f"居民{i}").id for i in range(6)]
        db.session.commit()
        return tree.community.id, accounts


@pytest.mark.parametrize("accounts", [2, 6])
def test_accounts_applying_with_one_number_at_once_leave_one_volunteer(app, world, accounts):
    community_id, users = world
    number = factories.id_number()

    def apply(index: int) -> None:
        service.apply(
            db.session, db.session.get(User, users[index]),
            community=db.session.get(Place, community_id), real_name=f"居民{index}",
            id_number=number, id_consent=True, services=["company"], now=NOW,
        )  # fmt: skip

    results = together(app, accounts, apply)
    assert Counter(outcome for outcome, _ in results) == {"ok": 1, "Invalid": accounts - 1}
    assert {message for outcome, message in results if outcome != "ok"} == {
        str(service.ALREADY_REGISTERED)
    }
    with app.app_context():
        made = db.session.scalars(select(Volunteer)).all()
        assert len(made) == 1 and factories.whole_id_number(made[0]) == number


def test_two_coordinators_answering_at_once_answer_once(app, world):
    community_id, users = world
    with app.app_context():
        community = db.session.get(Place, community_id)
        coordinators = [factories.user(db.session, Role.COORDINATOR, community).id for _ in "ab"]
        made = service.apply(
            db.session, db.session.get(User, users[0]), community=community, real_name="居民",
            id_number=factories.id_number(), id_consent=True, services=["company"], now=NOW,
        )  # fmt: skip
        db.session.commit()
        volunteer_id = made.id

    def answer(index: int) -> None:
        actor = db.session.get(User, coordinators[index])
        volunteer = service.get_volunteer(db.session, actor, volunteer_id, for_update=True)
        if index == 0:
            service.approve(db.session, actor, volunteer, now=NOW)
        else:
            service.decline(db.session, actor, volunteer, reason="名额已满", now=NOW)

    results = together(app, 2, answer)
    assert Counter(outcome for outcome, _ in results) == {"ok": 1, "Invalid": 1}
    with app.app_context():
        texts = db.session.scalars(select(SmsMessage.kind)).all()
        assert len([kind for kind in texts if kind.startswith("volunteer_")]) == 1
        state = db.session.get(Volunteer, volunteer_id).state
        assert state == (
            VolunteerState.APPROVED if results[0][0] == "ok" else VolunteerState.DECLINED
        )
