"""What features ask the worker to do, and how it does it: a periodic job runs once per period
however many workers look, however often, even at the same instant; a failing one is logged,
noted and waits for its next period; a pump is drained batch after batch until one comes back
empty.

The races run on a database of their own (`fresh_app`), with sessions that really commit, on
SQLite and on PostgreSQL.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from flask import Flask
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from portal.db import db
from portal.jobs.models import JobRun
from portal.jobs.registry import (
    PeriodicJob,
    Pump,
    pumps,
    register,
    register_pump,
    registered,
    run_due,
    schedule,
)
from portal.jobs.worker import Worker

MINUTE = timedelta(minutes=1)
WAIT = 10  # seconds a thread may wait for another before the test gives up


def test_a_registered_job_runs_once_per_period_however_often_run_due_is_called(session, now):
    app = Flask(__name__)
    runs = []
    register(app, "test.tick", 10 * MINUTE, lambda s, at: runs.append(at) or len(runs))
    jobs = registered(app)
    assert [job.name for job in jobs] == ["test.tick"]
    schedule(session, jobs, now)
    results = [
        run_due(session, jobs, lambda s=seconds: now + timedelta(seconds=s))
        for seconds in range(0, 30 * 60, 17)  # every 17 s for half an hour
    ]
    # Due at once, then once every ten minutes: at 0:00, at 10:12 (the first look from 10:00
    # on), at 20:24 (a period counts from when the job ran).
    assert runs == [now, now + timedelta(seconds=612), now + timedelta(seconds=1224)]
    assert [result for result in results if result] == [
        {"test.tick": 1},
        {"test.tick": 2},
        {"test.tick": 3},
    ]
    run = session.get(JobRun, "test.tick")
    assert run.last_started_at == runs[-1] and run.next_run_at == runs[-1] + 10 * MINUTE
    assert run.last_error is None


def test_scheduling_again_keeps_a_jobs_next_run(session, now):
    job = PeriodicJob("test.keep", timedelta(hours=1), lambda s, at: None)
    schedule(session, [job], now)
    run_due(session, [job], lambda: now)
    schedule(session, [job], now + timedelta(minutes=5))
    assert session.get(JobRun, "test.keep").next_run_at == now + timedelta(hours=1)


def test_a_failing_job_is_logged_undone_and_tried_at_its_next_period(session, now, caplog):
    attempts = []

    def flaky(s, at):
        attempts.append(at)
        if len(attempts) == 1:
            s.add(JobRun(name="half-done", next_run_at=at))
            s.flush()
            raise RuntimeError("disk full")
        return "recovered"

    job = PeriodicJob("test.flaky", 5 * MINUTE, flaky)
    schedule(session, [job], now)
    with caplog.at_level(logging.ERROR, logger="portal.jobs.registry"):
        assert run_due(session, [job], lambda: now) == {}
    (record,) = [r for r in caplog.records if r.name == "portal.jobs.registry"]
    assert record.getMessage() == "Periodic job test.flaky failed."
    assert record.exc_info[0] is RuntimeError  # the traceback is in the log
    run = session.get(JobRun, "test.flaky")
    assert run.last_error == "RuntimeError" and run.last_finished_at == now
    assert run.next_run_at == now + 5 * MINUTE
    # What it did before failing is undone.
    assert session.scalar(select(JobRun).where(JobRun.name == "half-done")) is None
    # Not tried again at once, nor at any look before its next period...
    for seconds in (0, 1, 60, 299):
        assert run_due(session, [job], lambda s=seconds: now + timedelta(seconds=s)) == {}
    assert attempts == [now]
    # ...but at it; and once it works, the error is cleared.
    later = now + 5 * MINUTE
    assert run_due(session, [job], lambda: later) == {"test.flaky": "recovered"}
    assert attempts == [now, later]
    session.expire_all()
    run = session.get(JobRun, "test.flaky")
    assert run.last_error is None and run.last_finished_at == later


def test_a_failing_job_does_not_keep_the_others_from_running(session, now):
    def broken(s, at):
        raise ValueError("bad data")

    jobs = [
        PeriodicJob("test.first", MINUTE, broken),
        PeriodicJob("test.second", MINUTE, lambda s, at: "done"),
    ]
    schedule(session, jobs, now)
    assert run_due(session, jobs, lambda: now) == {"test.second": "done"}
    assert session.get(JobRun, "test.first").last_error == "ValueError"
    assert session.get(JobRun, "test.second").last_error is None


def test_two_sessions_claiming_at_once_run_the_job_once(fresh_app, now):
    """One worker has moved the job on but not committed yet when a second looks: the second's
    conditional UPDATE waits for the first's commit, then matches no row."""
    app = fresh_app(migrate=True)
    engine = app.extensions["portal.db"].engine
    postgres = engine.dialect.name == "postgresql"
    ran_in = []
    job = PeriodicJob("test.once", MINUTE, lambda s, at: ran_in.append(s) or "ran")
    with Session(engine) as setup:
        schedule(setup, [job], now)

    second_result = {}
    second_pid = []

    def second_worker() -> None:
        with Session(engine) as second:
            if postgres:
                second_pid.append(second.scalar(text("SELECT pg_backend_pid()")))
            second_result.update(run_due(second, [job], lambda: now))

    other = threading.Thread(target=second_worker)
    with Session(engine) as first:

        @event.listens_for(first, "before_commit", once=True)
        def _let_the_second_look(_session) -> None:
            # The first's claim is made, its row (PostgreSQL) or the database (SQLite) locked.
            other.start()
            wait_until_blocked(engine, second_pid) if postgres else time.sleep(0.5)

        assert run_due(first, [job], lambda: now) == {"test.once": "ran"}
        other.join(WAIT)
        assert not other.is_alive()
        assert second_result == {}
        assert ran_in == [first]


