"""The points shop at the same moment, on SQLite and PostgreSQL: thirty residents ordering
the last five of a reward get five orders between them and the losers keep every point; one
resident tapping "order" ten times at once with points for three gets three, and ten taps
against a limit of two per person get two.

Each thread has its own session and commits as a view does (a refusal too: nothing of it may
be left to commit); they start together at a barrier.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.db import db
from portal.ledger import services as ledger
from portal.ledger.models import LedgerTransfer
from portal.points import orders
from portal.points.models import OrderState, Reward, RewardOrder
from tests import factories
from tests.accounts.test_concurrency import together
from tests.points.shop_world import SETTINGS, balance_of, fund, reward
from tests.points.world import NOW, make_world


@pytest.fixture
def app(fresh_app):
    return fresh_app(migrate=True)


def _order(user_ids: list[int], reward_id: int):
    def run(index: int) -> None:
        resident = db.session.get(User, user_ids[index])
        orders.order(db.session, resident, reward_id, settings=SETTINGS, now=NOW)

    return run


def _stock(reward_id: int) -> int:
    return db.session.scalar(select(Reward.stock).where(Reward.id == reward_id))


def _orders_of(reward_id: int) -> list[RewardOrder]:
    return list(db.session.scalars(select(RewardOrder).where(RewardOrder.reward_id == reward_id)))


def test_thirty_residents_ordering_the_last_five_get_five_and_the_rest_keep_their_points(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        world = make_world(db.session)
        community = world.tree.community
        residents = [
            factories.user(db.session, name=f"居民{index}", phone=f"136{index:08d}")
            for index in range(30)
        ]
        for resident in residents:
            fund(db.session, resident, community, 1000)
        last = reward(db.session, community, stock=5).id
        db.session.commit()
        ids = [resident.id for resident in residents]

    results = together(app, 30, _order(ids, last))
    assert Counter(outcome for outcome, _ in results) == {"ok": 5, "Invalid": 25}
    assert {message for outcome, message in results if outcome == "Invalid"} == {
        "All gone: none of this is left."
    }
    with app.test_request_context():
        assert _stock(last) == 0
        made = _orders_of(last)
        assert len(made) == 5 and {each.state for each in made} == {OrderState.PLACED}
        winners = {each.user_id for each in made}
        for index, user_id in enumerate(ids):
            held = balance_of(db.session, db.session.get(User, user_id))
            assert held == (700 if user_id in winners else 1000), index
            assert (results[index][0] == "ok") == (user_id in winners)
        assert ledger.mismatches(db.session) == [] and ledger.unbalanced_transfers(db.session) == []


def test_ten_taps_at_once_buy_what_the_points_and_the_limit_allow(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        world = make_world(db.session)
        community = world.tree.community
        fund(db.session, world.resident, community, 1000)
        rice = reward(db.session, community, stock=20).id
        db.session.commit()
        ids = [world.resident.id] * 10

    results = together(app, 10, _order(ids, rice))
    assert Counter(outcome for outcome, _ in results) == {"ok": 3, "Invalid": 7}
    assert {message for outcome, message in results if outcome == "Invalid"} == {
        "You hold 100 points; this costs 300."
    }
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert _stock(rice) == 17 and len(_orders_of(rice)) == 3
        resident = db.session.get(User, ids[0])
        assert balance_of(db.session, resident) == 100
        fund(db.session, resident, community, 5000)
        haircut = reward(db.session, community, name_zh="理发一次", price=200, per_person=2).id
        db.session.commit()

    results = together(app, 10, _order(ids, haircut))
    assert Counter(outcome for outcome, _ in results) == {"ok": 2, "Invalid": 8}
    with app.test_request_context():
        assert _stock(haircut) == 18 and len(_orders_of(haircut)) == 2
        assert balance_of(db.session, db.session.get(User, ids[0])) == 4700
        count = db.session.scalar(select(func.count()).select_from(RewardOrder))
        assert count == 5 and ledger.mismatches(db.session) == []
        first = min(_orders_of(rice), key=lambda each: each.id)
        lapsed = first.collect_by + timedelta(hours=1)

    _race_sweep_and_cancel(app, first.id, ids[0], lapsed)
    with app.test_request_context():
        # Every order of the day lapsed with it: all the stock and all the points are back.
        assert _stock(rice) == 20 and _stock(haircut) == 20
        assert balance_of(db.session, db.session.get(User, ids[0])) == 6000
        states = db.session.scalars(select(RewardOrder.state)).all()
        assert states == [OrderState.CANCELLED] * 5


def _race_sweep_and_cancel(app, order_id: int, user_id: int, lapsed) -> None:
    """The worker lapsing orders while a resident cancels one of them: each refunded once."""

    def race(index: int) -> None:
        if index:
            orders.cancel(db.session, db.session.get(User, user_id), order_id, now=lapsed)
        else:
            orders.sweep_uncollected(db.session, lapsed)

    results = together(app, 2, race)
    assert Counter(outcome for outcome, _ in results) in ({"ok": 2}, {"ok": 1, "Invalid": 1})
    with app.test_request_context():
        payment = ledger.transfer_about(db.session, orders.PAID, orders.order_subject(order_id))
        refunds = db.session.scalar(
            select(func.count()).select_from(LedgerTransfer).where(
                LedgerTransfer.reverses_id == payment.id
            )
        )  # fmt: skip
        assert refunds == 1 and ledger.mismatches(db.session) == []
