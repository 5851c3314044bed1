"""The appeals residents file, and each appeal's timeline."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.catalogue.models import CatalogueItem
from portal.db import Base, enum_column, utcnow
from portal.places.models import Building, Place
from portal.units.models import Unit
from portal.uploads.models import Upload


class AppealState(StrEnum):
    UNCONFIRMED = "unconfirmed"  # saved, waiting for the resident's SMS code
    RECEIVED = "received"  # confirmed and dispatched; its clocks run
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REVIEWED = "reviewed"
    CLOSED = "closed"
    REOPENED = "reopened"
    MERGED = "merged"
    HIDDEN = "hidden"
    EXPIRED = "expired"


class Rating(StrEnum):
    SATISFIED = "satisfied"  # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意


class Appeal(Base):
    """What a resident reported, where it is in the loop, and every moment the clocks need."""

    __tablename__ = "appeals"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 3", name="level_known"),
        # The staff queues: open appeals of one place, soonest deadline first.
        Index("ix_appeals_queue_place_id_is_open_due_at", "queue_place_id", "is_open", "due_at"),
        Index("ix_appeals_handler_id_is_open_due_at", "handler_id", "is_open", "due_at"),
        Index("ix_appeals_unit_id_is_open_due_at", "unit_id", "is_open", "due_at"),
        # The clock sweep: appeals with a deadline it has still to act on.
        Index("ix_appeals_sweep_at", "sweep_at"),
        Index(
            "ix_appeals_building_id_item_id_received_at", "building_id", "item_id", "received_at"
        ),
        Index("ix_appeals_user_id_created_at", "user_id", "created_at"),
        # "My appeals" of a resident who confirmed by code before they had an account.
        Index("ix_appeals_phone_created_at", "phone", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Short and readable aloud over the phone: A2611-7K3Q. The page /t/<tracking> is forever.
    tracking: Mapped[str] = mapped_column(String(12), unique=True)
    # Random, from the form: a double tap on "Submit" finds the appeal the first tap made.
    submission_key: Mapped[str] = mapped_column(String(40), unique=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("catalogue_items.id"))
    description: Mapped[str] = mapped_column(Text)
    # Unit, floor or spot, as the resident put it.
    location: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(11))
    name: Mapped[str] = mapped_column(String(50), default="")
    # The language SMS to the resident are written in.
    locale: Mapped[str] = mapped_column(String(16))
    urgent: Mapped[bool] = mapped_column(default=False)
    wants_meeting: Mapped[bool] = mapped_column(default=False)
    # The 书记在线 request that took up "talk to the secretary" (portal/meetings): its clocks
    # replace the appeal's own contact clock.
    meeting_reference: Mapped[str | None] = mapped_column(String(12))
    # The resident's account, when they were signed in.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # A grid worker who filed it for the resident (代办).
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    state: Mapped[AppealState] = mapped_column(enum_column(AppealState))
    # Whether staff still have something to do; the queues and the sweep read only these.
    is_open: Mapped[bool] = mapped_column(default=False)
    level: Mapped[int] = mapped_column(default=1)
    # The place whose queue holds it: the grid, the community or the street; or else a unit.
    queue_place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The deadline of the clock now running: it orders the queues (overdue first) and tells
    # the sweep what to look at (an unconfirmed appeal's expiry, a resolved one's review).
    due_at: Mapped[datetime | None]
    # When the clock sweep must next look at it: set with every new deadline (services'
    # `set_due` moves both) and cleared once the sweep has done all a passed one asks (an
    # alert sent, the top of the chain reached), so that it never reads the same row twice.
    sweep_at: Mapped[datetime | None]
    reopen_count: Mapped[int] = mapped_column(default=0)
    # How many times an unaccepted appeal was passed up for want of a handler.
    escalations: Mapped[int] = mapped_column(default=0)

    # Every moment of the loop, kept so that reports can compute on-time rates exactly.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_at: Mapped[datetime | None]
    accept_due_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    contact_due_at: Mapped[datetime | None]
    first_contact_at: Mapped[datetime | None]
    resolve_due_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    # When the supervisor was told that resolving is overdue (told once per deadline).
    overdue_alerted_at: Mapped[datetime | None]
    reviewed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    resolution_note: Mapped[str] = mapped_column(Text, default="")
    # The rating of this round of the loop (cleared when it reopens); every rating given, with
    # its comment, is kept in appeal_ratings.
    rating: Mapped[Rating | None] = mapped_column(enum_column(Rating))
    # After a second 不满意 the street office calls the resident back (回访).
    needs_callback: Mapped[bool] = mapped_column(default=False)
    # A duplicate points to the appeal that goes on; its resident follows that one.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id"), index=True)
    # A hidden appeal (spam, or held because its phone is blocked) remembers the state to
    # return to when staff restore it.
    hidden_from: Mapped[AppealState | None] = mapped_column(enum_column(AppealState))

    building: Mapped[Building] = relationship(lazy="joined")
    item: Mapped[CatalogueItem] = relationship(lazy="joined")
    queue_place: Mapped[Place | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
    handler: Mapped[User | None] = relationship(foreign_keys=[handler_id])
    filed_by: Mapped[User | None] = relationship(foreign_keys=[filed_by_id])
    merged_into: Mapped[Appeal | None] = relationship(remote_side=[id])

    photos: Mapped[list[AppealPhoto]] = relationship(
        lazy="selectin", order_by="AppealPhoto.id", cascade="all, delete-orphan"
    )

    @property
    def scope_path(self) -> str:
        return self.building.scope_path

    def __repr__(self) -> str:
        return f"<Appeal {self.tracking} {self.state}>"


class EventKind(StrEnum):
    SUBMITTED = "submitted"
    CONFIRMED = "confirmed"
    ACCEPTED = "accepted"
    CONTACTED = "contacted"
    STARTED = "started"
    RESOLVED = "resolved"
    REVIEWED = "reviewed"
    REOPENED = "reopened"
    ESCALATED = "escalated"
    OVERDUE = "overdue"
    RELEVELLED = "relevelled"
    CALLED_BACK = "called_back"
    CLOSED = "closed"
    EXPIRED = "expired"
    TRANSFERRED = "transferred"
    SUMMONED = "summoned"
    SUMMONS_ANSWERED = "summons_answered"
    MERGED = "merged"  # this appeal was merged into another
    DUPLICATE_JOINED = "duplicate_joined"  # another appeal was merged into this one
    HIDDEN = "hidden"
    HELD = "held"  # hidden at once: the phone is on the blocklist
    RESTORED = "restored"
    RECLASSIFIED = "reclassified"  # filed under another kind of problem
    MEETING_REQUESTED = "meeting_requested"  # the secretary was asked for a meeting


class AppealEvent(Base):
    """One step of an appeal's timeline, as the resident and staff see it."""

    __tablename__ = "appeal_events"
    __table_args__ = (Index("ix_appeal_events_appeal_id_at", "appeal_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id"))
    at: Mapped[datetime]
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind))
    # None: the portal itself (the clock sweep).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    state: Mapped[AppealState] = mapped_column(enum_column(AppealState))
    level: Mapped[int]
    # What staff wrote (a resolution note, a reason); shown to the resident.
    note: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship(lazy="joined")