def wait_until_blocked(engine, pid: list[int]) -> None:
    """Until the second session's backend waits for a lock the first holds."""
    deadline = time.monotonic() + WAIT
    with engine.connect() as watcher:
        while time.monotonic() < deadline:
            if pid and watcher.scalar(
                text("SELECT count(*) FROM pg_locks WHERE pid = :pid AND NOT granted"),
                {"pid": pid[0]},
            ):
                return
            watcher.rollback()
            time.sleep(0.01)
    raise AssertionError("the second session never waited for the first's claim")


def test_workers_racing_for_a_due_job_run_it_once_per_period(fresh_app, now):
    app = fresh_app(migrate=True)
    runs = []
    job = PeriodicJob("test.race", MINUTE, lambda s, at: runs.append(at) or "ran")
    with app.app_context():
        schedule(db.session, [job], now)
    workers, periods = 4, 5
    for period in range(periods):
        at = now + period * MINUTE
        start = threading.Barrier(workers)

        def look(at=at, start=start) -> dict:
            start.wait(WAIT)  # all claim at the same instant
            with app.app_context():
                return run_due(db.session, [job], lambda: at)

        with ThreadPoolExecutor(workers) as pool:
            results = [
                future.result(WAIT) for future in [pool.submit(look) for _ in range(workers)]
            ]
        assert sorted(results, key=len) == [{}] * (workers - 1) + [{"test.race": "ran"}]
    assert runs == [now + period * MINUTE for period in range(periods)]


def test_the_portal_registers_its_housekeeping_and_the_outbox(app):
    names = {job.name for job in registered(app)}
    assert {"accounts.purge_phone_codes", "notifications.purge_old_messages"} <= names
    assert "notifications.deliver" in {pump.name for pump in pumps(app)}


# Pumps


class Batches:
    """A pump's drain that hands out the given batches, then empty ones; it notes its calls."""

    def __init__(self, *batches: Counter) -> None:
        self.batches = list(batches)
        self.calls: list[dict] = []

    def __call__(self, session, **how) -> Counter:
        self.calls.append({"session": session, **how})
        return self.batches.pop(0) if self.batches else Counter()


def test_a_registered_pump_is_drained_until_a_batch_comes_back_empty(fresh_app, now):
    app = fresh_app(migrate=True)
    drain = Batches(Counter(sent=2), Counter(sent=1, retry=1), Counter(failed=1))
    register_pump(app, Pump("test.pump", drain))
    worker = Worker(app, name="test-worker", clock=lambda: now)

    tally, _jobs = worker.run_once()
    assert tally == Counter(sent=3, retry=1, failed=1)
    assert len(drain.calls) == 4  # three batches, then the empty one that ends the pass
    call = drain.calls[0]
    assert call["worker"] == "test-worker" and call["clock"]() == now
    assert call["rng"] is worker.rng and call["keep_going"]()
    # The next pass drains it again: one empty batch, nothing to count.
    assert worker.run_once()[0] == Counter()
    assert len(drain.calls) == 5


def test_a_worker_told_to_stop_drains_no_further_batch(fresh_app, now):
    app = fresh_app(migrate=True)
    worker = None

    def drain(session, **how) -> Counter:
        worker.stop()  # SIGTERM arrives during the first batch
        return Counter(sent=1)

    register_pump(app, Pump("test.pump", drain))
    worker = Worker(app, clock=lambda: now)
    assert worker.run_once()[0] == Counter(sent=1)


def test_registering_a_pump_again_by_its_name_replaces_it():
    app = Flask(__name__)
    first, second = Pump("test.pump", Batches()), Pump("test.pump", Batches())
    register_pump(app, first)
    register_pump(app, second)
    assert pumps(app) == [second]
