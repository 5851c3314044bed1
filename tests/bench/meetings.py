"""Benchmark: meetings' free times (issue 19).

Budget: one host's free slots for 4 weeks answer in p95 ≤ 20 ms; printed besides, the free
slots of every host of a 300-community district at once. Timed in this process, through the
service the pages call (portal.meetings.booking: three queries and the slot generator), on
SQLite and, when it answers at PORTAL_TEST_DATABASE_URL, PostgreSQL.

The district: 10 streets of 30 communities; each community has a secretary and a deputy
receiving for 书记在线 (weekdays 09:00–11:30 and 14:00–17:00, 20-minute meetings, a 10-minute
buffer, at most 12 a day, 4 weeks ahead) and a legal adviser (the 8th, 18th and 28th,
09:00–11:30); about 40% of every host's times in the next 4 weeks are booked, and every host
has a day off in them.

Run with `make bench` (or `python -m tests.bench.meetings`).
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select

from portal.accounts.models import RoleGrant, User
from portal.db import db, utcnow
from portal.meetings import booking as engine
from portal.meetings import slots
from portal.meetings.models import Booking, Closure, MeetingKind, Schedule, Venue
from portal.migrations import upgrade
from portal.permissions import SYSTEM, Role
from portal.places import services as places
from tests.conftest import Database, dispose, make_test_app
from tests.postgres_available import postgres_available

STREETS, COMMUNITIES = 10, 30
WEEKS = 4
BOOKED_SHARE = 0.4
TIMED_HOSTS = 300
BUDGET_MS = 20
WEEKDAYS = {str(day): [["09:00", "11:30"], ["14:00", "17:00"]] for day in range(5)}
LEGAL_DAYS = [{"days": [8, 18, 28], "hours": [["09:00", "11:30"]]}]


def build(session) -> list[Schedule]:
    """The district, its hosts and their schedules; returns the schedules."""
    now = utcnow()
    district = places.create_place(
        session, SYSTEM, None, code="M", name_zh="基准区", name_en="", now=now
    )
    communities = []
    for s in range(STREETS):
        street = places.create_place(
            session, SYSTEM, district, code=f"M{s}", name_zh=f"第{s}街道", name_en="", now=now
        )
        for c in range(COMMUNITIES):
            communities.append(
                places.create_place(
                    session,
                    SYSTEM,
                    street,
                    code=f"M{s}-{c}",
                    name_zh=f"第{s}-{c}社区",
                    name_en="",
                    now=now,
                )
            )
    session.flush()
    roles = [(Role.SECRETARY, MeetingKind.SECRETARY), (Role.DEPUTY_SECRETARY, MeetingKind.SECRETARY),
             (Role.LEGAL_ADVISER, MeetingKind.LEGAL)]  # fmt: skip
    made = []
    number = 0
    for community in communities:
        for role, kind in roles:
            number += 1
            host = User(phone=f"139{number:08d}", display_name=f"主持{number}", created_at=now)
            host.grants.append(RoleGrant(role=role, place=community, granted_at=now))
            session.add(host)
            session.flush()
            made.append(
                Schedule(
                    host_id=host.id,
                    place_id=community.id,
                    kind=kind,
                    venue=Venue.CENTRE,
                    weekly=WEEKDAYS if kind is MeetingKind.SECRETARY else {},
                    month_days=LEGAL_DAYS if kind is MeetingKind.LEGAL else [],
                    slot_minutes=20,
                    buffer_minutes=10 if kind is MeetingKind.SECRETARY else 0,
                    daily_cap=12 if kind is MeetingKind.SECRETARY else None,
                    horizon_days=7 * WEEKS,
                )
            )
    session.add_all(made)
    session.flush()
    return made


def book_some(session, schedules: list[Schedule], now) -> int:
    """Book about BOOKED_SHARE of each host's free times, and give each host a day off."""
    rng = random.Random(19)
    rows, closures = [], []
    together = engine.free_times_of(session, schedules, now)
    for schedule in schedules:
        free = together[schedule.id]
        taken: list[slots.Slot] = []
        for slot in free:
            clear = all(slot.start >= t.end + timedelta(minutes=10) or slot.end
                        + timedelta(minutes=10) <= t.start for t in taken[-2:])  # fmt: skip
            if clear and rng.random() < BOOKED_SHARE:
                taken.append(slot)
        for slot in taken:
            rows.append({
                "reference": f"B{len(rows):07d}", "schedule_id": schedule.id,
                "host_id": schedule.host_id, "place_id": schedule.place_id, "kind": schedule.kind,
                "starts_at": slot.start, "ends_at": slot.end, "day": slots.local_date(slot.start),
                "venue": Venue.CENTRE, "state": "booked", "phone": f"137{len(rows):08d}",
                "name": "", "about": "", "locale": "zh_Hans_CN", "walk_in": False,
                "created_at": now, "cancel_reason": "", "outcome_note": "",
            })  # fmt: skip
        off = slots.local_date(now) + timedelta(days=rng.randrange(1, 7 * WEEKS))
        closures.append({"host_id": schedule.host_id, "first_day": off, "last_day": off,
                         "reason": "休假", "created_at": now})  # fmt: skip
    for first in range(0, len(rows), 5_000):
        session.execute(insert(Booking), rows[first : first + 5_000])
    session.execute(insert(Closure), closures)
    return len(rows)


def run(name: str, url: str) -> None:
    app = make_test_app(url)
    with app.app_context(), db.engine.begin() as connection:
        upgrade(connection)
    with app.app_context():
        started = time.perf_counter()
        schedules = build(db.session)
        now = utcnow()
        booked = book_some(db.session, schedules, now)
        db.session.commit()
        print(f"{name}: {STREETS * COMMUNITIES} communities, {len(schedules)} hosts, "
              f"{booked:,} bookings in the next {WEEKS} weeks, built in "
              f"{time.perf_counter() - started:.0f} s")  # fmt: skip
        ids = [s.id for s in schedules]
    rng = random.Random(5)
    spent, counts = [], []
    for schedule_id in rng.sample(ids, min(TIMED_HOSTS, len(ids))):
        with app.app_context():
            schedule = db.session.get(Schedule, schedule_id)
            begun = time.perf_counter()
            free = engine.free_times(db.session, schedule, utcnow())
            spent.append((time.perf_counter() - begun) * 1000)
            counts.append(len(free))
            db.session.rollback()
    p95 = statistics.quantiles(spent, n=20)[-1]
    print(f"  one host's free slots for {WEEKS} weeks ({len(spent)} hosts, "
          f"{statistics.mean(counts):.0f} free slots each on average): "
          f"p50 {statistics.median(spent):.1f} ms, p95 {p95:.1f} ms (budget p95 ≤ {BUDGET_MS} ms)")  # fmt: skip
    rounds = []
    for _ in range(5):
        with app.app_context():
            every = list(db.session.scalars(select(Schedule)))
            begun = time.perf_counter()
            together = engine.free_times_of(db.session, every, utcnow())
            rounds.append(time.perf_counter() - begun)
            total = sum(len(free) for free in together.values())
            db.session.rollback()
    print(f"  every host of the district at once ({len(every)} hosts, {total:,} free slots, "
          f"three queries): median {statistics.median(rounds) * 1000:.0f} ms of 5 runs, "
          f"{statistics.median(rounds) / len(every) * 1000:.2f} ms a host")  # fmt: skip
    dispose(app)


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
