"""The points shop kept by coordinators: rewards listed, edited, restocked, retired and brought
back in their own community only; every bad value named at once; residents waiting for a
reward texted once when it is back; stock added while orders take it ends exact, on SQLite and
PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select, text

from portal.audit.models import AuditEvent
from portal.db import db
from portal.errors import Forbidden, Invalid, NotFound
from portal.notifications.models import SmsMessage
from portal.points import rewards
from portal.points.models import (
    OrderState,
    RestockWish,
    Reward,
    RewardKind,
    RewardOrder,
)
from tests import factories
from tests.accounts.test_concurrency import together
from tests.points.world import NOW, make_world

RICE = {
    "kind": "goods", "name_zh": "大米 5斤", "name_en": "Rice, 2.5 kg", "price": "300",
    "stock": "20", "per_person": "", "pickup_zh": "社区服务中心一楼，工作日 9:00–17:00",
    "pickup_en": "Community centre, ground floor, weekdays 9:00–17:00",
}  # fmt: skip


@pytest.fixture
def world(session, app_context):
    return make_world(session)


def listed(session, world, *, by=None, **changes) -> Reward:
    values = rewards.check_values(**(RICE | changes), with_stock=True)
    return rewards.add_reward(session, by or world.coordinator, world.tree.community, values,
                              now=NOW)  # fmt: skip


def wish(session, reward, user, *, told=None) -> RestockWish:
    made = RestockWish(reward_id=reward.id, user_id=user.id, created_at=NOW, notified_at=told)
    session.add(made)
    session.flush()
    return made


def audited(session, action: str) -> int:
    return session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    )


def restocked_texts(session) -> list[SmsMessage]:
    return list(
        session.scalars(
            select(SmsMessage).where(SmsMessage.kind == "points_restocked").order_by(SmsMessage.id)
        )
    )


# --- listing, editing, retiring --------------------------------------------------------------


def test_a_coordinator_lists_a_reward_and_it_is_audited(session, world):
    made = listed(session, world, per_person="2", about_zh=" 东北 大米 ")
    assert (made.kind, made.price, made.stock, made.per_person) == (RewardKind.GOODS, 300, 20, 2)
    assert made.about_zh == "东北 大米" and made.about_en == ""
    assert made.created_by_id == world.coordinator.id and made.retired_at is None
    assert audited(session, "points.add_reward") == 1
    [line] = rewards.shop_lines(session, world.coordinator, world.tree.community)
    assert (line.reward, line.waiting) == (made, 0)


def test_every_bad_value_is_named_at_once(world):
    with pytest.raises(Invalid) as refused:
        rewards.check_values(
            kind="car", name_zh="", name_en="x" * 61, about_zh="字" * 201, price="0",
            stock="-1", per_person="1000", pickup_zh=" ", pickup_en="", with_stock=True,
        )  # fmt: skip
    fields = [problem.details["field"] for problem in refused.value.problems]
    assert fields == ["kind", "name_zh", "name_en", "about_zh", "price", "per_person",
                      "pickup_zh", "pickup_en", "stock"]  # fmt: skip
    with pytest.raises(Invalid) as refused:
        rewards.check_values(**(RICE | {"price": "100001", "name_zh": "字" * 31}))
    assert [p.message for p in refused.value.problems] == [
        "Keep the Chinese name within 30 characters.",
        "The price is a whole number of points from 1 to 100,000.",
    ]
    edit = rewards.check_values(**(RICE | {"price": "１００", "stock": "oops"}))
    assert edit.price == 100 and edit.stock is None


def test_an_edit_changes_the_price_for_new_orders_only(session, world):
    made = listed(session, world)
    order = RewardOrder(reward_id=made.id, user_id=world.resident.id, price=300,
                        state=OrderState.PLACED, code="K7Q2M9", created_at=NOW,
                        collect_by=NOW + timedelta(days=14))  # fmt: skip
    session.add(order)
    session.flush()
    values = rewards.check_values(**(RICE | {"kind": "service", "price": "250", "stock": "0"}))
    rewards.change_reward(session, world.secretary, made, values, now=NOW)
    assert (made.price, made.kind, made.stock) == (250, RewardKind.SERVICE, 20)
    assert order.price == 300
    [line] = rewards.shop_lines(session, world.coordinator, world.tree.community)
    assert line.waiting == 1
    [event] = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "points.change_reward")
    ).all()
    assert (event.details["before"]["price"], event.details["after"]["price"]) == (300, 250)


def test_a_reward_is_retired_and_brought_back_never_deleted(session, world):
    made = listed(session, world)
    rewards.retire_reward(session, world.coordinator, made, retired=True, now=NOW)
    assert made.retired_at == NOW
    [line] = rewards.shop_lines(session, world.coordinator, world.tree.community)
    assert line.reward is made
    rewards.retire_reward(session, world.coordinator, made, retired=False, now=NOW)
    assert made.retired_at is None
    assert (
        audited(session, "points.retire_reward") == audited(session, "points.restore_reward") == 1
    )


def test_every_action_is_refused_outside_the_coordinators_community(session, world):
    made = listed(session, world)
    values = rewards.check_values(**RICE, with_stock=True)
    for who in (world.stranger, world.resident, world.admin):
        with pytest.raises(Forbidden):
            rewards.add_reward(session, who, world.tree.community, values, now=NOW)
        with pytest.raises(Forbidden):
            rewards.shop_lines(session, who, world.tree.community)
        with pytest.raises(Forbidden):
            rewards.get_reward(session, who, made.id)
        with pytest.raises(Forbidden):
            rewards.change_reward(session, who, made, values, now=NOW)
        with pytest.raises(Forbidden):
            rewards.restock(session, who, made, "5", now=NOW)
        with pytest.raises(Forbidden):
            rewards.retire_reward(session, who, made, retired=True, now=NOW)
    assert (made.stock, made.retired_at, made.price) == (20, None, 300)
    with pytest.raises(NotFound):
        rewards.get_reward(session, world.coordinator, 10**9)
    with pytest.raises(Invalid):
        rewards.add_reward(session, world.coordinator, world.tree.grid, values, now=NOW)


# --- restocking and "notify me" -------------------------------------------------------------


def test_restocking_adds_a_positive_number_within_the_limit(session, world):
    made = listed(session, world)
    assert rewards.restock(session, world.coordinator, made, "５", now=NOW) == 25
    assert made.stock == 25 and audited(session, "points.restock_reward") == 1
    for bad in ("0", "-3", "abc", "", "100001"):
        with pytest.raises(Invalid) as refused:
            rewards.restock(session, world.coordinator, made, bad, now=NOW)
        assert refused.value.details["field"] == "amount"
    with pytest.raises(Invalid, match="within 100,000"):
        rewards.restock(session, world.coordinator, made, "99990", now=NOW)
    assert made.stock == 25


def test_restocking_from_none_texts_each_waiting_resident_once_and_never_twice(
    app, session, world, monkeypatch
):
    monkeypatch.setitem(app.config, "BASE_URL", "https://gm.cn/")
    made = listed(session, world, stock="0")
    neighbours = [factories.user(session, phone=f"1391111000{i}") for i in range(3)]
    waiting = [wish(session, made, each) for each in neighbours[:2]]
    earlier = wish(session, made, neighbours[2], told=NOW - timedelta(days=30))
    with force_locale("zh_Hans_CN"):
        rewards.restock(session, world.coordinator, made, "10", now=NOW)
    texts = restocked_texts(session)
    assert sorted(each.phone for each in texts) == ["13911110000", "13911110001"]
    assert {each.idempotency_key for each in texts} == {
        f"points.restocked:{each.id}" for each in waiting
    }
    link = f"https://gm.cn/points/shop/{world.tree.community.code}#reward-{made.id}"
    assert [each.body for each in texts] == [f"积分超市：大米 5斤有货了 {link}"] * 2
    session.expire_all()
    assert [each.notified_at for each in waiting] == [NOW, NOW]
    assert earlier.notified_at == NOW - timedelta(days=30)
    # Sold out again and restocked: those told are not told again.
    session.execute(text("UPDATE points_rewards SET stock = 0 WHERE id = :id"), {"id": made.id})
    rewards.restock(session, world.coordinator, made, "3", now=NOW + timedelta(hours=1))
    assert len(restocked_texts(session)) == 2


def test_restocking_a_reward_that_had_some_texts_no_one(session, world):
    made = listed(session, world, stock="5")
    wish(session, made, world.resident)
    rewards.restock(session, world.coordinator, made, "10", now=NOW)
    assert restocked_texts(session) == []


def test_a_retired_reward_tells_those_waiting_when_it_is_back_with_stock(session, world):
    made = listed(session, world, stock="0")
    wish(session, made, world.resident)
    rewards.retire_reward(session, world.coordinator, made, retired=True, now=NOW)
    rewards.restock(session, world.coordinator, made, "4", now=NOW)
    assert restocked_texts(session) == []
    rewards.retire_reward(session, world.coordinator, made, retired=False, now=NOW)
    [message] = restocked_texts(session)
    assert message.phone == world.resident.phone and "Rice" not in message.body


# --- at the same moment ---------------------------------------------------------------------


@pytest.fixture
def fresh(fresh_app):
    return fresh_app(migrate=True)


def test_stock_added_while_orders_take_it_ends_exact(fresh):
    from portal.accounts.models import User

    with fresh.test_request_context(headers={"Accept-Language": "en"}):
        world = make_world(db.session)
        made = listed(db.session, world, stock="5")
        db.session.commit()
        reward_id, coordinator_id = made.id, world.coordinator.id

    def act(index: int) -> None:
        if index % 4 == 0:
            reward = db.session.get(Reward, reward_id)
            rewards.restock(db.session, db.session.get(User, coordinator_id), reward, "3",
                            now=NOW)  # fmt: skip
            return
        taken = db.session.execute(
            text("UPDATE points_rewards SET stock = stock - 1 WHERE id = :id AND stock > 0"),
            {"id": reward_id},
        )
        assert taken.rowcount in (0, 1)
        if taken.rowcount:
            # The order's own row, so that what was taken is counted below.
            db.session.add(RewardOrder(
                reward_id=reward_id, user_id=coordinator_id, price=300, state=OrderState.PLACED,
                code=f"T{index:05d}", created_at=NOW, collect_by=NOW + timedelta(days=14),
            ))  # fmt: skip

    results = together(fresh, 12, act)
    assert Counter(outcome for outcome, _ in results) == {"ok": 12}
    with fresh.app_context():
        stock = db.session.scalar(select(Reward.stock).where(Reward.id == reward_id))
        orders = db.session.scalar(select(func.count()).select_from(RewardOrder))
        assert stock == 5 + 3 * 3 - orders and stock >= 0
        assert orders >= 5
