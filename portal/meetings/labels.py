"""The words for meetings' states and events, in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.meetings.models import BookingEventKind, BookingState, MeetingKind, RequestState

REQUEST_STATES = {
    RequestState.WAITING: _l("Waiting to be read"),
    RequestState.SEEN: _l("Read: a meeting is being arranged"),
    RequestState.ARRANGED: _l("Meeting arranged"),
    RequestState.WITHDRAWN: _l("Withdrawn"),
}

BOOKING_STATES = {
    BookingState.BOOKED: _l("Booked"),
    BookingState.HELD: _l("Held"),
    BookingState.NO_SHOW: _l("Missed"),
    BookingState.CANCELLED: _l("Cancelled"),
}

EVENTS = {
    BookingEventKind.BOOKED: _l("Booked"),
    BookingEventKind.MOVED: _l("Moved to another time"),
    BookingEventKind.CANCELLED: _l("Cancelled"),
    BookingEventKind.HELD: _l("Held"),
    BookingEventKind.NO_SHOW: _l("The resident did not come"),
    BookingEventKind.REMINDED: _l("Reminder sent"),
}

MEETING_KINDS = {
    MeetingKind.SECRETARY: _l("Meeting the secretary (书记在线)"),
    MeetingKind.LEGAL: _l("Legal service days (遇8有约)"),
}
