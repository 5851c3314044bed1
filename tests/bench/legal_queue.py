"""Benchmark: the legal advisers' queue with a district's worth of consultations (issue 22).

Budget: an adviser's queue page (/legal/desk, their consultations waiting, soonest due first,
paged) answers in p95 ≤ 50 ms, with CONSULTATIONS (BENCH_CONSULTATIONS, 200,000) consultations
over the district's ADVISERS advisers. Printed too, for information: the answered ones still
open, a later page of the queue, and a legal supervisor's district overview. On SQLite and,
when it answers at PORTAL_TEST_DATABASE_URL, PostgreSQL (BENCH_DATABASES=postgres for one).

The district: STREETS streets of COMMUNITIES_PER_STREET communities, each with its own
advisers; residents' consultations spread over three years, most closed (rated, lapsed or
unconfirmed), a tenth waiting and a twentieth answered and open, each given to an adviser of
its community. The queue reads no thread, so the entries are not written. Written in bulk,
then (on PostgreSQL) vacuumed and analysed.

Run with `make bench` (or `python -m tests.bench.legal_queue`).
"""

from __future__ import annotations

import os
import random
import secrets
import time
from datetime import timedelta

from sqlalchemy import func, select

from portal.accounts.models import RoleGrant, User, new_session_token
from portal.appeals.tracking import ALPHABET
from portal.db import db, utcnow
from portal.legal.models import (
    Assignment,
    ClosedBecause,
    Consultation,
    ConsultationState,
    LegalTopic,
)
from portal.migrations import upgrade
from portal.permissions import SYSTEM, Role
from portal.places import services as places
from tests.bench.databases import on_each_database
from tests.bench.volunteering import _write, figure, settle, signed_in, timed
from tests.conftest import dispose, make_test_app

CONSULTATIONS = int(os.environ.get("BENCH_CONSULTATIONS", 200_000))
STREETS, COMMUNITIES_PER_STREET, ADVISERS_PER_COMMUNITY = 4, 5, 2
RESIDENTS = 20_000
QUEUE_BUDGET_MS = 50
WAITING, ANSWERED = 0.10, 0.05  # shares of the consultations


