"""Benchmark: the staff queue over a district's year of appeals, and the report form.

Budget (issue 5): with 57,000 buildings and 1,000,000 appeals spread over a year, a staff
queue's first page and a filtered page answer in p95 ≤ 50 ms; the report form's GET and its
submit POST reach at least 20% and 10% of a bare Flask hello-world's rate, measured the same
way in the same run (the Flask test client in one process, so the web server is left out).

Run with `make bench` (or `python -m tests.bench.appeals`); PostgreSQL is used too when it
is reachable at PORTAL_TEST_DATABASE_URL.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select

from portal.accounts.models import Role, RoleGrant, User
from portal.accounts.passwords import hash_password
from portal.appeals.catalogue import seed_catalogue
from portal.appeals.models import Appeal, AppealState, CatalogueItem
from portal.appeals.tracking import ALPHABET
from portal.db import db, utcnow
from portal.migrations import upgrade
from portal.places.models import Building, Place, PlaceKind
from tests.bench import district
from tests.bench.hello import app as hello_app
from tests.conftest import Database, make_test_app
from tests.postgres_available import postgres_available

APPEALS = int(os.environ.get("BENCH_APPEALS", 1_000_000))
OPEN_SHARE = 0.02  # appeals still being handled at any moment
REQUESTS = 200
PASSWORD = "benchmark passphrase"


def tracking(number: int) -> str:
    tail = ""
    for _ in range(5):
        number, digit = divmod(number, len(ALPHABET))
        tail += ALPHABET[digit]
    return f"B{number:04d}-{tail}"


def seed_appeals(app) -> tuple[float, str]:
    """A year of appeals, written in bulk; returns the seconds taken and a secretary's phone."""
    started = time.perf_counter()
    now = utcnow()
    rng = random.Random(5)
    with app.app_context():
        session = db.session
        seed_catalogue(session)
        items = list(session.execute(select(CatalogueItem.id, CatalogueItem.default_level)))
        places = {p.id: p for p in session.scalars(select(Place))}
        buildings = list(session.execute(select(Building.id, Building.grid_id)))
        # The secretary of the first community works its queue.
        community = next(p for p in places.values() if p.kind == PlaceKind.COMMUNITY)
        secretary = User(phone="13900000001", display_name="基准书记",
                         password_hash=hash_password(PASSWORD), created_at=now)  # fmt: skip
        secretary.grants.append(RoleGrant(role=Role.SECRETARY, place=community, granted_at=now))
        session.add(secretary)
        session.commit()
        rows = []
        for number in range(APPEALS):
            building_id, grid_id = rng.choice(buildings)
            item_id, level = rng.choice(items)
            grid = places[grid_id]
            queue = {1: grid.id, 2: grid.parent_id, 3: places[grid.parent_id].parent_id}[level]
            created = now - timedelta(seconds=rng.randrange(365 * 24 * 3600))
            is_open = rng.random() < OPEN_SHARE
            state = rng.choice([AppealState.RECEIVED, AppealState.ACCEPTED]) if is_open else (
                AppealState.REVIEWED if rng.random() < 0.8 else AppealState.CLOSED)  # fmt: skip
            due = created + timedelta(days=rng.choice([1, 7, 15])) if is_open else None
            rows.append({
                "tracking": tracking(number), "submission_key": f"bench-{number}",
                "building_id": building_id, "item_id": item_id, "description": "楼道堆放杂物",
                "location": "", "phone": f"137{number % 10**8:08d}", "name": "", "locale": "zh_Hans_CN",
                "urgent": False, "wants_meeting": False, "state": state, "is_open": is_open,
                "level": level, "queue_place_id": queue, "due_at": due, "sweep_at": due, "reopen_count": 0,
                "escalations": 0, "code_tries": 0, "created_at": created, "received_at": created,
                "accept_due_at": created + timedelta(minutes=10), "resolve_due_at": created + timedelta(days=7),
                "resolution_note": "", "review_comment": "", "needs_callback": False,
            })  # fmt: skip
            if len(rows) == 20_000:
                session.execute(insert(Appeal), rows)
                rows = []
        if rows:
            session.execute(insert(Appeal), rows)
        session.commit()
    return time.perf_counter() - started, secretary.phone


def timings(client, url: str) -> tuple[float, float]:
    """p50 and p95 of `url`, in milliseconds."""
    spent = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        spent.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    spent.sort()
    return statistics.median(spent), spent[int(len(spent) * 0.95) - 1]


def rate(make_request, count: int = REQUESTS) -> float:
    """Requests per second of `make_request` over `count` calls, after a warm-up."""
    for _ in range(10):
        make_request(-1)
    started = time.perf_counter()
    for number in range(count):
        make_request(number)
    return count / (time.perf_counter() - started)


def run(name: str, url: str) -> None:
    app = make_test_app(url, RATELIMIT_STORAGE_URL="memory://", WTF_CSRF_ENABLED=False)
    with app.app_context(), db.engine.begin() as connection:
        upgrade(connection)
    built = district.build(app)
    seeded, secretary = seed_appeals(app)
    print(f"{name}: district {built['places'] + built['import']:.0f} s, "
          f"{APPEALS:,} appeals {seeded:.0f} s")  # fmt: skip

    client = app.test_client()
    response = client.post("/staff/sign-in", data={"phone": secretary, "password": PASSWORD})
    assert response.status_code == 302
    first = timings(client, "/staff/appeals")
    filtered = timings(client, "/staff/appeals?level=2&overdue=1")
    print(
        f"  staff queue, first page:    p50 {first[0]:.1f} ms, p95 {first[1]:.1f} ms (budget p95 ≤ 50 ms)"
    )
    print(f"  staff queue, filtered page: p50 {filtered[0]:.1f} ms, p95 {filtered[1]:.1f} ms")  # fmt: skip

    with app.app_context():
        codes = list(db.session.scalars(select(Building.public_code).limit(1000)))
        item = db.session.scalar(
            select(CatalogueItem.id).where(CatalogueItem.code == "rubbish-in-corridor")
        )
    resident = app.test_client()
    hello = hello_app.test_client()
    hello_rate = rate(lambda n: hello.get("/"))
    form_rate = rate(lambda n: resident.get(f"/b/{codes[n % len(codes)]}/report"))

    def submit(number: int) -> None:
        answers = {
            "step": "check", "key": f"bench-post-{number}-{time.perf_counter_ns()}", "item": item,
            "description": "三楼楼道堆满纸箱，挡住了路", "phone": f"136{number % 10**8:08d}",
        }  # fmt: skip
        response = resident.post(
            f"/b/{codes[number % len(codes)]}/report", data=answers,
            environ_base={"REMOTE_ADDR": f"10.0.{number // 250 % 250}.{number % 250}"},
        )  # fmt: skip
        assert response.status_code == 302, response.status_code

    post_rate = rate(submit)
    print(f"  hello world (test client): {hello_rate:,.0f} requests/s")
    print(
        f"  report form GET:  {form_rate:,.0f}/s = {form_rate / hello_rate:.0%} of hello world (budget ≥ 20%)"
    )
    print(f"  report submit POST: {post_rate:,.0f}/s = {post_rate / hello_rate:.0%} of hello world (budget ≥ 10%)")  # fmt: skip
    app.extensions["portal.db"].engine.dispose()


def main() -> None:
    kinds = ["sqlite"] + (["postgres"] if postgres_available() else [])
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as folder:
        for kind in kinds:
            database = Database(kind, Path(folder))
            try:
                run(kind, database.new_url())
            finally:
                database.drop_all()


if __name__ == "__main__":
    main()
