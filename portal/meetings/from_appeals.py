"""A report that asks to talk to the community secretary becomes a 书记在线 request, in the
transaction that brings the report into the loop; the request's clocks then replace the
report's own contact clock (portal.appeals.services.meeting_requested)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.appeals import services as appeals
from portal.appeals.events import MeetingWanted
from portal.events import handles
from portal.meetings import booking as engine
from portal.meetings import secretary
from portal.meetings.secretary import ABOUT_MAX


@handles(MeetingWanted)
def request_a_meeting(session: Session, event: MeetingWanted) -> None:
    appeal = event.appeal
    community = appeal.building.grid.parent
    asker = engine.Booker(
        phone=appeal.phone, user_id=appeal.user_id, name=appeal.name, locale=appeal.locale
    )
    try:
        made = secretary.ask(
            session, community, asker, about=appeal.description[:ABOUT_MAX],
            appeal_id=appeal.id, now=event.now,
        )  # fmt: skip
    except secretary.AlreadyAsked as asked:
        # The resident waits for a meeting there already: the report joins that request.
        made = asked.request
    appeals.meeting_requested(session, appeal, made.reference, event.now)
