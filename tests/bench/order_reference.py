"""A reference for an order in the points shop: a bare Flask app doing only an order's own
durable work.

The portal's POST /points/shop/rewards/<reward_id>/order (a signed-in resident orders one of a
reward with their grid points) is measured against this app, served and loaded the same way
(tests/bench/points.py), on the same database: the portal's own tables, migrated. Each POST
here, in one transaction:

- checks a Flask-WTF form (CSRF on, as the portal: the token against the session cookie);
- reads the signed-in resident from the portal's own session cookie (Flask's signed cookie,
  the same secret): its "_user_id" of "<id>:<session token>", the user's row read by id and
  the token compared, as the portal's user loader does;
- takes one from the reward's stock with a conditional UPDATE (none left, or retired: 409);
- finds the district's issuing account (the community's street's district) and locks it with
  the resident's points account, in id order (PostgreSQL: FOR UPDATE; on SQLite the
  transaction is BEGIN IMMEDIATE, which holds the database's write lock from its start), and
  refuses the order when the resident holds too few points (409);
- writes the order row with a random 8-digit pick-up code, the ledger transfer paying for it
  with its two movements and both accounts' new balances, and the SMS that carries the code
  (a row of the outbox, its text formatted here), commits, and answers with a 302 redirect to
  the order's page.

Nothing else: no per-person limit counted, no rate limits, no audit row, no flash message, no
templates, no check that the transfer is posted once. SQLite is set up as the portal sets it
up (WAL, synchronous=NORMAL, foreign keys, SQLite's busy timeout); PostgreSQL with
SQLAlchemy's default pool.

Served with `gunicorn 'tests.bench.order_reference:create_app()'`, configured by
REFERENCE_DATABASE_URL and REFERENCE_SECRET_KEY (the portal's SECRET_KEY, so that its cookies
and CSRF tokens are this app's too).
"""

from __future__ import annotations

import hmac
import os
import secrets
from datetime import UTC, datetime, timedelta

from flask import Flask, abort, redirect, session
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.accounts.models import User
from portal.ledger.models import LedgerAccount, LedgerMovement, LedgerTransfer
from portal.notifications.models import SmsMessage
from portal.places.models import Place
from portal.points.models import Reward, RewardOrder
from tests.bench.booking_reference import make_engine

users, rewards, orders = User.__table__, Reward.__table__, RewardOrder.__table__
places, accounts = Place.__table__, LedgerAccount.__table__
transfers, movements, outbox = (
    LedgerTransfer.__table__,
    LedgerMovement.__table__,
    SmsMessage.__table__,
)
COLLECT_DAYS = 14


class OrderForm(FlaskForm):
    pass


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ.get("REFERENCE_SECRET_KEY", "reference"),
        SESSION_COOKIE_NAME="portal_session",
        WTF_CSRF_TIME_LIMIT=None,  # as the portal's
    )
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)  # behind one proxy, as the portal is served
    engine = app.extensions["reference.engine"] = make_engine(os.environ["REFERENCE_DATABASE_URL"])
    postgres = engine.dialect.name == "postgresql"
    street = places.alias("street")
    issuer_of = (
        select(accounts.c.id)
        .select_from(places.join(street, street.c.id == places.c.parent_id))
        .join(accounts, accounts.c.place_id == street.c.parent_id)
        .where(accounts.c.unit == "points", accounts.c.kind == "issuer")
    )

    @app.post("/points/shop/rewards/<int:reward_id>/order")
    def order(reward_id: int):
        if not OrderForm().validate_on_submit():
            abort(400)
        user_id, _, token = str(session.get("_user_id", "")).partition(":")
        if not user_id.isdigit():
            abort(401)
        now = datetime.now(UTC)
        with engine.begin() as connection:
            user = connection.execute(
                select(users.c.phone, users.c.session_token).where(
                    users.c.id == int(user_id), users.c.disabled_at.is_(None)
                )
            ).first()
            if user is None or not hmac.compare_digest(user.session_token, token):
                abort(401)
            reward = connection.execute(
                rewards.update()
                .where(rewards.c.id == reward_id, rewards.c.stock > 0,
                       rewards.c.retired_at.is_(None))
                .values(stock=rewards.c.stock - 1)
                .returning(rewards.c.price, rewards.c.community_id, rewards.c.name_zh)
            ).first()  # fmt: skip
            if reward is None:
                abort(409)
            issuer = connection.scalar(issuer_of.where(places.c.id == reward.community_id))
            locking = (
                select(accounts.c.id, accounts.c.balance)
                .where(
                    (accounts.c.id == issuer)
                    | ((accounts.c.unit == "points") & (accounts.c.kind == "person")
                       & (accounts.c.user_id == int(user_id)))
                )
                .order_by(accounts.c.id)
            )  # fmt: skip
            held = dict(
                connection.execute(locking.with_for_update() if postgres else locking).all()
            )
            own = next((key for key in held if key != issuer), None)
            if own is None or held[own] < reward.price:
                abort(409)
            code = f"{secrets.randbelow(10**8):08d}"
            order_id = connection.scalar(
                orders.insert().returning(orders.c.id),
                {"reward_id": reward_id, "user_id": int(user_id), "price": reward.price,
                 "state": "placed", "code": code, "created_at": now,
                 "collect_by": now + timedelta(days=COLLECT_DAYS)},
            )  # fmt: skip
            transfer_id = connection.scalar(
                transfers.insert().returning(transfers.c.id),
                {"unit": "points", "kind": "points.order", "subject": f"points.order:{order_id}",
                 "memo": reward.name_zh, "created_by_id": int(user_id), "created_at": now},
            )  # fmt: skip
            after = {own: held[own] - reward.price, issuer: held[issuer] + reward.price}
            for account_id, amount in ((own, -reward.price), (issuer, reward.price)):
                connection.execute(
                    accounts.update().where(accounts.c.id == account_id),
                    {"balance": after[account_id]},
                )
                connection.execute(
                    movements.insert(),
                    {"transfer_id": transfer_id, "account_id": account_id, "amount": amount,
                     "balance_after": after[account_id], "created_at": now},
                )  # fmt: skip
            body = f"积分超市：{reward.name_zh}已兑换，取货码{code}，请于14天内领取。"
            connection.execute(
                outbox.insert(),
                {"idempotency_key": f"points.ordered:{order_id}", "phone": user.phone,
                 "phone_masked": user.phone[:3] + "****" + user.phone[-4:],
                 "kind": "points_ordered", "params": {"order": order_id}, "locale": "zh_Hans_CN",
                 "body": body, "length": len(body), "segments": 1, "state": "queued",
                 "attempts": 0, "claims": 0, "next_attempt_at": now, "created_at": now},
            )  # fmt: skip
        return redirect(f"/points/orders/{order_id}")

    return app
