"""Counting scans of door codes, per building and day, and nothing about who scanned.

A door page must be cheap to serve, so counts pile up in memory in each process and are
written in one upsert every SCAN_FLUSH_SECONDS (and when the process ends). A process killed
outright loses at most those few seconds of counts; counts are a measure of use, not a record.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import date, datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from portal.doors.models import BuildingScan
from portal.i18n import SHANGHAI


def today_in_shanghai(now: datetime) -> date:
    return now.astimezone(SHANGHAI).date()


class ScanCounter:
    """Scans counted in this process and not yet written."""

    def __init__(self) -> None:
        self._pending: Counter[tuple[int, date]] = Counter()
        self._lock = threading.Lock()
        self._last_written = time.monotonic()

    def count(self, building_id: int, day: date) -> None:
        with self._lock:
            self._pending[building_id, day] += 1

    def due(self, every_seconds: float | None) -> bool:
        return every_seconds is not None and time.monotonic() - self._last_written >= every_seconds

    def take(self) -> Counter[tuple[int, date]]:
        """The pending counts, which this counter then forgets."""
        with self._lock:
            taken, self._pending = self._pending, Counter()
            self._last_written = time.monotonic()
        return taken

    def put_back(self, counts: Counter[tuple[int, date]]) -> None:
        """Keep counts that could not be written, for the next try."""
        with self._lock:
            self._pending.update(counts)


def write_scans(session: Session, counts: Counter[tuple[int, date]]) -> None:
    """Add `counts` to the stored daily counts, in one statement."""
    if not counts:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # In the order of the rows' key: two processes writing at once (both stopping, say) then
    # lock the rows they share in the same order, and one waits instead of deadlocking.
    rows = sorted(counts.items())
    statement = insert(BuildingScan).values(
        [{"building_id": building, "day": day, "count": n} for (building, day), n in rows]
    )
    statement = statement.on_conflict_do_update(
        index_elements=["building_id", "day"],
        set_={"count": BuildingScan.count + statement.excluded["count"]},
    )
    session.execute(statement)
