"""The points shop's orders, without HTTP: an order pays and takes stock in one transaction,
each refusal says why and leaves nothing written, a cancellation refunds by a reversal and
returns the stock, a coordinator hands the reward over by its code in their own community
only, and the worker cancels what was not picked up by its day, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal import events
from portal.errors import Forbidden, Invalid, NotFound
from portal.ledger import services as ledger
from portal.ledger.models import LedgerTransfer
from portal.points import accounts, orders, wishes
from portal.points.events import RewardRestocked
from portal.points.models import OrderState, RestockWish, RewardOrder
from tests import factories
from tests.points.shop_world import SETTINGS, balance_of, fund, reward
from tests.points.world import NOW, make_world


@pytest.fixture
def world(session, app_context):
    made = make_world(session)
    fund(session, made.resident, made.tree.community, 1000)
    return made


@pytest.fixture
def published(monkeypatch):
    """The RewardRestocked events published, besides whatever handles them."""
    seen: list[RewardRestocked] = []
    handlers = [*events.handlers_of(RewardRestocked), lambda _session, event: seen.append(event)]
    monkeypatch.setitem(events._handlers, RewardRestocked, handlers)
    return seen


def place(session, world, item, *, who=None, now=NOW):
    return orders.order(session, who or world.resident, item.id, settings=SETTINGS, now=now)


def count_orders(session) -> int:
    return session.scalar(select(func.count()).select_from(RewardOrder))


def test_an_order_pays_takes_one_from_stock_and_texts_the_code(session, world, sms):
    rice = reward(session, world.tree.community)
    made = place(session, world, rice)
    assert (
        made.state is OrderState.PLACED and made.price == 300 and made.user_id == world.resident.id
    )
    assert len(made.code) == 8 and made.code.isdigit()
    session.refresh(rice)
    assert rice.stock == 19 and balance_of(session, world.resident) == 700
    issuer = accounts.issuer_account(session, world.tree.community, now=NOW)
    assert ledger.balance(session, issuer) == -700
    payment = ledger.transfer_about(session, orders.PAID, f"points.order:{made.id}")
    assert payment is not None and payment.memo == "大米5斤"
    # Fourteen days on, to the end of that day in Shanghai (NOW is 16:00 there on 4 December).
    assert made.collect_by == datetime(2026, 12, 18, 15, 59, 59, tzinfo=UTC)
    [message] = sms.recent(world.resident.phone)
    assert message.kind == "points_ordered" and made.code in message.body
    # The order's own page when its address fits in the text, else the resident's orders.
    assert "https://wg.example.cn/points/orders" in message.body
    assert ledger.mismatches(session) == [] and ledger.unbalanced_transfers(session) == []


def test_the_last_day_to_collect_is_one_the_pick_up_place_is_open(session, world):
    # Ordered on Saturday 5 December: fourteen days on is a Saturday, so Monday the 21st; in
    # the 国庆 holiday of 2026 (1–7 October), the first working day after it.
    fund(session, world.resident, world.tree.community, 1000)
    rice = reward(session, world.tree.community)
    saturday = datetime(2026, 12, 5, 2, tzinfo=UTC)
    made = place(session, world, rice, now=saturday)
    assert orders.last_day(made).isoformat() == "2026-12-21"
    assert orders.collect_by(session, datetime(2026, 9, 20, 2, tzinfo=UTC), 14) == datetime(
        2026, 10, 8, 23, 59, 59, tzinfo=orders.SHANGHAI
    )


def test_a_reward_with_none_left_is_all_gone_and_nothing_is_written(session, world):
    towel = reward(session, world.tree.community, name_zh="毛巾", stock=0)
    with pytest.raises(Invalid) as refused:
        place(session, world, towel)
    assert refused.value.message == "All gone: none of this is left."
    assert refused.value.details["sold_out"] is True
    assert count_orders(session) == 0 and balance_of(session, world.resident) == 1000


def test_a_retired_reward_is_not_offered(session, world):
    old = reward(session, world.tree.community, retired_at=NOW)
    with pytest.raises(NotFound):
        place(session, world, old)
    with pytest.raises(NotFound):
        orders.order(session, world.resident, "x", settings=SETTINGS, now=NOW)


def test_the_limit_per_person_counts_orders_not_cancelled(session, world):
    haircut = reward(session, world.tree.community, name_zh="理发一次", price=200, per_person=2)
    first = place(session, world, haircut)
    place(session, world, haircut)
    with pytest.raises(Invalid) as refused:
        place(session, world, haircut)
    assert refused.value.message == ("Each person may have 2 of this, and you have had them all.")
    orders.cancel(session, world.resident, first.id, now=NOW)
    assert place(session, world, haircut).state is OrderState.PLACED


def test_too_few_points_says_what_is_held_and_what_it_costs(session, world):
    oil = reward(session, world.tree.community, name_zh="食用油", price=1500)
    with pytest.raises(Invalid) as refused:
        place(session, world, oil)
    assert refused.value.message == "You hold 1,000 points; this costs 1,500."
    session.refresh(oil)
    assert oil.stock == 20 and count_orders(session) == 0


def test_a_refusal_by_the_ledger_itself_leaves_the_stock_untouched(session, world, monkeypatch):
    # Points spent between the look and the payment: the ledger refuses under its lock, and
    # the savepoint takes the stock and the order back even if the caller went on to commit.
    oil = reward(session, world.tree.community, name_zh="食用油", price=1500)
    monkeypatch.setattr(orders.ledger, "balance", lambda _session, _held: 5000)
    with pytest.raises(Invalid):
        place(session, world, oil)
    monkeypatch.undo()
    session.refresh(oil)
    assert oil.stock == 20 and count_orders(session) == 0
    assert balance_of(session, world.resident) == 1000


def test_signed_out_nobody_orders(session, world):
    from flask_login import AnonymousUserMixin

    rice = reward(session, world.tree.community)
    with pytest.raises(Forbidden):
        orders.order(session, AnonymousUserMixin(), rice.id, settings=SETTINGS, now=NOW)


def test_a_cancellation_refunds_by_a_reversal_and_returns_the_stock(session, world, published):
    rice = reward(session, world.tree.community, stock=5)
    made = place(session, world, rice)
    cancelled = orders.cancel(session, world.resident, made.id, now=NOW + timedelta(hours=1))
    assert cancelled.state is OrderState.CANCELLED
    assert cancelled.cancelled_at == NOW + timedelta(hours=1)
    payment = ledger.transfer_about(session, orders.PAID, f"points.order:{made.id}")
    refund = ledger.reversal_of(session, payment)
    assert refund is not None and refund.kind == ledger.REVERSAL
    held = accounts.held_account(session, world.resident.id)
    history = ledger.history(session, held, limit=5)
    assert [line.amount for line in history][:2] == [300, -300]
    session.refresh(rice)
    assert rice.stock == 5 and balance_of(session, world.resident) == 1000
    assert published == []  # it never ran out
    with pytest.raises(Invalid) as again:
        orders.cancel(session, world.resident, made.id, now=NOW)
    assert again.value.message.startswith("This order was cancelled on ")
    assert ledger.mismatches(session) == []


def test_cancelling_the_last_one_back_tells_who_waits(session, world, published):
    last = reward(session, world.tree.community, stock=1)
    made = place(session, world, last)
    orders.cancel(session, world.resident, made.id, now=NOW)
    assert published == [RewardRestocked(reward_id=last.id, now=NOW)]


def test_only_the_owner_cancels_and_not_once_picked_up(session, world):
    rice = reward(session, world.tree.community)
    made = place(session, world, rice)
    neighbour = factories.user(session, name="李四", phone="13900139000")
    with pytest.raises(NotFound):
        orders.cancel(session, neighbour, made.id, now=NOW)
    orders.hand_over(session, world.coordinator, made.code, now=NOW)
    with pytest.raises(Invalid) as refused:
        orders.cancel(session, world.resident, made.id, now=NOW)
    assert refused.value.message.startswith("You picked this up on ")


def test_a_coordinator_hands_over_by_the_code_once(session, world):
    rice = reward(session, world.tree.community)
    made = place(session, world, rice)
    spaced = f" {made.code[:4]} {made.code[4:]} "
    done = orders.hand_over(session, world.coordinator, spaced, now=NOW + timedelta(days=1))
    assert done.state is OrderState.COLLECTED and done.collected_at == NOW + timedelta(days=1)
    assert done.handed_over_by_id == world.coordinator.id
    with pytest.raises(Invalid) as again:
        orders.hand_over(session, world.secretary, made.code, now=NOW)
    assert again.value.message.startswith("Handed over already, on ")
    assert again.value.details["field"] == "code"


def test_another_communitys_code_is_no_such_code(session, world):
    rice = reward(session, world.tree.community)
    made = place(session, world, rice)
    no_such = "There is no order with this code. Check the digits."
    for code in (made.code, "12345678" if made.code != "12345678" else "87654321"):
        with pytest.raises(Invalid) as refused:
            orders.hand_over(session, world.stranger, code, now=NOW)
        assert refused.value.message == no_such
    for code in ("12ab", "1234"):
        with pytest.raises(Invalid) as mistyped:
            orders.hand_over(session, world.stranger, code, now=NOW)
        assert mistyped.value.message == "A pick-up code is 8 digits. Check what you typed."
    with pytest.raises(Invalid) as empty:
        orders.hand_over(session, world.coordinator, " ", now=NOW)
    assert empty.value.message == "Type the 8 digits of the pick-up code."
    with pytest.raises(Forbidden):
        orders.hand_over(session, world.resident, made.code, now=NOW)
    assert made.state is OrderState.PLACED


def test_a_cancelled_order_is_not_handed_over(session, world):
    made = place(session, world, reward(session, world.tree.community))
    orders.cancel(session, world.resident, made.id, now=NOW)
    with pytest.raises(Invalid) as refused:
        orders.hand_over(session, world.coordinator, made.code, now=NOW)
    assert "was cancelled on" in refused.value.message


def test_the_sweep_cancels_only_orders_past_their_day_and_only_once(session, world, sms):
    rice = reward(session, world.tree.community)
    early = place(session, world, rice)
    late = place(session, world, rice, now=NOW + timedelta(days=3))
    handed = place(session, world, rice)
    orders.hand_over(session, world.coordinator, handed.code, now=NOW)
    # To the end of its last day the order waits; a second later it lapses.
    assert orders.sweep_uncollected(session, early.collect_by) == 0
    assert orders.sweep_uncollected(session, early.collect_by + timedelta(seconds=1)) == 1
    assert (early.state, late.state, handed.state) == ("cancelled", "placed", "collected")
    assert balance_of(session, world.resident) == 400
    session.refresh(rice)
    assert rice.stock == 18
    payment = ledger.transfer_about(session, orders.PAID, f"points.order:{early.id}")
    assert ledger.reversal_of(session, payment) is not None
    [lapsed] = [m for m in sms.recent(world.resident.phone) if m.kind == "points_order_lapsed"]
    assert "300" in lapsed.body
    assert orders.sweep_uncollected(session, early.collect_by + timedelta(days=1)) == 0
    reversals = session.scalar(
        select(func.count()).select_from(LedgerTransfer).where(
            LedgerTransfer.kind == ledger.REVERSAL
        )
    )  # fmt: skip
    assert reversals == 1 and ledger.mismatches(session) == []


def test_notify_me_is_for_a_reward_that_ran_out_and_asking_twice_keeps_one(session, world):
    towel = reward(session, world.tree.community, name_zh="毛巾", stock=0)
    first = wishes.ask_to_be_told(session, world.resident, towel.id, NOW)
    again = wishes.ask_to_be_told(session, world.resident, towel.id, NOW)
    assert first.id == again.id
    assert session.scalar(select(func.count()).select_from(RestockWish)) == 1
    rice = reward(session, world.tree.community)
    with pytest.raises(Invalid) as refused:
        wishes.ask_to_be_told(session, world.resident, rice.id, NOW)
    assert refused.value.message == "There is some left: you may order it now."
    with pytest.raises(NotFound):
        wishes.ask_to_be_told(session, world.resident, 10**6, NOW)
