"""A host's meetings as a calendar feed (`/meetings/feeds/<token>.ics`) that their phone's or
desktop's calendar subscribes to. The address is the key: no sign-in opens it, so only the
token's SHA-256 digest is kept, the address is shown once when it is made, and the host
revokes it (or makes a new one, which revokes the old) when it may have leaked.

What a feed carries is chosen here: times, the place (the service centre, or by phone), the
booking's reference and the community's name; never the resident's name or phone, nor what
the meeting is about.

Functions take a Session, the acting host, plain values and `now`; they flush, never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.audit import services as audit
from portal.errors import Forbidden, NotFound
from portal.i18n import CHINESE, name_in, text_in
from portal.meetings import calendar_files
from portal.meetings.models import (
    Booking,
    BookingEvent,
    BookingEventKind,
    CalendarFeed,
    Schedule,
    Venue,
)
from portal.meetings.secretary import MeetingSettings
from portal.permissions import Actor, Permission, holds_anywhere

TOKEN_BYTES = 24
# The longest token a feed's address may carry (token_urlsafe(24) is 32 characters).
TOKEN_MAX = 64
# Past meetings the feed keeps, so that last week's stay in the host's calendar.
PAST = timedelta(days=30)
# How far ahead, when the host has no schedule to say it.
HORIZON_DAYS = 14


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _require_host(actor: Actor) -> None:
    if not holds_anywhere(actor, Permission.HOST_MEETINGS):
        raise Forbidden(_l("You do not have permission to do this here."))


def live_feed(session: Session, actor: Actor) -> CalendarFeed | None:
    """The host's feed that opens, if they made one."""
    _require_host(actor)
    return session.scalar(
        select(CalendarFeed).where(
            CalendarFeed.host_id == actor.id, CalendarFeed.revoked_at.is_(None)
        )
    )


def _revoke_live(session: Session, host_id: int, now: datetime) -> int:
    return session.execute(
        update(CalendarFeed)
        .where(CalendarFeed.host_id == host_id, CalendarFeed.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount


def new_feed(session: Session, actor: User, *, now: datetime) -> str:
    """Make the host a feed and return its token (shown once); their old feed stops."""
    _require_host(actor)
    # Two clicks at once make one live feed after the other, not two (nor a refused second):
    # the host's row is locked first (SQLite's writing transactions are one at a time).
    session.execute(select(User.id).where(User.id == actor.id).with_for_update())
    _revoke_live(session, actor.id, now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = CalendarFeed(host_id=actor.id, digest=digest_of(token), created_at=now)
    session.add(feed)
    session.flush()
    audit.record(session, "meetings.feed_made", actor=actor, now=now, target=feed)
    return token


def revoke_feed(session: Session, actor: User, *, now: datetime) -> bool:
    """Stop the host's feed; False when there was none."""
    _require_host(actor)
    revoked = _revoke_live(session, actor.id, now) > 0
    session.flush()
    if revoked:
        audit.record(session, "meetings.feed_revoked", actor=actor, now=now)
    return revoked


def feed_for(session: Session, token: str) -> CalendarFeed:
    """The live feed a token opens, of a host who still hosts meetings; else NotFound."""
    feed = None
    if 0 < len(token) <= TOKEN_MAX:
        feed = session.scalar(
            select(CalendarFeed).where(
                CalendarFeed.digest == digest_of(token), CalendarFeed.revoked_at.is_(None)
            )
        )
    host = session.get(User, feed.host_id) if feed is not None else None
    if host is None or not host.is_active or not holds_anywhere(host, Permission.HOST_MEETINGS):
        raise NotFound(_l("There is no such calendar."))
    return feed


def _bookings(session: Session, host_id: int, now: datetime) -> Sequence[Booking]:
    """The host's live bookings from `PAST` ago to as far ahead as residents may book."""
    horizon = session.scalar(
        select(func.max(Schedule.horizon_days)).where(Schedule.host_id == host_id)
    )
    return session.scalars(
        select(Booking)
        .where(
            Booking.host_id == host_id,
            Booking.cancelled_at.is_(None),
            Booking.starts_at >= now - PAST,
            Booking.starts_at <= now + timedelta(days=(horizon or HORIZON_DAYS) + 1),
        )
        .order_by(Booking.starts_at)
    ).all()


def _moves(session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.execute(
        select(BookingEvent.booking_id, func.count(BookingEvent.id))
        .where(BookingEvent.booking_id.in_(ids), BookingEvent.kind == BookingEventKind.MOVED)
        .group_by(BookingEvent.booking_id)
    )
    return dict(rows.all())


def _place(made: Booking, locale: str) -> str:
    if made.venue is Venue.PHONE:
        return gettext("By phone")
    place = made.place
    return text_in(
        locale,
        place.service_centre_zh or place.name_zh,
        place.service_centre_en or place.name_en,
    )


def feed_calendar(
    session: Session, settings: MeetingSettings, feed: CalendarFeed, *, now: datetime
) -> bytes:
    """The feed as an iCalendar file, in its host's language."""
    host = session.get(User, feed.host_id)
    locale = host.locale or CHINESE
    made = _bookings(session, feed.host_id, now)
    moves = _moves(session, [each.id for each in made])
    with force_locale(locale):
        entries = [
            calendar_files.Entry(
                uid=f"{each.reference}@meetings",
                start=each.starts_at,
                end=each.ends_at,
                summary=gettext(
                    "Meeting %(reference)s, %(community)s",
                    reference=each.reference,
                    community=name_in(each.place, locale),
                ),
                location=_place(each, locale),
                url=settings.host_booking_url(each.reference),
                sequence=moves.get(each.id, 0),
            )
            for each in made
        ]
        return calendar_files.calendar(entries, name=gettext("My meetings"), stamp=now)
