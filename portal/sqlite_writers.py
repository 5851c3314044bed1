"""SQLite connections whose writers wait their turn in the kernel, not in SQLite's sleeps.

A writer that finds the database locked is made to wait by SQLite's busy handler, which
polls: it sleeps 1, 2, 5, 10 … ms between tries, while the writer before it is done in well
under a millisecond. With reports arriving steadily, two workers on two cores spent an eighth
of their time asleep that way (measured: 673 against 751 sends per second). Here each write
transaction (BEGIN IMMEDIATE) first takes an exclusive lock on a file beside the database;
the kernel wakes the next writer the moment the lock is free. The kernel also frees it when
a process dies, so a crash cannot leave the database locked.

SQLite's own lock and busy timeout still apply to everything else: a read transaction that
goes on to write, another program on the same file.
"""

from __future__ import annotations

import fcntl
import sqlite3
import threading
from typing import Any

# The databases whose turn this thread holds. A second connection of the same thread waiting
# on the file would wait for itself forever; it falls back to SQLite's busy timeout instead.
_held = threading.local()


class TurnTakingConnection(sqlite3.Connection):
    """A pysqlite connection (`sqlite3.connect(..., factory=TurnTakingConnection)`) whose
    write transactions, begun with `begin_writing`, run one at a time across processes."""

    def __init__(self, database: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self._turn_path = f"{database}-writers"
        self._turn_file = open(self._turn_path, "ab")  # noqa: SIM115 (closed with the connection)
        # The set of held databases of the thread that took the turn (None: no turn held).
        self._held_in: set[str] | None = None

    def begin_writing(self) -> None:
        """BEGIN IMMEDIATE, once it is this connection's turn."""
        held = _held.__dict__.setdefault("databases", set())
        if self._turn_path not in held:
            fcntl.flock(self._turn_file, fcntl.LOCK_EX)
            held.add(self._turn_path)
            self._held_in = held
        try:
            self.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._end_turn()
            raise

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._end_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._end_turn()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._end_turn()
            self._turn_file.close()

    def _end_turn(self) -> None:
        # Ended from whichever thread: the pool may close a connection elsewhere.
        if self._held_in is not None:
            self._held_in.discard(self._turn_path)
            self._held_in = None
            fcntl.flock(self._turn_file, fcntl.LOCK_UN)
