"""What a door shows, kept for a minute: its rendered page per language, and its facts.

A door page is the same for every visitor who is not signed in, and changes when an
administrator edits the building, which is rare; rendering it for each scan would spend most
of the request on Jinja. The report's screens each show the door's facts too: a resident
goes through five of them in a few minutes, and reading the facts once for all five spares
the database a query of five tables on every screen.

An edit shows within PAGE_CACHE_SECONDS (retiring a building at once, in the process that
did it). A report sent meanwhile about a building just retired is refused when it is
written, whatever the kept facts say.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class RecentCopies(Generic[Value]):
    def __init__(self, seconds: float, size: int = 20_000) -> None:
        self.seconds = seconds
        self.size = size
        self._kept: dict[Hashable, tuple[float, Value]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Value | None:
        """The value put under `key` if it is fresh."""
        entry = self._kept.get(key)
        if entry is None or time.monotonic() - entry[0] > self.seconds:
            return None
        return entry[1]

    def put(self, key: Hashable, value: Value) -> None:
        with self._lock:
            if len(self._kept) >= self.size:
                self._kept.clear()  # Rare: a district has tens of thousands of doors.
            self._kept[key] = (time.monotonic(), value)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
