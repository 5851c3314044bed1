"""Rendered door pages kept for a minute, per code and language.

A door page is the same for every visitor who is not signed in, and changes when an
administrator edits the building, which is rare; rendering it for each scan would spend most
of the request on Jinja. An edit shows on the door within PAGE_CACHE_SECONDS.
"""

from __future__ import annotations

import threading
import time


class PageCache:
    def __init__(self, seconds: float, size: int = 20_000) -> None:
        self.seconds = seconds
        self.size = size
        self._pages: dict[tuple[str, str], tuple[float, int, str]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> tuple[int, str] | None:
        """(building id, page) if a fresh copy is kept."""
        entry = self._pages.get(key)
        if entry is None or time.monotonic() - entry[0] > self.seconds:
            return None
        return entry[1], entry[2]

    def put(self, key: tuple[str, str], building_id: int, page: str) -> None:
        with self._lock:
            if len(self._pages) >= self.size:
                self._pages.clear()  # Rare: a district has tens of thousands of doors.
            self._pages[key] = (time.monotonic(), building_id, page)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
