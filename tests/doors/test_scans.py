"""Scan counts written by several processes at once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.doors.models import BuildingScan
from portal.doors.scans import write_scans
from tests import factories
from tests.conftest import migrated_engine

BUILDINGS = 200
ROUNDS = 40


@pytest.mark.postgres
def test_two_processes_adding_the_same_buildings_in_opposite_orders_never_deadlock(database):
    """As when two workers stop at once and each writes what it counted, in its own order."""
    engine = migrated_engine(database.new_url())
    with Session(engine) as session:
        tree = factories.tree(session)
        ids = [factories.building(session, tree.grid, f"楼{n}").id for n in range(BUILDINGS)]
        session.commit()
    day = date(2026, 12, 3)
    failures: list[BaseException] = []
    start = threading.Barrier(2)

    def write(order: list[int]) -> None:
        try:
            start.wait()
            for _ in range(ROUNDS):
                with Session(engine) as session, session.begin():
                    write_scans(session, Counter({(building, day): 1 for building in order}))
        except BaseException as failure:
            failures.append(failure)

    threads = [threading.Thread(target=write, args=(order,)) for order in (ids, ids[::-1])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with Session(engine) as session:
        total = session.scalar(select(func.sum(BuildingScan.count)))
    assert total == 2 * ROUNDS * BUILDINGS
    engine.dispose()
