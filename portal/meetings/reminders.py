"""Reminders of meetings: the resident is texted the day before and an hour before (both
moments set in the configuration), in their language, through the outbox.

The worker runs `sweep` every minute. A reminder goes once per booking, per reminder and per
start time: the booking's mark says it was written, and the outbox's idempotency key says so
again, so a second worker never sends it twice; a move clears the marks (booking.py) and the
new time has keys of its own. Only the nearest reminder still of use is sent: a booking made
40 minutes before its start gets the hour-before one alone, and a day-before reminder is not
sent to someone who booked (or whose meeting moved) after its moment, nor late by more than
`LATE_AT_MOST`.

Functions take a Session, plain values and `now`; they flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from portal.meetings.models import Booking, BookingEvent, BookingEventKind, BookingState
from portal.meetings.secretary import MeetingSettings, where_params
from portal.notifications.services import queue_sms

# A worker that was stopped still sends a day-before reminder this late; later than that,
# the hour-before reminder is the nearest one of use.
LATE_AT_MOST = timedelta(hours=2)
# Bookings one sweep takes; the rest wait a minute for the next.
BATCH = 200


@dataclass(frozen=True)
class Reminder:
    name: str  # in the idempotency key and the timeline; never renamed
    kind: str  # the SMS kind (messages.py)
    mark: str  # the booking's column saying it was written


DAY_BEFORE = Reminder("day_before", "meeting_remind_day_before", "reminded_day_before_at")
HOUR_BEFORE = Reminder("hour_before", "meeting_remind_hour_before", "reminded_hour_before_at")


def _due(session: Session, settings: MeetingSettings, now: datetime) -> list[Booking]:
    """The live bookings with a reminder to write, soonest first, each locked (those another
    worker holds are left to it)."""
    hour, day = settings.remind_hour_before, settings.remind_day_before
    day_window_opens = now + max(hour, day - LATE_AT_MOST)
    return list(
        session.scalars(
            select(Booking)
            .where(
                Booking.cancelled_at.is_(None),
                Booking.state == BookingState.BOOKED,
                # Someone who came without booking is there already.
                Booking.walk_in.is_(False),
                Booking.starts_at > now,
                Booking.starts_at <= now + day,
                or_(
                    and_(
                        Booking.starts_at <= now + hour,
                        Booking.reminded_hour_before_at.is_(None),
                    ),
                    and_(
                        Booking.starts_at > day_window_opens,
                        Booking.reminded_day_before_at.is_(None),
                    ),
                ),
            )
            .order_by(Booking.starts_at)
            .limit(BATCH)
            .with_for_update(skip_locked=True, of=Booking)
        )
    )


def _last_moved(session: Session, ids: list[int]) -> dict[int, datetime]:
    """When each booking last moved (those that never did are left out)."""
    if not ids:
        return {}
    rows = session.execute(
        select(BookingEvent.booking_id, func.max(BookingEvent.at))
        .where(BookingEvent.booking_id.in_(ids), BookingEvent.kind == BookingEventKind.MOVED)
        .group_by(BookingEvent.booking_id)
    )
    return dict(rows.all())


def sweep(session: Session, settings: MeetingSettings, now: datetime) -> int:
    """Write the reminders that have come due; returns how many were written."""
    due = _due(session, settings, now)
    moved = _last_moved(session, [made.id for made in due])
    written = 0
    for made in due:
        if made.starts_at <= now + settings.remind_hour_before:
            reminder = HOUR_BEFORE
        else:
            # The time was set after the reminder's moment: the booked or moved SMS just said it.
            time_set = max(made.created_at, moved.get(made.id, made.created_at))
            if time_set > made.starts_at - settings.remind_day_before:
                continue
            reminder = DAY_BEFORE
        _remind(session, settings, made, reminder, now)
        written += 1
    session.flush()
    return written


def _remind(
    session: Session, settings: MeetingSettings, made: Booking, reminder: Reminder, now: datetime
) -> None:
    start = made.starts_at
    queue_sms(
        session,
        phone=made.phone,
        kind=reminder.kind,
        params=where_params(settings, made),
        locale=made.locale,
        key=f"meeting:{made.id}:{reminder.name}:{int(start.timestamp())}",
        cause=f"meetings:{made.reference}",
        # A reminder not delivered before the meeting starts is of no use.
        expires_at=start,
        now=now,
    )
    setattr(made, reminder.mark, now)
    session.add(
        BookingEvent(
            booking_id=made.id,
            kind=BookingEventKind.REMINDED,
            at=now,
            details={"reminder": reminder.name, "starts_at": start.isoformat()},
        )
    )
