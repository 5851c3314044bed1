"""Periodic jobs: each runs once per period, however many workers look, and a failure waits."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from portal.jobs.models import JobRun
from portal.jobs.registry import PeriodicJob, run_due, schedule


def test_a_job_runs_at_once_then_once_per_period_whichever_worker_looks(session, now):
    runs = []
    job = PeriodicJob("test.count", timedelta(minutes=1), lambda s, at: runs.append(at) or "ran")
    schedule(session, [job], now)
    assert run_due(session, [job], lambda: now) == {"test.count": "ran"}
    # A second worker, the same second, and again just before the period ends: nothing.
    assert run_due(session, [job], lambda: now) == {}
    assert run_due(session, [job], lambda: now + timedelta(seconds=59)) == {}
    assert run_due(session, [job], lambda: now + timedelta(seconds=60)) == {"test.count": "ran"}
    assert runs == [now, now + timedelta(seconds=60)]


def test_scheduling_again_keeps_a_jobs_next_run(session, now):
    job = PeriodicJob("test.keep", timedelta(hours=1), lambda s, at: None)
    schedule(session, [job], now)
    run_due(session, [job], lambda: now)
    schedule(session, [job], now + timedelta(minutes=5))
    assert session.get(JobRun, "test.keep").next_run_at == now + timedelta(hours=1)


def test_a_failing_job_is_logged_undone_and_tried_at_its_next_period(session, now, caplog):
    def broken(s, at):
        s.add(JobRun(name="half-done", next_run_at=at))
        s.flush()
        raise RuntimeError("disk full")

    job = PeriodicJob("test.broken", timedelta(minutes=5), broken)
    schedule(session, [job], now)
    with caplog.at_level(logging.ERROR):
        assert run_due(session, [job], lambda: now) == {}
    assert "Periodic job test.broken failed" in caplog.text
    run = session.get(JobRun, "test.broken")
    assert run.last_error == "RuntimeError" and run.next_run_at == now + timedelta(minutes=5)
    assert session.scalar(select(JobRun).where(JobRun.name == "half-done")) is None
    assert run_due(session, [job], lambda: now + timedelta(minutes=1)) == {}


def test_the_portal_registers_its_housekeeping(app):
    names = set(app.extensions["portal.jobs"])
    assert {"accounts.purge_sign_in_codes", "notifications.purge_old_messages"} <= names
