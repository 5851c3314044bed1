"""Benchmark: grid points with a 20,000-resident community (issue 21).

Budgets: the community's ranking page answers in p95 ≤ 50 ms; a resident's points page in p95
≤ 30 ms; an order in the points shop, one reward with at least 1,000 in stock, reaches at
least 60% of the orders per second of a reference app doing an order's own durable work
(tests/bench/order_reference.py). On SQLite and, when it answers at PORTAL_TEST_DATABASE_URL,
PostgreSQL (BENCH_DATABASES=postgres for one).

The community: RESIDENTS residents (BENCH_RESIDENTS, 20,000) across GRIDS grids, a twentieth
of them out of the ranking; each with 1–19 credited awards (TYPICAL residents with 40), spread
over this year with a share in this month, each a two-legged "points.award" transfer from the
district's issuing account, so the balances and movements run in step; the ranking's tallies
are summed from the same awards. Written in bulk, then (on PostgreSQL) vacuumed and analysed,
then checked as the ledger's own test checks it.

Printed: the build; the ranking pages (the community this month and this year, one grid this
month), signed out and signed in; a typical resident's points page; then the orders: the
portal's POST /points/shop/rewards/<id>/order against the reference's, served by gunicorn
with 2 workers and loaded by wrk with 50 connections (tests/bench/serving.py), three rounds of
hello-world, reference and portal in turn, each ratio taken to its own round. Each order is a
distinct signed-in resident's (within a run), from its own address, with rate limits in Redis
as in production; the reward costs one point, so every resident can order several times over
the rounds; before each run its stock is set to what the run can take, and never below 1,000.
The run fails unless every POST answered with a redirect and made an order.

Run with `make bench` (or `python -m tests.bench.points`). Needs wrk.
"""

from __future__ import annotations

import itertools
import math
import os
import random
import shutil
import statistics
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select, text, update

from portal import create_app
from portal.accounts.models import User, new_session_token
from portal.db import db, make_engine, utcnow
from portal.ledger.models import AccountKind, LedgerAccount, LedgerMovement, LedgerTransfer, Unit
from portal.migrations import upgrade
from portal.permissions import SYSTEM
from portal.places import services as places
from portal.points import tallies
from portal.points.models import (
    AwardState,
    PointsAward,
    PointsRule,
    PointsTally,
    RankingExit,
    Reward,
    RewardKind,
    RewardOrder,
)
from tests.bench.appeals import count_rows, redis_available
from tests.bench.meeting_bookings import (
    BOOK_SCRIPT,
    Attempt,
    mint,
    served,
    verify_sign_in,
)
from tests.bench.serving import CONNECTIONS, THREADS, Load, gunicorn, load
from tests.bench.volunteering import _write, figure, settle, signed_in, timed
from tests.conftest import Database, dispose, make_test_app
from tests.postgres_available import postgres_available

RESIDENTS = int(os.environ.get("BENCH_RESIDENTS", 20_000))
GRIDS = 20
TYPICAL, TYPICAL_AWARDS = 20, 40
LEFT_RANKING = 20  # one in this many
RANKING_BUDGET_MS, PAGE_BUDGET_MS, ORDER_BUDGET = 50, 30, 0.60
STOCK = 1_000
ROUNDS = 3
# Bounds on a run's orders per second, for the orders prepared for it (as the bookings').
PORTAL_BOUND, REFERENCE_BOUND = 2, 0.5
POINTS = (5, 10, 20)
_addresses = itertools.count(random.randrange(2**24))


@dataclass
class World:
    community_code: str
    grid_code: str
    residents: list[tuple[int, str]]  # (id, session token)
    typical: list[int]
    reward_id: int
    awards: int