class AppealRating(Base):
    """One rating a resident gave a resolved appeal, with their comment: a reopened appeal
    keeps the rating that reopened it, so whoever handles it next reads why."""

    __tablename__ = "appeal_ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id"), index=True)
    rating: Mapped[Rating] = mapped_column(enum_column(Rating))
    comment: Mapped[str] = mapped_column(String(500), default="")
    rated_at: Mapped[datetime]


class PhotoStage(StrEnum):
    REPORT = "report"  # sent by the resident with the appeal
    RESOLUTION = "resolution"  # taken by the handler when it was fixed


class AppealPhoto(Base):
    """A photo of an appeal: an upload of the upload store that the appeal holds."""

    __tablename__ = "appeal_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id"), index=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id"), unique=True)
    stage: Mapped[PhotoStage] = mapped_column(enum_column(PhotoStage))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    upload: Mapped[Upload] = relationship(lazy="joined")

    @property
    def file_name(self) -> str:
        """The stored file's generated name, as the photo's address shows it."""
        return self.upload.name


class Summons(Base):
    """吹哨: a handler calls a unit to act on an appeal by a deadline; the unit answers."""

    __tablename__ = "appeal_summonses"
    __table_args__ = (
        # A unit's summonses waiting for its answer, soonest deadline first.
        Index("ix_appeal_summonses_unit_id_answered_at_due_at", "unit_id", "answered_at", "due_at"),
        # The clock sweep: unanswered summonses whose deadline passed.
        Index("ix_appeal_summonses_answered_at_due_at", "answered_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    summoned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # What the unit is asked to do.
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    due_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answer: Mapped[str] = mapped_column(Text, default="")
    # When the unit's supervisor and the summoner were told the deadline passed (once).
    overdue_alerted_at: Mapped[datetime | None]

    appeal: Mapped[Appeal] = relationship()
    unit: Mapped[Unit] = relationship(lazy="joined")
    summoned_by: Mapped[User] = relationship(foreign_keys=[summoned_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])


class BlockedPhone(Base):
    """A number whose appeals from buildings within `place` are held for staff to look at
    before they enter the loop; kept by the staff of that place (no place: everywhere, kept
    by administrators of the whole portal)."""

    __tablename__ = "blocked_phones"
    __table_args__ = (UniqueConstraint("phone", "place_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(11), index=True)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"), index=True)
    reason: Mapped[str] = mapped_column(String(200))
    blocked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    blocked_at: Mapped[datetime]

    place: Mapped[Place | None] = relationship()
    blocked_by: Mapped[User | None] = relationship()
