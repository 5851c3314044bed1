"""Meetings: 书记在线 (secretary online) and legal service days (遇8有约), on one booking engine.

slots.py turns a host's rules into free times (pure logic); booking.py books, moves, cancels
and marks meetings under the database's guarantees; promise.py counts the 10- and 30-minute
clocks of 书记在线 in a community's online hours, and secretary.py keeps them; reminders.py
texts residents before their meetings; feeds.py keeps hosts' calendar feeds; models.py holds
the rows.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask_babel import lazy_gettext as _l

SETTINGS = "portal.meetings.settings"


def init_app(app: Flask) -> None:
    from portal.features import Tile, add_tile
    from portal.jobs.registry import register

    # Imported for what they register as they load: kinds of SMS, and domain event handlers.
    from portal.meetings import from_appeals, messages, reminders  # noqa: F401
    from portal.meetings.secretary import MeetingSettings, sweep
    from portal.meetings.views import bp, feeds, legal, resident, schedules, staff  # noqa: F401
    from portal.permissions import Permission, holds_anywhere

    app.register_blueprint(bp)
    add_tile(app, "home", Tile("meetings.mine", _l("My meetings"),
                               shown=lambda actor: actor.is_authenticated, order=210))  # fmt: skip
    # 书记在线 is asked for from a building's page, which knows the community.
    add_tile(app, "home", Tile("doors.find", _l("Meet your community's secretary"),
                               _l("Find your building: its page has the button."), order=110))  # fmt: skip
    add_tile(
        app,
        "desk",
        Tile(
            "meetings.desk",
            _l("Meetings"),
            _l("Residents' meetings: requests, today's and those coming."),
            shown=lambda actor: (
                holds_anywhere(actor, Permission.HOST_MEETINGS)
                or holds_anywhere(actor, Permission.MANAGE_MEETINGS)
            ),
            order=150,
        ),
    )
    settings = app.extensions[SETTINGS] = MeetingSettings.from_config(app.config)
    # Every 30 seconds, so that a promise broken is passed on within a minute.
    register(app, "meetings.sweep", timedelta(seconds=30), sweep)
    # Every minute: a reminder goes within a minute of its moment.
    register(
        app,
        "meetings.remind",
        timedelta(minutes=1),
        lambda session, now: reminders.sweep(session, settings, now),
    )
