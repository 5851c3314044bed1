"""The worker loop: deliver due SMS messages and run due periodic jobs, until told to stop.

`Worker.run_once` does what is due now and returns (for cron and tests); `run_forever` does
it again every WORKER_POLL_SECONDS. On SIGTERM or Ctrl-C it stops sending, puts the rest of
its batch back in the queue, records what it sent, and exits: within one gateway timeout.
Each pass runs in an app context of its own, so every pass starts with a fresh session.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import socket
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime

from flask import Flask

from portal.db import db, utcnow
from portal.jobs.registry import pumps, registered, run_due, schedule

log = logging.getLogger(__name__)
# After an error (the database went away, say), wait this long before the next pass.
PAUSE_AFTER_ERROR_SECONDS = 5.0


def worker_name() -> str:
    """Host and process: which worker claimed a message, for whoever looks at the outbox."""
    return f"{socket.gethostname()}:{os.getpid()}"[-64:]


class Worker:
    def __init__(
        self,
        app: Flask,
        *,
        name: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
    ) -> None:
        self.app = app
        self.name = name or worker_name()
        self.clock = clock
        self.rng = rng or random.Random()  # noqa: S311 (jitter, not a secret)
        self.jobs = registered(app)
        self.pumps = pumps(app)
        self.poll_seconds = float(app.config["WORKER_POLL_SECONDS"])
        if self.poll_seconds <= 0:
            raise RuntimeError("WORKER_POLL_SECONDS must be more than 0.")
        # A plain flag, set by the signal handler: taking a lock there could deadlock.
        self.stop_requested = False

    def stop(self, *_signal: object) -> None:
        self.stop_requested = True

    def keep_going(self) -> bool:
        return not self.stop_requested

    def run_once(self) -> tuple[Counter[str], dict]:
        """Run the jobs that are due and drain every pump (deliver every message due now).

        Returns how many messages ended in each state, and what each job that ran returned.
        """
        with self.app.app_context():
            schedule(db.session, self.jobs, self.clock())
        return self._pass()

    def run_forever(self) -> None:
        for signal_number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signal_number, self.stop)
        log.info("Worker %s started; it looks for work every %s s.", self.name, self.poll_seconds)
        scheduled = False
        while self.keep_going():
            pause = self.poll_seconds
            try:
                if not scheduled:
                    with self.app.app_context():
                        schedule(db.session, self.jobs, self.clock())
                    scheduled = True
                tally, _jobs = self._pass()
                if tally:
                    log.info("Worker %s: %s", self.name, dict(tally))
            except Exception:
                log.exception("Worker %s: a pass failed; trying again shortly.", self.name)
                pause = PAUSE_AFTER_ERROR_SECONDS
            self._sleep(pause)
        log.info("Worker %s stopped.", self.name)

    def _sleep(self, seconds: float) -> None:
        until = time.monotonic() + seconds
        while self.keep_going() and time.monotonic() < until:
            time.sleep(min(0.1, seconds))

    def _pass(self) -> tuple[Counter[str], dict]:
        with self.app.app_context():
            session = db.session
            jobs = run_due(session, self.jobs, self.clock)
            total: Counter[str] = Counter()
            for pump in self.pumps:
                while self.keep_going():
                    tally = pump.drain(
                        session,
                        worker=self.name,
                        clock=self.clock,
                        rng=self.rng,
                        keep_going=self.keep_going,
                    )
                    if not tally:
                        break
                    total += tally
        return total, jobs
