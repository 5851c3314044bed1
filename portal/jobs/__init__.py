"""The background worker: delivers the SMS outbox and runs the periodic jobs features register."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.jobs.cli import worker_command
    from portal.jobs.registry import HEARTBEAT, HEARTBEAT_EVERY, register

    app.cli.add_command(worker_command)
    # Does nothing: that it ran tells the outbox page that a worker is alive.
    register(app, HEARTBEAT, HEARTBEAT_EVERY, lambda session, now: None)