def build(session) -> World:
    """The district, its 20,000-resident community, their awards, ledger and tallies."""
    now = utcnow()
    district = places.create_place(session, SYSTEM, None, code="P", name_zh="基准区",
                                   name_en="", now=now)  # fmt: skip
    street = places.create_place(session, SYSTEM, district, code="P0", name_zh="基准街道",
                                 name_en="", now=now)  # fmt: skip
    community = places.create_place(session, SYSTEM, street, code="P0-0", name_zh="基准社区",
                                    name_en="Benchmark", now=now)  # fmt: skip
    grids = [
        places.create_place(session, SYSTEM, community, code=f"P0-0-{g}", name_zh=f"第{g}网格",
                            name_en="", now=now)
        for g in range(GRIDS)
    ]  # fmt: skip
    rule = PointsRule(district_id=district.id, name_zh="参加社区清洁", name_en="Clean-up",
                      points=10, created_at=now)  # fmt: skip
    session.add(rule)
    session.flush()
    _write(session, User, (
        {"phone": f"137{n:08d}", "display_name": f"居民{n}", "session_token": new_session_token(),
         "phone_verified_at": now, "created_at": now}
        for n in range(RESIDENTS)
    ))  # fmt: skip
    residents = list(session.execute(
        select(User.id, User.session_token).where(User.phone.like("137%")).order_by(User.id)
    ))  # fmt: skip
    _write(session, RankingExit, (
        {"user_id": user_id, "left_at": now} for user_id, _ in residents[::LEFT_RANKING]
    ))  # fmt: skip
    typical = {user_id for user_id, _ in residents[1 : 1 + TYPICAL]}
    issuer = LedgerAccount(unit=Unit.POINTS, kind=AccountKind.ISSUER, place_id=district.id,
                           balance=0, created_at=now)  # fmt: skip
    session.add(issuer)
    _write(session, LedgerAccount, (
        {"unit": Unit.POINTS, "kind": AccountKind.PERSON, "user_id": user_id, "balance": 0,
         "created_at": now}
        for user_id, _ in residents
    ))  # fmt: skip
    account_of = dict(session.execute(
        select(LedgerAccount.user_id, LedgerAccount.id).where(
            LedgerAccount.unit == Unit.POINTS, LedgerAccount.kind == AccountKind.PERSON)
    ).all())  # fmt: skip

    # Awards through the year to now, one in four in this month; in time order.
    rng = random.Random(21)
    year_start = now.replace(month=1, day=1, hour=1)
    span = (now - year_start).total_seconds()
    awards = []
    for n, (user_id, _) in enumerate(residents):
        count = TYPICAL_AWARDS if user_id in typical else rng.randint(1, 19)
        for _ in range(count):
            recent = rng.random() < 0.25
            at = now - timedelta(seconds=rng.uniform(60, min(span, 20 * 86400) if recent else span))
            awards.append((at, user_id, grids[n % GRIDS].id, rng.choice(POINTS)))
    awards.sort()
    first_award = (session.scalar(select(func.max(PointsAward.id))) or 0) + 1
    first_transfer = (session.scalar(select(func.max(LedgerTransfer.id))) or 0) + 1
    _write(session, PointsAward, (
        {"id": first_award + k, "rule_id": rule.id, "community_id": community.id, "grid_id": grid,
         "user_id": user_id, "points": points, "reason": "参加社区清洁", "state": AwardState.CREDITED,
         "created_at": at, "credited_at": at}
        for k, (at, user_id, grid, points) in enumerate(awards)
    ))  # fmt: skip
    _write(session, LedgerTransfer, (
        {"id": first_transfer + k, "unit": Unit.POINTS, "kind": "points.award",
         "subject": f"points.award:{first_award + k}", "memo": "参加社区清洁", "created_at": at}
        for k, (at, _user, _grid, _points) in enumerate(awards)
    ))  # fmt: skip
    if session.get_bind().dialect.name == "postgresql":
        # Rows written with their ids leave the tables' sequences behind: set them past them.
        session.execute(text("SELECT setval(pg_get_serial_sequence('points_awards', 'id'), "
                             "(SELECT max(id) FROM points_awards))"))  # fmt: skip
        session.execute(text("SELECT setval(pg_get_serial_sequence('ledger_transfers', 'id'), "
                             "(SELECT max(id) FROM ledger_transfers))"))  # fmt: skip
    held: dict[int, int] = {}
    issued = 0

    def movements():
        nonlocal issued
        for k, (at, user_id, _grid, points) in enumerate(awards):
            issued -= points
            held[user_id] = held.get(user_id, 0) + points
            yield {"transfer_id": first_transfer + k, "account_id": issuer.id, "amount": -points,
                   "balance_after": issued, "created_at": at}  # fmt: skip
            yield {"transfer_id": first_transfer + k, "account_id": account_of[user_id],
                   "amount": points, "balance_after": held[user_id], "created_at": at}  # fmt: skip

    _write(session, LedgerMovement, movements())
    session.execute(
        update(LedgerAccount).where(LedgerAccount.id == issuer.id).values(balance=issued)
    )
    session.execute(
        update(LedgerAccount),
        [{"id": account_of[user_id], "balance": points} for user_id, points in held.items()],
    )
    sums: dict[tuple[int, str, int], int] = {}
    for at, user_id, grid, points in awards:
        for place in (community.id, grid):
            for period in tallies.periods_of(at):
                key = (place, period, user_id)
                sums[key] = sums.get(key, 0) + points
    _write(session, PointsTally, (
        {"place_id": place, "period": period, "user_id": user_id, "points": points}
        for (place, period, user_id), points in sums.items()
    ))  # fmt: skip
    reward = Reward(community_id=community.id, kind=RewardKind.GOODS, name_zh="环保购物袋",
                    name_en="A shopping bag", price=1, stock=STOCK, pickup_zh="社区服务中心",
                    pickup_en="Community centre", created_at=now)  # fmt: skip
    session.add(reward)
    session.flush()
    return World(community.code, grids[0].code, residents, sorted(typical), reward.id, len(awards))


