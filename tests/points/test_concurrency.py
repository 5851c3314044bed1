"""Grid points at the same moment, on SQLite and PostgreSQL: ten coordinators awarding the
same clean-up to one resident at once pass its limit of five a day never; two workers
crediting the same notices at once credit each award once; two coordinators reviewing one
award at once decide it once.

Each thread has its own session and commits as a view does; they start together at a barrier.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.db import db
from portal.ledger import services as ledger
from portal.ledger.models import LedgerTransfer
from portal.notifications.models import SmsMessage
from portal.permissions import Role
from portal.points import accounts, awards, notice
from portal.points.models import AwardState, PointsAward
from tests import factories
from tests.accounts.test_concurrency import together
from tests.points.world import NOW, make_world


@pytest.fixture
def app(fresh_app):
    return fresh_app(migrate=True)


def make(app, *, coordinators: int = 0, noticed: int = 0) -> dict:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        world = make_world(db.session)
        extra = [
            factories.user(db.session, Role.COORDINATOR, world.tree.community, name=f"协调{i}")
            for i in range(coordinators)
        ]
        made = []
        for _ in range(noticed):
            award = awards.award_points(
                db.session, world.coordinator, world.tree.community,
                rule_id=world.commendation.id, phone=world.resident.phone, reason="表彰",
                now=NOW - timedelta(days=10),
            )  # fmt: skip
            made.append(award.id)
        for award_id in made[:noticed]:
            awards.approve_award(db.session, world.secretary, award_id, notice_days=5,
                                 now=NOW - timedelta(days=10))  # fmt: skip
        db.session.commit()
        return {
            "coordinators": [each.id for each in [world.coordinator, world.secretary, *extra]],
            "community": world.tree.community.id, "rule": world.cleanup.id,
            "commendation": world.commendation.id, "resident": world.resident.id,
            "phone": world.resident.phone, "awards": made,
        }  # fmt: skip


def test_ten_awards_of_a_clean_up_at_once_never_pass_five_a_day(app):
    from portal.accounts.models import User
    from portal.places.models import Place

    world = make(app, coordinators=8)

    def give(index: int) -> None:
        coordinator = db.session.get(User, world["coordinators"][index])
        community = db.session.get(Place, world["community"])
        awards.award_points(db.session, coordinator, community, rule_id=world["rule"],
                            phone=world["phone"], reason="清洁", now=NOW)  # fmt: skip

    results = together(app, 10, give)
    assert Counter(outcome for outcome, _ in results) == {"ok": 5, "Invalid": 5}
    assert {message for outcome, message in results if outcome == "Invalid"} == {
        "Community clean-up is awarded at most 5 times a day to one person: this resident "
        "has had them all today."
    }
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PointsAward)) == 5
        held = accounts.held_account(db.session, world["resident"])
        assert ledger.balance(db.session, held) == 25
        assert ledger.mismatches(db.session) == [] and ledger.unbalanced_transfers(db.session) == []


def test_two_workers_crediting_at_once_credit_each_award_once(app):
    world = make(app, noticed=2)

    def sweep(_index: int) -> None:
        notice.sweep(db.session, NOW)

    results = together(app, 2, sweep)
    assert Counter(outcome for outcome, _ in results) == {"ok": 2}
    with app.app_context():
        credited = db.session.scalars(
            select(LedgerTransfer).where(LedgerTransfer.kind == accounts.AWARDED)
        ).all()
        assert sorted(each.subject for each in credited) == sorted(
            f"points.award:{award_id}" for award_id in world["awards"]
        )
        states = db.session.scalars(select(PointsAward.state)).all()
        assert states == [AwardState.CREDITED] * 2
        held = accounts.held_account(db.session, world["resident"])
        assert ledger.balance(db.session, held) == 40
        texted = db.session.scalars(
            select(SmsMessage).where(SmsMessage.kind == "points_credited")
        ).all()
        assert len(texted) == 2
        assert ledger.mismatches(db.session) == [] and ledger.unbalanced_transfers(db.session) == []


def test_two_coordinators_reviewing_one_award_at_once_decide_it_once(app):
    from portal.accounts.models import User

    world = make(app, coordinators=1)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        award = awards.award_points(
            db.session, db.session.get(User, world["coordinators"][0]),
            db.session.get(PointsAward.community.property.mapper.class_, world["community"]),
            rule_id=world["commendation"], phone=world["phone"], reason="表彰", now=NOW,
        )  # fmt: skip
        db.session.commit()
        award_id = award.id

    def review(index: int) -> None:
        reviewer = db.session.get(User, world["coordinators"][index + 1])
        if index:
            awards.reject_award(db.session, reviewer, award_id, reason="不符合", now=NOW)
        else:
            awards.approve_award(db.session, reviewer, award_id, notice_days=5, now=NOW)

    results = together(app, 2, review)
    assert Counter(outcome for outcome, _ in results) == {"ok": 1, "Invalid": 1}
    assert {message for outcome, message in results if outcome == "Invalid"} == {
        "This award has been reviewed already."
    }
