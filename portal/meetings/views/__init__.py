"""HTTP for meetings, one blueprint over two modules: resident.py (asking to meet the
secretary, a booking's page, its calendar file, changing and cancelling it) and staff.py (the
requests waiting, arranging a meeting, the day's meetings and the host's marks)."""

from __future__ import annotations

from flask import Blueprint, current_app

from portal import meetings
from portal.meetings.secretary import MeetingSettings

bp = Blueprint("meetings", __name__)


def settings() -> MeetingSettings:
    return current_app.extensions[meetings.SETTINGS]
