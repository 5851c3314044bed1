"""How states, steps and ratings of appeals are named to people, in their language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.appeals.models import AppealEvent, AppealState, EventKind, Rating
from portal.web.templating import local_text

STATE_LABELS = {
    AppealState.UNCONFIRMED: _l("Waiting for the code"),
    AppealState.RECEIVED: _l("Received"),
    AppealState.ACCEPTED: _l("Accepted"),
    AppealState.IN_PROGRESS: _l("In progress"),
    AppealState.RESOLVED: _l("Resolved"),
    AppealState.REVIEWED: _l("Reviewed"),
    AppealState.CLOSED: _l("Closed"),
    AppealState.REOPENED: _l("Reopened"),
    AppealState.MERGED: _l("Merged"),
    AppealState.HIDDEN: _l("Set aside"),
    AppealState.EXPIRED: _l("Expired"),
}

EVENT_LABELS = {
    EventKind.SUBMITTED: _l("Report sent"),
    EventKind.CONFIRMED: _l("Confirmed and received"),
    EventKind.ACCEPTED: _l("Taken by a handler"),
    EventKind.CONTACTED: _l("The resident was contacted"),
    EventKind.STARTED: _l("Work started"),
    EventKind.RESOLVED: _l("Resolved"),
    EventKind.REVIEWED: _l("Rated by the resident"),
    EventKind.REOPENED: _l("Reopened one level up"),
    EventKind.ESCALATED: _l("Not taken in time: passed up"),
    EventKind.OVERDUE: _l("A deadline passed: the supervisor was told"),
    EventKind.RELEVELLED: _l("Sent to another level"),
    EventKind.CALLED_BACK: _l("Called back by the street office"),
    EventKind.CLOSED: _l("Closed without a rating"),
    EventKind.EXPIRED: _l("Not confirmed in 24 hours"),
    EventKind.TRANSFERRED: _l("Sent to another team"),
    EventKind.SUMMONED: _l("A department was called in"),
    EventKind.SUMMONS_ANSWERED: _l("The department answered"),
    EventKind.MERGED: _l("Handled together with another report"),
    EventKind.DUPLICATE_JOINED: _l("A neighbour's report of the same problem joined this one"),
    EventKind.HIDDEN: _l("Set aside by staff"),
    EventKind.HELD: _l("Held for staff to check first"),
    EventKind.RESTORED: _l("Put back in the queue"),
    EventKind.RECLASSIFIED: _l("Filed under another kind of problem"),
    EventKind.MEETING_REQUESTED: _l("The community secretary was asked for a meeting"),
}

RATING_LABELS = {
    Rating.SATISFIED: _l("Satisfied"),
    Rating.BASICALLY_SATISFIED: _l("Mostly satisfied"),
    Rating.DISSATISFIED: _l("Not satisfied"),
}


def event_label(event: AppealEvent) -> str:
    label = EVENT_LABELS[event.kind]
    if event.kind == EventKind.REVIEWED and "rating" in event.details:
        rating = RATING_LABELS[Rating(event.details["rating"])]
        return str(_l("Rated by the resident: %(rating)s", rating=rating))
    if event.kind == EventKind.SUBMITTED and event.details.get("resent"):
        return str(_l("A new code was sent"))
    if event.kind == EventKind.SUBMITTED and "consent" in event.details:
        if event.details["consent"]:
            return str(_l("Sent by staff for the resident, with the resident's agreement"))
        return str(_l("Sent by staff for the resident"))
    if event.kind == EventKind.MERGED and "into" in event.details:
        return str(_l("Handled together with report %(number)s", number=event.details["into"]))
    if event.kind == EventKind.DUPLICATE_JOINED and "from" in event.details:
        return str(
            _l(
                "Report %(number)s of the same problem joined this one",
                number=event.details["from"],
            )
        )
    if event.kind == EventKind.RECLASSIFIED and "to_name" in event.details:
        was, now = (local_text(*event.details[name]) for name in ("from_name", "to_name"))
        return str(
            _l("Kind of problem changed to “%(kind)s” (was “%(before)s”)", kind=now, before=was)
        )
    if event.kind == EventKind.OVERDUE and event.details.get("clock") == "summons":
        return str(_l("The department did not answer in time: both sides were told"))
    if event.kind == EventKind.OVERDUE and event.details.get("clock") == "callback":
        return str(_l("The call-back is late: the district was told"))
    return str(label)
