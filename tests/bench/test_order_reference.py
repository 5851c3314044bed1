"""The reference order (tests/bench/order_reference.py) stays an honest floor for the
portal's: it writes the rows the portal's order writes (the order, the payment with its two
movements and balances, the SMS with the code), reads the user from the portal's cookie, and
refuses an order with no stock or too few points."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.ledger.models import LedgerMovement, LedgerTransfer
from portal.notifications.models import SmsMessage
from portal.points import orders
from portal.points.models import Reward, RewardOrder
from tests import factories
from tests.bench import order_reference
from tests.conftest import migrated_engine
from tests.points.shop_world import SETTINGS, balance_of, fund, reward


def test_the_reference_order_writes_the_rows_the_portals_order_writes(
    database, app_context, monkeypatch
):
    url = database.new_url()
    portal_engine = migrated_engine(url)
    now = utcnow()
    with Session(portal_engine, expire_on_commit=False) as session:
        tree = factories.tree(session)
        resident, other, poor = (factories.user(session) for _ in range(3))
        bag = reward(session, tree.community, price=30, stock=2)
        for each, points in ((resident, 100), (other, 100), (poor, 10)):
            fund(session, each, tree.community, points, now=now)
        orders.order(session, other, bag.id, settings=SETTINGS, now=now)
        session.commit()

    monkeypatch.setenv("REFERENCE_DATABASE_URL", url)
    app = order_reference.create_app()
    app.config["WTF_CSRF_ENABLED"] = False
    path = f"/points/shop/rewards/{bag.id}/order"
    try:
        client = app.test_client()
        with client.session_transaction() as cookie:
            cookie["_user_id"] = f"{resident.id}:wrong-token"
        assert client.post(path).status_code == 401
        with client.session_transaction() as cookie:
            cookie["_user_id"] = f"{poor.id}:{poor.session_token}"
        too_poor = client.post(path)
        with client.session_transaction() as cookie:
            cookie["_user_id"] = f"{resident.id}:{resident.session_token}"
        made = client.post(path)
        none_left = client.post(path)
    finally:
        app.extensions["reference.engine"].dispose()
    assert (too_poor.status_code, made.status_code, none_left.status_code) == (409, 302, 409)

    with Session(portal_engine) as session:
        by_portal, by_reference = session.scalars(select(RewardOrder).order_by(RewardOrder.id))
        assert made.location == f"/points/orders/{by_reference.id}"
        assert session.get(Reward, bag.id).stock == 0
        assert (balance_of(session, resident), balance_of(session, other), balance_of(session, poor)) == (70, 70, 10)  # fmt: skip
        same = ["reward_id", "price", "state"]
        assert [getattr(by_reference, c) for c in same] == [getattr(by_portal, c) for c in same]
        assert by_reference.code.isdigit() and len(by_reference.code) == len(by_portal.code)
        assert by_reference.collect_by > now
        paid = {
            transfer.subject: (transfer.kind, sorted(m.amount for m in transfer.movements))
            for transfer in session.scalars(select(LedgerTransfer).where(LedgerTransfer.kind == orders.PAID))
        }  # fmt: skip
        assert paid == {
            orders.order_subject(by_portal.id): ("points.order", [-30, 30]),
            orders.order_subject(by_reference.id): ("points.order", [-30, 30]),
        }
        assert session.scalar(select(LedgerMovement.balance_after).order_by(LedgerMovement.id.desc()).limit(1)) is not None  # fmt: skip
        texts = {m.idempotency_key: m.phone for m in session.scalars(select(SmsMessage).where(SmsMessage.kind == orders.ORDERED_SMS))}  # fmt: skip
        assert texts == {f"points.ordered:{by_portal.id}": other.phone,
                         f"points.ordered:{by_reference.id}": resident.phone}  # fmt: skip
    portal_engine.dispose()
