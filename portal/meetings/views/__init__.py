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


@bp.context_processor
def _helpers() -> dict:
    from babel.dates import format_skeleton, format_time

    from portal.meetings.labels import BOOKING_STATES, EVENTS, MEETING_KINDS, REQUEST_STATES
    from portal.meetings.secretary import due_for
    from portal.meetings.slots import SHANGHAI
    from portal.meetings.views.resident import where_text
    from portal.web.templating import current_locale

    def day_words(day) -> str:
        """A day with its weekday, as an older reader says it: "12月8日周二" / "Tue, Dec 8"."""
        return format_skeleton("MMMEd", day, locale=current_locale())

    def clock_time(moment) -> str:
        return format_time(moment.astimezone(SHANGHAI), "HH:mm", locale=current_locale())

    def meeting_time(moment) -> str:
        """When a meeting is, with its weekday: "12月8日周二 14:00" / "Tue, Dec 8 14:00"."""
        return f"{day_words(moment.astimezone(SHANGHAI).date())} {clock_time(moment)}"

    return {
        "request_state_label": REQUEST_STATES.get,
        "booking_state_label": BOOKING_STATES.get,
        "event_label": EVENTS.get,
        "meeting_kind_label": MEETING_KINDS.get,
        "meeting_place": where_text,
        "day_words": day_words,
        "clock_time": clock_time,
        "meeting_time": meeting_time,
        "due_for": due_for,
    }
