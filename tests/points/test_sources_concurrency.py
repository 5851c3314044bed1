"""Built-in sources of grid points at the same moment, on SQLite and PostgreSQL: two
administrators adding the district's rule for volunteer hours at once leave one rule in force;
then two coordinators confirming one volunteer's hours at two activities at once, under the
rule's limit of one a day, earn one award and both confirmations stand.

Each thread has its own session and commits as a view does; they start together at a barrier.
One database serves both races (migrating a fresh one is most of such a test's time).
"""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.db import db
from portal.permissions import Role
from portal.places.models import Place
from portal.points import earning_rules
from portal.points.models import PointsAward, PointsRule, PointsSource
from portal.volunteering import confirming
from portal.volunteering.models import SignUp
from tests import factories
from tests.accounts.test_concurrency import together
from tests.points.world import NOW, make_world
from tests.volunteering.attendance_world import AFTER, STARTS, attended


@pytest.fixture
def app(fresh_app):
    return fresh_app(migrate=True)


def make(app) -> dict:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        world = make_world(db.session)
        community = world.tree.community
        admin = factories.user(db.session, Role.ADMIN, world.tree.district, name="区管理员二")
        coordinator = factories.user(db.session, Role.COORDINATOR, community, name="协调二")
        volunteer = factories.volunteer(db.session, community, name="张志愿")
        sign_ups = [
            # Activities whose hours are not banked: no time bank account is locked, so only
            # the points' own lock on the volunteer keeps the limit.
            attended(db.session, factories.activity(db.session, community, starts_at=STARTS,
                                                    title=title, serves_elderly=False),
                     volunteer, 60)
            for title in ("清理小区绿地", "垃圾分类宣传")
        ]  # fmt: skip
        db.session.commit()
        return {
            "admins": [world.admin.id, admin.id], "district": world.tree.district.id,
            "coordinators": [world.coordinator.id, coordinator.id],
            "sign_ups": [each.id for each in sign_ups],
        }  # fmt: skip


def test_one_hours_rule_in_force_and_one_award_within_its_limit_when_people_act_at_once(app):
    world = make(app)

    def add(index: int) -> None:
        values = earning_rules.check_values(
            name_zh=f"志愿服务时长{index}", name_en="Volunteer service hours", points=10,
            needs_review=False, per_day=1,
        )  # fmt: skip
        earning_rules.add_rule(
            db.session, db.session.get(User, world["admins"][index]),
            db.session.get(Place, world["district"]), values,
            source=PointsSource.VOLUNTEER_HOURS, now=NOW,
        )  # fmt: skip

    results = together(app, 2, add)
    assert Counter(outcome for outcome, _ in results) == {"ok": 1, "Invalid": 1}
    assert [message for outcome, message in results if outcome == "Invalid"] == [
        "This district has a rule of this kind in force already (Volunteer service hours (per "
        "hour)): change that rule, or retire it first."
    ]
    with app.app_context():
        hours_rules = select(func.count()).where(PointsRule.source == "volunteer_hours")
        assert db.session.scalar(hours_rules.select_from(PointsRule)) == 1

    def confirm(index: int) -> None:
        confirming.confirm(
            db.session, db.session.get(User, world["coordinators"][index]),
            db.session.get(SignUp, world["sign_ups"][index]), now=AFTER,
        )  # fmt: skip

    # Both confirmations stand: a limit withholds points, never the hours.
    assert Counter(outcome for outcome, _ in together(app, 2, confirm)) == {"ok": 2}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PointsAward)) == 1
        confirmed = select(func.count()).where(SignUp.confirmed_at.is_not(None))
        assert db.session.scalar(confirmed.select_from(SignUp)) == 2
