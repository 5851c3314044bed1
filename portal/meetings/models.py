"""Meetings: a host's rules (a schedule), the host's days off, and the bookings residents make.

One booking per host and start is the database's rule, not only the code's: a partial unique
index over the bookings not cancelled. The buffer between meetings and a day's cap are
checked under a lock on the host's day (HostDay), so that two people booking at once are
checked one after the other.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.db import Base, enum_column, utcnow
from portal.meetings import slots
from portal.places.models import Place


class MeetingKind(StrEnum):
    SECRETARY = "secretary"  # 书记在线: a resident meets their community's secretary
    LEGAL = "legal"  # 遇8有约: a legal adviser's session on legal service days


class Venue(StrEnum):
    """Where a host receives: at the community's service centre, by phone, or either (the
    resident chooses when booking)."""

    CENTRE = "centre"
    PHONE = "phone"
    EITHER = "either"


class BookingState(StrEnum):
    BOOKED = "booked"
    HELD = "held"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class BookingEventKind(StrEnum):
    BOOKED = "booked"
    MOVED = "moved"
    CANCELLED = "cancelled"
    HELD = "held"
    NO_SHOW = "no_show"
    REMINDED = "reminded"


class Schedule(Base):
    """A host's rules for receiving residents for one kind of meeting at one community."""

    __tablename__ = "meeting_schedules"
    __table_args__ = (
        UniqueConstraint("host_id", "place_id", "kind"),
        Index("ix_meeting_schedules_place_id_kind", "place_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    kind: Mapped[MeetingKind] = mapped_column(enum_column(MeetingKind))
    venue: Mapped[Venue] = mapped_column(enum_column(Venue), default=Venue.CENTRE)
    # {"0": [["09:00", "11:30"], ["14:00", "17:00"]], ...}: weekday (0 Monday) → hours.
    weekly: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # [{"days": [8, 18, 28], "hours": [["09:00", "12:00"]]}]: day-of-month rules.
    month_days: Mapped[list[Any]] = mapped_column(JSON, default=list)
    slot_minutes: Mapped[int] = mapped_column(Integer, default=20)
    buffer_minutes: Mapped[int] = mapped_column(Integer, default=0)
    daily_cap: Mapped[int | None] = mapped_column(Integer)
    horizon_days: Mapped[int] = mapped_column(Integer, default=14)
    notice_minutes: Mapped[int] = mapped_column(Integer, default=30)
    on_holiday: Mapped[slots.HolidayRule] = mapped_column(
        enum_column(slots.HolidayRule), default=slots.HolidayRule.MOVE
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    place: Mapped[Place] = relationship(lazy="joined")

    def availability(self, closures: tuple[slots.Closure, ...] = ()) -> slots.Availability:
        """The rules as the slot generator takes them."""
        return slots.Availability(
            weekly={
                int(day): tuple(_hours(pair) for pair in hours)
                for day, hours in self.weekly.items()
            },
            month_days=tuple(
                slots.MonthDays(frozenset(rule["days"]), tuple(_hours(p) for p in rule["hours"]))
                for rule in self.month_days
            ),
            closures=closures,
            slot_minutes=self.slot_minutes,
            buffer_minutes=self.buffer_minutes,
            daily_cap=self.daily_cap,
            horizon_days=self.horizon_days,
            notice_minutes=self.notice_minutes,
            on_holiday=self.on_holiday,
        )

    def __repr__(self) -> str:
        return f"<Schedule {self.kind} host={self.host_id} place={self.place_id}>"


def _hours(pair: list[str]) -> slots.Hours:
    return slots.Hours(time.fromisoformat(pair[0]), time.fromisoformat(pair[1]))


class Closure(Base):
    """Days a host does not receive (leave, a closed day), or part of them."""

    __tablename__ = "meeting_closures"
    __table_args__ = (
        CheckConstraint("last_day >= first_day", name="ends_after_it_starts"),
        Index("ix_meeting_closures_host_id_last_day", "host_id", "last_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time | None] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def rule(self) -> slots.Closure:
        return slots.Closure(self.first_day, self.last_day, self.start_time, self.end_time)


class HostDay(Base):
    """A host's local day, locked while a booking on it is checked and written: the buffer and
    the day's cap depend on the other bookings of the day, which a unique index cannot see."""

    __tablename__ = "meeting_host_days"

    host_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)


# Bookings that hold their time: every one not cancelled.
LIVE = text("cancelled_at IS NULL")


class Booking(Base):
    """A resident's meeting with a host at a time."""

    __tablename__ = "meeting_bookings"
    __table_args__ = (
        # One live booking per host and start, whatever the code does.
        Index(
            "ux_meeting_bookings_host_id_starts_at_live",
            "host_id",
            "starts_at",
            unique=True,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        ),
        Index("ix_meeting_bookings_host_id_day", "host_id", "day"),
        Index("ix_meeting_bookings_phone_starts_at", "phone", "starts_at"),
        Index("ix_meeting_bookings_user_id_starts_at", "user_id", "starts_at"),
        # The reminder sweep: live bookings about to start.
        Index("ix_meeting_bookings_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Given to the resident (SMS, calendar file, the booking's page).
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("meeting_schedules.id"))
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    kind: Mapped[MeetingKind] = mapped_column(enum_column(MeetingKind))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    # The local (Shanghai) day it starts on: the host's day it counts against.
    day: Mapped[date] = mapped_column(Date)
    venue: Mapped[Venue] = mapped_column(enum_column(Venue))
    state: Mapped[BookingState] = mapped_column(
        enum_column(BookingState), default=BookingState.BOOKED
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    phone: Mapped[str] = mapped_column(String(11))
    name: Mapped[str] = mapped_column(String(50), default="")
    # What it is about: only the host (and the secretary over them) reads it.
    about: Mapped[str] = mapped_column(Text, default="")
    locale: Mapped[str] = mapped_column(String(20), default="zh_Hans_CN")
    # Added by the host on the day for someone who came without booking.
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str] = mapped_column(String(200), default="")
    # What the host noted when marking it held or missed.
    outcome_note: Mapped[str] = mapped_column(String(200), default="")
    # The reminders already written to the outbox for the current time; a move clears them.
    reminded_day_before_at: Mapped[datetime | None]
    reminded_hour_before_at: Mapped[datetime | None]

    schedule: Mapped[Schedule] = relationship(lazy="joined")
    place: Mapped[Place] = relationship(lazy="joined")
    host: Mapped[User] = relationship(foreign_keys=[host_id])

    @property
    def is_live(self) -> bool:
        return self.cancelled_at is None

    def __repr__(self) -> str:
        return f"<Booking {self.reference} {self.state}>"


class BookingEvent(Base):
    """A step in a booking's life, for its timeline."""

    __tablename__ = "meeting_booking_events"
    __table_args__ = (Index("ix_meeting_booking_events_booking_id_at", "booking_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("meeting_bookings.id"))
    kind: Mapped[BookingEventKind] = mapped_column(enum_column(BookingEventKind))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # Staff who did it (None: the resident, or the worker).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class RequestState(StrEnum):
    WAITING = "waiting"  # asked, not yet seen
    SEEN = "seen"  # a host has read it and the resident knows who
    ARRANGED = "arranged"  # a meeting is booked
    WITHDRAWN = "withdrawn"  # the resident no longer needs it


class MeetingRequest(Base):
    """A resident's request to meet their community's secretary (书记在线), and its clocks.

    Every moment is kept (asked, clocks started, seen, arranged), so that the share of
    promises kept can be counted exactly later."""

    __tablename__ = "meeting_requests"
    __table_args__ = (
        # The sweep: requests with a clock still to watch.
        Index("ix_meeting_requests_sweep_at", "sweep_at"),
        # The secretary's queue: a community's requests, oldest due first.
        Index("ix_meeting_requests_place_id_state_seen_due_at", "place_id", "state", "seen_due_at"),
        Index("ix_meeting_requests_phone_asked_at", "phone", "asked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    state: Mapped[RequestState] = mapped_column(
        enum_column(RequestState), default=RequestState.WAITING
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    phone: Mapped[str] = mapped_column(String(11))
    name: Mapped[str] = mapped_column(String(50), default="")
    about: Mapped[str] = mapped_column(String(300))
    # Times that suit the resident, in their words.
    suits: Mapped[str] = mapped_column(String(200), default="")
    locale: Mapped[str] = mapped_column(String(20), default="zh_Hans_CN")
    # The report it came with ("talk to the secretary" ticked on the report form).
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id"), index=True)
    asked_at: Mapped[datetime]
    # When the clocks started: at once within the community's online hours, else at the next.
    clocks_start_at: Mapped[datetime]
    seen_due_at: Mapped[datetime]
    arranged_due_at: Mapped[datetime]
    seen_at: Mapped[datetime | None]
    seen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    arranged_at: Mapped[datetime | None]
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_bookings.id"))
    # When each escalation was sent (None: not needed, or not yet).
    seen_escalated_at: Mapped[datetime | None]
    arranged_escalated_at: Mapped[datetime | None]
    # The next moment the sweep must look at it (None: no clock left).
    sweep_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]

    place: Mapped[Place] = relationship(lazy="joined")
    booking: Mapped[Booking | None] = relationship()

    def __repr__(self) -> str:
        return f"<MeetingRequest {self.reference} {self.state}>"


class OnlineHoursSetting(Base):
    """When a community answers 书记在线 requests, if it set its own hours."""

    __tablename__ = "meeting_online_hours"

    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), primary_key=True)
    # {"0": [["08:30", "17:30"]], ...}: weekday (0 Monday) → hours, on working days.
    weekly: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# Feeds that still open: every one not revoked.
LIVE_FEED = text("revoked_at IS NULL")


class CalendarFeed(Base):
    """A host's meetings as a calendar feed, at a secret address: only the token's SHA-256
    digest is kept, so the address is shown once, when it is made. One live feed per host."""

    __tablename__ = "meeting_calendar_feeds"
    __table_args__ = (
        Index(
            "ux_meeting_calendar_feeds_host_id_live",
            "host_id",
            unique=True,
            sqlite_where=LIVE_FEED,
            postgresql_where=LIVE_FEED,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<CalendarFeed host={self.host_id}>"