def check(session) -> None:
    """The ledger's rules hold over the data just written: a failure stops the benchmark."""
    from portal.ledger import services as ledger

    assert ledger.mismatches(session) == [], "a kept balance is not the sum of its movements"
    assert ledger.unbalanced_transfers(session) == [], "a transfer does not sum to zero"


class Orders:
    """Orders to make: signed-in residents taken in turn, each once per run; the reward's
    stock set, before each run, to what the run can take."""

    def __init__(self, app: Flask, url: str, world: World, csrf: tuple[str, str], folder: Path):
        self.app, self.url, self.world = app, url, world
        self.secret, token = csrf
        self.turn = itertools.cycle(world.residents)
        self.lines = folder / "orders.txt"
        self.script = folder / "orders.lua"
        self.path = f"/points/shop/rewards/{world.reward_id}/order"
        # The booking benchmark's script: each line's path, address and cookie; its fourth
        # field is sent as "start", which the order form ignores.
        self.script.write_text(BOOK_SCRIPT % {
            "lines": self.lines, "threads": THREADS,
            "cookie_name": app.config["SESSION_COOKIE_NAME"], "body": f"csrf_token={token}",
        })  # fmt: skip

    def prepare(self, count: int) -> Path:
        count = min(count, len(self.world.residents))
        taken = [Attempt(user_id, token, self.path, 0, self._address())
                 for user_id, token in itertools.islice(self.turn, count)]  # fmt: skip
        cookies = mint(self.app, taken, self.secret)
        self.lines.write_text("".join(f"{a.path} {a.address} {cookie} 0\n"
                                      for a, cookie in zip(taken, cookies, strict=True)))  # fmt: skip
        engine = make_engine(self.url)
        with engine.begin() as connection:
            connection.execute(update(Reward).where(Reward.id == self.world.reward_id)
                               .values(stock=max(STOCK, count)))  # fmt: skip
        engine.dispose()
        return self.script

    @staticmethod
    def _address() -> str:
        number = next(_addresses) % 2**24
        return f"10.{number >> 16}.{number >> 8 & 255}.{number & 255}"

    def run(self, name: str, server: str, rate: float) -> Load:
        before = count_rows(self.url, RewardOrder)
        sent = 0

        def prepared(seconds: int) -> Path:
            nonlocal sent
            count = math.ceil(rate * seconds) + CONNECTIONS
            sent += count
            return self.prepare(count)

        loaded = load(server, prepared)
        made, settled = count_rows(self.url, RewardOrder) - before, None
        while made != settled:
            time.sleep(1)
            settled, made = made, count_rows(self.url, RewardOrder) - before
        if not loaded.requests <= made <= sent:
            raise SystemExit(f"{name}: {loaded.requests} requests answered, {made} orders made")
        return loaded


