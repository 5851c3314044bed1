"""Two people setting the same host's times, or a community's online hours, at the same
moment, on SQLite and PostgreSQL: one schedule per host, community and kind, and one row of
online hours per community."""

from __future__ import annotations

from collections import Counter
from datetime import time

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.db import db
from portal.meetings import schedules
from portal.meetings.models import MeetingKind, OnlineHoursSetting, Schedule
from portal.permissions import Role
from portal.places.models import Place
from tests import factories
from tests.accounts.test_concurrency import together
from tests.meetings.conftest import MONDAY_8AM

PLAN = schedules.Plan(weekly={0: ((time(9), time(11, 30)),)})


@pytest.fixture
def app(fresh_app):
    return fresh_app(migrate=True)


@pytest.fixture
def people(app) -> tuple[int, int, int, int]:
    """The deputy, the secretary and an administrator of a community, and the community."""
    with app.app_context():
        tree = factories.tree(db.session)
        deputy = factories.user(db.session, Role.DEPUTY_SECRETARY, tree.community)
        secretary = factories.user(db.session, Role.SECRETARY, tree.community)
        admin = factories.user(db.session, Role.ADMIN, tree.district)
        db.session.commit()
        return deputy.id, secretary.id, admin.id, tree.community.id


def test_two_people_creating_a_hosts_schedule_at_once_make_one(app, people):
    deputy, secretary, admin, community = people
    actors = [deputy, secretary, admin, secretary]

    def create(index: int) -> None:
        actor = db.session.get(User, actors[index])
        schedules.create_schedule(db.session, actor, deputy, community, MeetingKind.SECRETARY,
                                  PLAN, now=MONDAY_8AM)  # fmt: skip

    results = together(app, len(actors), create)
    assert Counter(outcome for outcome, _ in results) == {"ok": 1, "Invalid": 3}
    with app.app_context():
        assert len(db.session.scalars(select(Schedule)).all()) == 1


def test_online_hours_set_at_once_leave_one_row(app, people):
    _deputy, secretary, admin, community = people
    actors = [secretary, admin, secretary, admin]

    def set_hours(index: int) -> None:
        actor = db.session.get(User, actors[index])
        place = db.session.get(Place, community)
        hours = {0: ((time(9 + index), time(17)),)}
        schedules.set_online_hours(db.session, actor, place, hours, now=MONDAY_8AM)

    results = together(app, len(actors), set_hours)
    assert Counter(outcome for outcome, _ in results) == {"ok": 4}
    with app.app_context():
        [row] = db.session.scalars(select(OnlineHoursSetting)).all()
        assert row.weekly["0"][0][0] in {"09:00", "10:00", "11:00", "12:00"}
