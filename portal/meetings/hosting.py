"""What a host does to a resident's meeting that the resident must hear of: a cancellation
(with its reason) or a move is texted to them, in their language, with the booking's link.

Functions take a Session, the acting host, plain values and `now`; they flush, never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.meetings import booking as engine
from portal.meetings.models import Booking
from portal.meetings.secretary import MeetingSettings
from portal.notifications.services import queue_sms


def where_params(settings: MeetingSettings, made: Booking) -> dict:
    """When and where a meeting is, and its link, as the resident's SMS texts take them."""
    place = made.place
    return {
        "starts_at": made.starts_at.isoformat(),
        "venue": made.venue.value,
        "centre_zh": place.service_centre_zh or place.name_zh,
        "centre_en": place.service_centre_en or place.name_en,
        "url": settings.booking_url(made.reference),
    }


def cancel(
    session: Session, settings: MeetingSettings, actor: User, made: Booking, *, reason: str,
    now: datetime,
) -> Booking:  # fmt: skip
    """The host cancels, saying why; the resident is texted the reason."""
    engine.cancel(session, made, actor=actor, reason=reason, now=now)
    queue_sms(
        session,
        phone=made.phone,
        kind="meeting_cancelled",
        params={**where_params(settings, made), "reason": made.cancel_reason},
        locale=made.locale,
        key=f"meeting:{made.id}:cancelled",
        cause=f"meetings:{made.reference}",
        now=now,
    )
    return made


def move(
    session: Session, settings: MeetingSettings, actor: User, made: Booking, start: datetime, *,
    now: datetime,
) -> Booking:  # fmt: skip
    """The host moves the meeting to another of their free times; the resident is texted."""
    engine.move(session, made, start, actor=actor, now=now)
    queue_sms(
        session,
        phone=made.phone,
        kind="meeting_moved",
        params=where_params(settings, made),
        locale=made.locale,
        key=f"meeting:{made.id}:moved:{start.timestamp()}",
        cause=f"meetings:{made.reference}",
        now=now,
    )
    return made