def measure_orders(url: str, world: World, folder: Path) -> dict[str, Any]:
    limits = "redis://127.0.0.1:6379" if redis_available() else "memory://"
    config = served(url, folder, limits)
    env = {f"PORTAL_{key}": str(value) for key, value in config.items()}
    reference_env = {"REFERENCE_DATABASE_URL": url, "REFERENCE_SECRET_KEY": config["SECRET_KEY"]}
    app = create_app({**config, "SCAN_FLUSH_SECONDS": None})
    rounds = []
    with ExitStack() as servers:
        hello = servers.enter_context(gunicorn("tests.bench.hello:app", {}))
        reference = servers.enter_context(
            gunicorn("tests.bench.order_reference:create_app()", reference_env)
        )
        base = servers.enter_context(gunicorn("portal:create_app()", env))
        user_id, token = world.residents[0]
        shelf = Attempt(user_id, token, f"/points/shop/{world.community_code}", 0, "192.0.2.1")
        orders = Orders(app, url, world, verify_sign_in(app, base, shelf), folder)
        for _ in range(ROUNDS):
            each = {"hello": load(hello + "/").rate}
            each["reference"] = orders.run("reference", reference,
                                           REFERENCE_BOUND * each["hello"]).rate  # fmt: skip
            each["portal"] = orders.run("portal", base, PORTAL_BOUND * each["reference"]).rate
            rounds.append(each)
    dispose(app)
    return {
        "rounds": rounds,
        "limits": "Redis" if limits.startswith("redis") else "memory (no Redis answered)",
        "of_reference": statistics.median(each["portal"] / each["reference"] for each in rounds),
    }


def run(name: str, url: str, folder: Path) -> None:
    app = make_test_app(url)
    with app.app_context(), db.engine.begin() as connection:
        upgrade(connection)
    with app.app_context():
        started = time.perf_counter()
        world = build(db.session)
        db.session.commit()
        built = time.perf_counter() - started
        if db.session.bind.dialect.name == "postgresql":
            settle(db.engine)
        check(db.session)
        db.session.rollback()
    print(f"{name}: one community of {RESIDENTS:,} residents in {GRIDS} grids, {world.awards:,} "
          f"credited awards on the ledger, built in {built:.0f} s")  # fmt: skip

    anyone = [app.test_client()]
    resident = [signed_in(app, world.typical[0])]
    ranking = f"/points/ranking/{world.community_code}"
    for label, path in (
        ("this month", ranking), ("this year", ranking + "?period=year"),
        ("one grid, this month", f"{ranking}?grid={world.grid_code}"),
    ):  # fmt: skip
        print(figure(f"the community's ranking, {label}, signed out", timed(anyone, path),
                     RANKING_BUDGET_MS))  # fmt: skip
    print(figure("the ranking this month, signed in (with the resident's own place)",
                 timed(resident, ranking), RANKING_BUDGET_MS))  # fmt: skip
    typical = [signed_in(app, user_id) for user_id in world.typical]
    print(figure(f"a resident's points page ({TYPICAL} residents of {TYPICAL_AWARDS} awards in "
                 f"turn)", timed(typical, "/points/"), PAGE_BUDGET_MS))  # fmt: skip
    dispose(app)

    figures = measure_orders(url, world, folder)
    print(f"  orders of one reward, gunicorn 2 workers, wrk {CONNECTIONS} connections, {ROUNDS} "
          f"rounds of hello world, reference order and portal order in turn:")  # fmt: skip
    for number, each in enumerate(figures["rounds"], 1):
        print(f"    round {number}: hello world {each['hello']:,.0f}/s, reference "
              f"{each['reference']:,.0f}/s, portal {each['portal']:,.0f}/s = "
              f"{each['portal'] / each['reference']:.1%} of the reference")  # fmt: skip
    mark = "" if figures["of_reference"] >= ORDER_BUDGET else "  UNDER THE BUDGET"
    print(f"    portal order: {figures['of_reference']:.1%} of the reference app's order "
          f"(tests/bench/order_reference.py), median of the rounds (budget ≥ "
          f"{ORDER_BUDGET:.0%}); rate limits counted in {figures['limits']}{mark}")  # fmt: skip


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    wanted = os.environ.get("BENCH_DATABASES", "sqlite,postgres").split(",")
    kinds = [kind for kind in ("sqlite", "postgres") if kind in wanted]
    if "postgres" in kinds and not postgres_available():
        kinds.remove("postgres")
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as folder:
        for kind in kinds:
            database = Database(kind, Path(folder))
            try:
                run(kind, database.new_url(), Path(folder))
            finally:
                database.drop_all()


if __name__ == "__main__":
    main()
