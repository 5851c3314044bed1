"""What one side of a meeting does that the other must hear of: a host's cancellation (with
its reason) or move is texted to the resident, in their language, with the booking's link; a
resident's cancellation or move is texted to the host, who plans their day by it.

Functions take a Session, the acting host, plain values and `now`; they flush, never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.meetings import booking as engine
from portal.meetings.models import Booking
from portal.meetings.secretary import MeetingSettings, where_params
from portal.notifications.services import queue_sms


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
        # By the moment of the move: moving back to an earlier time is news again.
        key=f"meeting:{made.id}:moved:{now.timestamp()}",
        cause=f"meetings:{made.reference}",
        now=now,
    )
    return made


def resident_moved(session: Session, made: Booking, before: datetime, *, now: datetime) -> Booking:
    """Tell the host the resident moved their meeting (from `before`)."""
    return _tell_host(session, made, "meeting_moved_by_resident", before, now)


def resident_cancelled(session: Session, made: Booking, *, now: datetime) -> Booking:
    """Tell the host the resident cancelled their meeting: the time is free again."""
    return _tell_host(session, made, "meeting_cancelled_by_resident", made.starts_at, now)


def _tell_host(
    session: Session, made: Booking, kind: str, before: datetime, now: datetime
) -> Booking:
    host = session.get(User, made.host_id)
    queue_sms(
        session,
        phone=host.phone,
        kind=kind,
        params={
            "reference": made.reference,
            "was": before.isoformat(),
            "starts_at": made.starts_at.isoformat(),
        },
        locale=host.locale or "zh_Hans_CN",
        key=f"meeting:{made.id}:{kind}:{now.timestamp()}",
        cause=f"meetings:{made.reference}",
        now=now,
    )
    return made
