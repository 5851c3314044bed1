"""Meetings: 书记在线 (secretary online) and legal service days (遇8有约), on one booking engine.

slots.py turns a host's rules into free times (pure logic); booking.py books, moves, cancels
and marks meetings under the database's guarantees; promise.py counts the 10- and 30-minute
clocks of 书记在线 in a community's online hours, and secretary.py keeps them; models.py holds
the rows.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

SETTINGS = "portal.meetings.settings"


def init_app(app: Flask) -> None:
    from portal.jobs.registry import register
    from portal.meetings import messages
    from portal.meetings.secretary import MeetingSettings, sweep

    messages.register()
    settings = app.extensions[SETTINGS] = MeetingSettings.from_config(app.config)
    # Every 30 seconds, so that a promise broken is passed on within a minute.
    register(
        app,
        "meetings.sweep",
        timedelta(seconds=30),
        lambda session, now: sweep(session, settings, now),
    )
