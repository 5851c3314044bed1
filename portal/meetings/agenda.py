"""Meetings as lists: a resident's bookings, a host's days, a booking's timeline.

Functions take a Session, the acting person and plain values; they only read.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.meetings.booking import Booker
from portal.meetings.models import Booking, BookingEvent, BookingEventKind, MeetingKind
from portal.permissions import Actor, Permission


def residents_bookings(session: Session, booker: Booker, *, limit: int = 20) -> list[Booking]:
    """A resident's bookings, the latest first."""
    return list(
        session.scalars(
            select(Booking)
            .where(Booking.phone == booker.phone)
            .order_by(Booking.starts_at.desc())
            .limit(limit)
        )
    )


def hosts_day(session: Session, actor: Actor, day: date) -> list[Booking]:
    """The live bookings of `day` that `actor` hosts, or leads as their community's secretary."""
    return hosts_days(session, actor, day, day)


def hosts_days(session: Session, actor: Actor, first: date, last: date) -> list[Booking]:
    """The live bookings of local days first..last that `actor` hosts, or leads as their
    community's secretary, in time order."""
    from portal.permissions import granted_places

    led = [p.id for p in granted_places(actor, Permission.LEAD_MEETINGS)]
    rows = session.scalars(
        select(Booking)
        .where(Booking.day >= first, Booking.day <= last, Booking.cancelled_at.is_(None))
        .where(
            (Booking.host_id == getattr(actor, "id", None))
            | (Booking.place_id.in_(led) & (Booking.kind == MeetingKind.SECRETARY))
        )
        .order_by(Booking.starts_at)
    )
    return list(rows)


def timeline(session: Session, booking: Booking) -> list[BookingEvent]:
    return list(
        session.scalars(
            select(BookingEvent)
            .where(BookingEvent.booking_id == booking.id)
            .order_by(BookingEvent.at, BookingEvent.id)
        )
    )


def moves(session: Session, booking: Booking) -> int:
    """How many times the booking moved (a calendar file's SEQUENCE)."""
    return session.scalar(
        select(func.count(BookingEvent.id)).where(
            BookingEvent.booking_id == booking.id, BookingEvent.kind == BookingEventKind.MOVED
        )
    )
