"""What features ask the worker to do: periodic jobs, every so long; and pumps, drained on
every pass (the SMS outbox is one).

A job is `run(session, now)`; it flushes or commits its own work and returns a count (or
None). However many workers run, each job runs once per period: a worker runs it only after
moving the job's `next_run_at` forward in a committed update that no other worker matched.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.db import insert_ignoring_conflicts
from portal.jobs.models import JobRun

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    run: Callable[[Session, datetime], Any]


def register(app: Flask, name: str, every: timedelta, run: Callable[[Session, datetime], Any]):
    """Ask the worker to run `run` every `every`."""
    app.extensions.setdefault("portal.jobs", {})[name] = PeriodicJob(name, every, run)


def registered(app: Flask) -> list[PeriodicJob]:
    return list(app.extensions.get("portal.jobs", {}).values())


@dataclass(frozen=True)
class Pump:
    """Work the worker drains on every pass, batch after batch, until a batch finds nothing.

    `drain(session, worker=..., clock=..., rng=..., keep_going=...)` does one batch and returns
    how many items ended in each state (empty when there was nothing to do).
    """

    name: str
    drain: Callable[..., Counter[str]]


def register_pump(app: Flask, pump: Pump) -> None:
    """Ask the worker to drain `pump` on every pass."""
    app.extensions.setdefault("portal.pumps", {})[pump.name] = pump


def pumps(app: Flask) -> list[Pump]:
    return list(app.extensions.get("portal.pumps", {}).values())


HEARTBEAT = "jobs.heartbeat"
HEARTBEAT_EVERY = timedelta(seconds=30)


def last_seen(session: Session) -> datetime | None:
    """When a worker last started a job: the heartbeat job makes this at most 30 s old while
    any worker runs."""
    return session.scalar(select(func.max(JobRun.last_started_at)))


def schedule(session: Session, jobs: list[PeriodicJob], now: datetime) -> None:
    """Make sure every job has its row; a new one is due at once."""
    for job in jobs:
        insert_ignoring_conflicts(
            session, JobRun, {"name": job.name, "next_run_at": now}, unique=["name"]
        )
    session.commit()


def run_due(
    session: Session, jobs: list[PeriodicJob], clock: Callable[[], datetime]
) -> dict[str, Any]:
    """Run each job whose time has come and that no other worker took; return their results.

    A job that fails is logged and tried again at its next period, not at once: a failure
    that repeats every second would bury the log.
    """
    results: dict[str, Any] = {}
    for job in jobs:
        now = clock()
        taken = session.execute(
            update(JobRun)
            .where(JobRun.name == job.name, JobRun.next_run_at <= now)
            .values(next_run_at=now + job.every, last_started_at=now)
        ).rowcount
        session.commit()
        if taken != 1:
            continue
        error = None
        try:
            results[job.name] = job.run(session, now)
            session.commit()
        except Exception as failure:
            session.rollback()
            log.exception("Periodic job %s failed.", job.name)
            error = type(failure).__name__
        session.execute(
            update(JobRun)
            .where(JobRun.name == job.name)
            .values(last_finished_at=clock(), last_error=error)
        )
        session.commit()
    return results