def build(session) -> tuple[list[int], int]:
    """The district, its advisers and supervisor, the residents and their consultations;
    the advisers' ids and the supervisor's."""
    now = utcnow()
    district = places.create_place(session, SYSTEM, None, code="L", name_zh="基准区",
                                   name_en="", now=now)  # fmt: skip
    communities = []
    for s in range(STREETS):
        street = places.create_place(session, SYSTEM, district, code=f"L{s}",
                                     name_zh=f"第{s}街道", name_en="", now=now)  # fmt: skip
        communities += [
            places.create_place(session, SYSTEM, street, code=f"L{s}-{c}",
                                name_zh=f"第{s}-{c}社区", name_en="", now=now)
            for c in range(COMMUNITIES_PER_STREET)
        ]  # fmt: skip
    staff = len(communities) * ADVISERS_PER_COMMUNITY
    _write(session, User, (
        {"phone": f"136{n:08d}", "display_name": f"律师{n}", "session_token": new_session_token(),
         "created_at": now}
        for n in range(staff + 1)
    ))  # fmt: skip
    staff_ids = list(
        session.scalars(select(User.id).where(User.phone.like("136%")).order_by(User.id))
    )
    advisers, supervisor = staff_ids[:staff], staff_ids[staff]
    community_of = {
        adviser: communities[n // ADVISERS_PER_COMMUNITY] for n, adviser in enumerate(advisers)
    }
    _write(session, RoleGrant, [
        *({"user_id": adviser, "role": Role.LEGAL_ADVISER, "place_id": place.id,
           "granted_at": now} for adviser, place in community_of.items()),
        {"user_id": supervisor, "role": Role.LEGAL_SUPERVISOR, "place_id": district.id,
         "granted_at": now},
    ])  # fmt: skip
    _write(session, User, (
        {"phone": f"135{n:08d}", "display_name": f"居民{n}", "created_at": now}
        for n in range(RESIDENTS)
    ))  # fmt: skip
    residents = list(
        session.scalars(select(User.id).where(User.phone.like("135%")).order_by(User.id))
    )
    topics = list(session.scalars(select(LegalTopic.id)))
    rng = random.Random(22)
    references = set()
    while len(references) < CONSULTATIONS:
        references.add("L" + "".join(secrets.choice(ALPHABET) for _ in range(7)))

    def rows():
        for n, reference in enumerate(references):
            adviser = advisers[n % len(advisers)]
            share = rng.random()
            asked = now - timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
            row = {
                "reference": reference, "user_id": rng.choice(residents),
                "community_id": community_of[adviser].id, "topic_id": rng.choice(topics),
                "locale": "zh_Hans_CN", "other_party": "", "consented_at": asked,
                "is_minor": False, "created_at": asked, "asked_at": asked,
                "adviser_id": adviser, "cleared_at": asked, "follow_ups": 0,
                "rating_comment": "",
            }  # fmt: skip
            if share < WAITING:
                # Waiting ones were asked lately: some overdue, most due within days.
                asked = now - timedelta(minutes=rng.randrange(5 * 24 * 60))
                due = asked + timedelta(days=2)
                row |= {"state": ConsultationState.WAITING, "asked_at": asked,
                        "due_at": due, "sweep_at": due - timedelta(days=1),
                        "cleared_at": None if rng.random() < 0.3 else asked}  # fmt: skip
            elif share < WAITING + ANSWERED:
                answered = now - timedelta(minutes=rng.randrange(7 * 24 * 60))
                row |= {"state": ConsultationState.ANSWERED, "last_answer_at": answered,
                        "sweep_at": answered + timedelta(days=7)}  # fmt: skip
            else:
                row |= {"state": ConsultationState.CLOSED, "last_answer_at": asked,
                        "closed_at": asked + timedelta(days=3),
                        "closed_because": rng.choice(list(ClosedBecause))}  # fmt: skip
            yield row

    _write(session, Consultation, rows())
    _write(session, Assignment, (
        {"consultation_id": cid, "adviser_id": adviser, "pool_id": community_id,
         "assigned_at": asked or now}
        for cid, adviser, community_id, asked in session.execute(
            select(Consultation.id, Consultation.adviser_id, Consultation.community_id,
                   Consultation.asked_at))
    ))  # fmt: skip
    return advisers, supervisor


def run(name: str, url: str) -> None:
    app = make_test_app(url)
    with app.app_context(), db.engine.begin() as connection:
        upgrade(connection)
    with app.app_context():
        started = time.perf_counter()
        advisers, supervisor = build(db.session)
        db.session.commit()
        built = time.perf_counter() - started
        if db.session.bind.dialect.name == "postgresql":
            settle(db.engine)
        waiting = db.session.scalar(
            select(func.count())
            .select_from(Consultation)
            .where(Consultation.adviser_id == advisers[0], Consultation.state == "waiting")
        )
        db.session.rollback()
    print(f"{name}: {CONSULTATIONS:,} consultations over {len(advisers)} advisers "
          f"({waiting} waiting on the first), built in {built:.0f} s")  # fmt: skip
    browsers = [signed_in(app, adviser) for adviser in advisers[:10]]
    print(figure("an adviser's queue /legal/desk (10 advisers in turn)",
                 timed(browsers, "/legal/desk"), QUEUE_BUDGET_MS))  # fmt: skip
    print(figure("answered, still open /legal/desk?show=answered",
                 timed(browsers, "/legal/desk?show=answered"), QUEUE_BUDGET_MS))  # fmt: skip
    print(figure("a later page of the queue /legal/desk?page=3",
                 timed(browsers, "/legal/desk?page=3"), QUEUE_BUDGET_MS))  # fmt: skip
    overview = [signed_in(app, supervisor)]
    print(figure("the supervisor's district overview /legal/desk (for information)",
                 timed(overview, "/legal/desk", requests=50), QUEUE_BUDGET_MS))  # fmt: skip
    print(f"  (the machine's load average meanwhile: {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores)")  # fmt: skip
    dispose(app)


def main() -> None:
    on_each_database(run)


if __name__ == "__main__":
    main()
