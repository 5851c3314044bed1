"""SQLite writers take turns on a lock file: the next one starts as soon as the last is done,
a crash frees the turn, and a thread never waits on itself."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import sqlite3
import threading
import time

import pytest
from sqlalchemy import text

from portal.db import make_engine
from portal.sqlite_writers import TurnTakingConnection

_opened: list[sqlite3.Connection] = []


def connect(path, timeout: float = 15) -> TurnTakingConnection:
    connection = sqlite3.connect(
        path, timeout=timeout, factory=TurnTakingConnection, check_same_thread=False
    )
    _opened.append(connection)
    connection.isolation_level = None
    connection.execute("PRAGMA journal_mode = WAL")
    return connection


def rows(path) -> list[int]:
    reader = connect(path)
    found = sorted(n for (n,) in reader.execute("SELECT n FROM reports"))
    reader.close()
    return found


@pytest.fixture
def sqlite_file(tmp_path):
    path = tmp_path / "portal.db"
    setup = connect(path)
    setup.execute("CREATE TABLE reports (n INTEGER)")
    setup.close()
    yield path
    while _opened:
        _opened.pop().close()


def turn_is_free(path) -> bool:
    with open(f"{path}-writers", "ab") as probe:
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(probe, fcntl.LOCK_UN)
        return True


def write_in_thread(path, began: threading.Event) -> threading.Thread:
    def write() -> None:
        connection = connect(path)
        connection.begin_writing()
        began.set()
        connection.execute("INSERT INTO reports VALUES (2)")
        connection.commit()
        connection.close()

    thread = threading.Thread(target=write)
    thread.start()
    return thread


@pytest.mark.parametrize("end", ["commit", "rollback", "close"])
def test_the_next_writer_starts_when_the_last_one_ends(sqlite_file, end):
    first = connect(sqlite_file)
    first.begin_writing()
    first.execute("INSERT INTO reports VALUES (1)")
    began = threading.Event()
    second = write_in_thread(sqlite_file, began)
    # The second waits on the file, not in SQLite, until the first is done.
    assert not began.wait(0.3)
    getattr(first, end)()
    assert began.wait(5)
    second.join(5)
    assert turn_is_free(sqlite_file)
    assert rows(sqlite_file) == ([1, 2] if end == "commit" else [2])


def test_a_failed_begin_gives_the_turn_back(sqlite_file):
    """Another program (not taking turns) holds the write lock past the busy timeout."""
    other = sqlite3.connect(sqlite_file, isolation_level=None)
    _opened.append(other)
    other.execute("BEGIN IMMEDIATE")
    writer = connect(sqlite_file, timeout=0.05)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        writer.begin_writing()
    assert turn_is_free(sqlite_file)
    other.rollback()
    writer.begin_writing()
    writer.commit()


def test_a_second_connection_of_the_same_thread_does_not_wait_for_itself(sqlite_file):
    first = connect(sqlite_file)
    first.begin_writing()
    second = connect(sqlite_file, timeout=0.05)
    # SQLite's busy timeout answers, as it would without turns; waiting on the file would
    # never end.
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        second.begin_writing()
    assert not turn_is_free(sqlite_file)  # still the first connection's
    first.commit()
    assert turn_is_free(sqlite_file)
    second.begin_writing()
    second.commit()


def _take_the_turn_and_die(path) -> None:
    connection = connect(path)
    connection.begin_writing()
    connection.execute("INSERT INTO reports VALUES (9)")
    os._exit(1)  # A worker killed mid-write: no commit, no rollback, no close.


def test_a_writer_that_dies_frees_the_turn(sqlite_file):
    process = multiprocessing.get_context("fork").Process(
        target=_take_the_turn_and_die, args=(sqlite_file,)
    )
    process.start()
    process.join(10)
    assert process.exitcode == 1
    started = time.monotonic()
    writer = connect(sqlite_file)
    writer.begin_writing()
    writer.commit()
    assert time.monotonic() - started < 1
    assert rows(sqlite_file) == []


def test_the_portals_engine_writes_in_turns_and_reads_without_them(tmp_path):
    path = tmp_path / "portal.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        assert isinstance(connection.connection.driver_connection, TurnTakingConnection)
        connection.execute(text("CREATE TABLE reports (n INTEGER)"))
        assert not turn_is_free(path)
    assert turn_is_free(path)
    engine.dispose()


def test_a_database_in_memory_needs_no_turns():
    engine = make_engine("sqlite://")
    with engine.connect() as connection:
        assert not isinstance(connection.connection.driver_connection, TurnTakingConnection)
    engine.dispose()
