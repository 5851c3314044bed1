"""Volunteering: volunteers (real-name, one per person), the kinds of service, activities, and
each volunteer's place at an activity (a seat or a place on the waiting list, then their
attendance and its confirmed hours).

The database keeps the promises the code makes: one volunteer per ID number (a keyed hash is
unique, so a second phone cannot open a second time-bank account), one sign-up per volunteer
and activity, and never more seated volunteers than seats (a counter under a check constraint,
raised only by a conditional UPDATE).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

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
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.db import Base, enum_column, utcnow
from portal.places.models import Place
from portal.volunteering.idseal import SEALED_LENGTH


class VolunteerState(StrEnum):
    APPLIED = "applied"  # waiting for a coordinator of the community
    APPROVED = "approved"
    DECLINED = "declined"  # with a reason; the resident may apply again


class Volunteer(Base):
    """A resident registered, by real name, as a volunteer of a community."""

    __tablename__ = "volunteers"
    __table_args__ = (Index("ix_volunteers_community_id_state_id", "community_id", "state", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    real_name: Mapped[str] = mapped_column(String(30))
    # The 身份证 number masked (4401**********123X): what every list, the certificate and the
    # exports show; no key is needed to read it.
    id_number_masked: Mapped[str] = mapped_column(String(18))
    # The whole number (normalised: 18 characters, X upper-case) sealed with AES-GCM, this
    # row's id bound to it (idseal.py); opened only for its owner and an audited reveal.
    id_number_sealed: Mapped[str] = mapped_column(String(SEALED_LENGTH))
    # A keyed hash (HMAC) of the number: unique, so one person is one volunteer whatever phone
    # they sign in with; keyed, so the column alone does not give the numbers away.
    id_number_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The separate consent to keeping the ID number (PIPL: sensitive personal information).
    id_consent_at: Mapped[datetime]
    birth_date: Mapped[date] = mapped_column(Date)
    # Under 18: a guardian's name and phone, required.
    guardian_name: Mapped[str | None] = mapped_column(String(30))
    guardian_phone: Mapped[str | None] = mapped_column(String(11))
    # The codes of the kinds of service offered (VolunteerServiceKind.code).
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[VolunteerState] = mapped_column(
        enum_column(VolunteerState), default=VolunteerState.APPLIED
    )
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decline_reason: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    community: Mapped[Place] = relationship()


class ServiceKind(Base):
    """A kind of volunteer service (助餐, 助洁, 陪伴 …): a short list administrators keep."""

    __tablename__ = "volunteer_service_kinds"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored on volunteers and activities, so never renamed: "meals".
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_zh: Mapped[str] = mapped_column(String(20))
    name_en: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired_at: Mapped[datetime | None]


class ActivityState(StrEnum):
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class Activity(Base):
    """A volunteer activity a coordinator publishes for a community."""

    __tablename__ = "volunteer_activities"
    __table_args__ = (
        CheckConstraint("seats > 0", name="seats_positive"),
        CheckConstraint("seats_taken >= 0 AND seats_taken <= seats", name="seats_not_oversold"),
        CheckConstraint("worth_minutes > 0", name="worth_positive"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_volunteer_activities_community_id_starts_at", "community_id", "starts_at"),
        Index("ix_volunteer_activities_starts_at", "starts_at"),
        # What a volunteer's hours by kind of service and their certificate's totals need of
        # each activity, read from the index alone: PostgreSQL looks up a heavy volunteer's
        # 2,000 activities in it rather than reading every activity.
        Index(
            "ix_volunteer_activities_service_record",
            *("id", "serves_elderly", "service_kind_id", "community_id", "starts_at"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    title: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text, default="")
    service_kind_id: Mapped[int] = mapped_column(ForeignKey("volunteer_service_kinds.id"))
    # Where, in the words of the coordinator: "社区服务中心二楼活动室".
    location: Mapped[str] = mapped_column(String(100))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    seats: Mapped[int] = mapped_column(Integer)
    # The seats taken now: raised only by `UPDATE … WHERE seats_taken < seats`, and the check
    # constraint refuses the one that would oversell.
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    # The most the activity is worth to one volunteer, in minutes.
    worth_minutes: Mapped[int] = mapped_column(Integer)
    # Only hours serving the elderly go to the time bank; every hour counts on the record.
    serves_elderly: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[ActivityState] = mapped_column(
        enum_column(ActivityState), default=ActivityState.PUBLISHED
    )
    # The secret the check-in QR code's rotating tokens are signed with, per activity.
    check_in_secret: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    community: Mapped[Place] = relationship()
    service_kind: Mapped[ServiceKind] = relationship(lazy="joined")


# The sign-ups a coordinator confirmed (a condition with no parameter, so that a query saying
# `confirmed_at IS NOT NULL` may use an index kept for these alone).
CONFIRMED = text("confirmed_at IS NOT NULL")


class SignUpState(StrEnum):
    SEATED = "seated"
    WAITING = "waiting"  # moves up, in the order signed up, when a seat frees
    CANCELLED = "cancelled"


class SignUp(Base):
    """A volunteer's place at an activity, then their attendance and its confirmed hours."""

    __tablename__ = "volunteer_sign_ups"
    __table_args__ = (
        UniqueConstraint("activity_id", "volunteer_id"),
        Index("ix_volunteer_sign_ups_activity_id_state_id", "activity_id", "state", "id"),
        Index("ix_volunteer_sign_ups_volunteer_id_id", "volunteer_id", "id"),
        # A volunteer's confirmed service, read from the index alone (their hours by kind of
        # service, their certificate): never the sign-ups' rows, scattered over years.
        Index(
            "ix_volunteer_sign_ups_volunteer_id_confirmed",
            "volunteer_id",
            "activity_id",
            "confirmed_minutes",
            "confirmed_at",
            "recorded_by_hand",
            sqlite_where=CONFIRMED,
            postgresql_where=CONFIRMED,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("volunteer_activities.id"))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"))
    state: Mapped[SignUpState] = mapped_column(enum_column(SignUpState))
    signed_up_at: Mapped[datetime] = mapped_column(default=utcnow)
    seated_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    # Attendance: by scanning the activity's QR code (by_id empty) or checked in by name.
    checked_in_at: Mapped[datetime | None]
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    checked_out_at: Mapped[datetime | None]
    checked_out_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Confirmation by a coordinator after the activity; the hours are banked in its transaction.
    confirmed_minutes: Mapped[int | None] = mapped_column(Integer)
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Why the confirmed time differs from the recorded one, or why it was recorded by hand.
    correction_reason: Mapped[str | None] = mapped_column(Text)
    # Hours an organiser records without check-in and check-out: a kind of their own (民政部令
    # 第67号), never "credit hours".
    recorded_by_hand: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the day-before reminder was written for the seated volunteer (never twice); cleared
    # when the activity's time changes, so that the new time is reminded.
    reminded_at: Mapped[datetime | None]
    # How many times the hours were confirmed (a wrong confirmation is reversed, then made
    # again): each banking has its own ledger subject, "volunteering.sign_up:<id>[:<n>]".
    confirmations: Mapped[int] = mapped_column(Integer, default=0)

    activity: Mapped[Activity] = relationship()
    volunteer: Mapped[Volunteer] = relationship()


# --- the time bank's help for the elderly (help.py, elders.py) --------------------------------


class Elder(Base):
    """An older resident the time bank serves, registered in person by a coordinator of their
    community, who saw their ID card (that it was seen is kept, never the number)."""

    __tablename__ = "time_bank_elders"
    __table_args__ = (Index("ix_time_bank_elders_community_id_id", "community_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    real_name: Mapped[str] = mapped_column(String(30))
    birth_date: Mapped[date] = mapped_column(Date)
    lives_alone: Mapped[bool] = mapped_column(Boolean, default=False)
    # Receives the minimum living allowance (低保).
    low_income: Mapped[bool] = mapped_column(Boolean, default=False)
    has_disability: Mapped[bool] = mapped_column(Boolean, default=False)
    # When and by whom the ID card was seen in person.
    id_card_seen_at: Mapped[datetime]
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Priority elderly: the community's pool pays for their help. The rules suggest it; a
    # coordinator marks it (or removes it), always with a reason.
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    priority_reason: Mapped[str | None] = mapped_column(Text)
    priority_set_at: Mapped[datetime | None]
    priority_set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    community: Mapped[Place] = relationship()


class HelpState(StrEnum):
    ASKED = "asked"  # waiting for a coordinator to find a volunteer
    MATCHED = "matched"  # a volunteer will come
    DONE = "done"  # confirmed given, and paid
    CANCELLED = "cancelled"


class HelpPayer(StrEnum):
    OWN = "own"  # the elder's own stored hours
    POOL = "pool"  # the community's pool, for priority elderly


class HelpRequest(Base):
    """An older resident's request for help, paid in hours when it is confirmed done."""

    __tablename__ = "time_bank_help_requests"
    __table_args__ = (
        CheckConstraint("minutes > 0 AND minutes % 30 = 0", name="minutes_in_half_hours"),
        CheckConstraint(
            "done_minutes IS NULL OR (done_minutes > 0 AND done_minutes % 30 = 0)",
            name="done_in_half_hours",
        ),
        Index("ix_time_bank_help_requests_community_id_state_id", "community_id", "state", "id"),
        Index("ix_time_bank_help_requests_elder_id_id", "elder_id", "id"),
        Index("ix_time_bank_help_requests_volunteer_id_id", "volunteer_id", "id"),
        # What a family member asked for on an elder's behalf.
        Index("ix_time_bank_help_requests_asked_by_id_id", "asked_by_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(ForeignKey("time_bank_elders.id"))
    community_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    service_kind_id: Mapped[int] = mapped_column(ForeignKey("volunteer_service_kinds.id"))
    starts_at: Mapped[datetime]
    # How long the help is expected to take, in minutes (whole half hours).
    minutes: Mapped[int] = mapped_column(Integer)
    location: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text, default="")
    payer: Mapped[HelpPayer] = mapped_column(enum_column(HelpPayer))
    state: Mapped[HelpState] = mapped_column(enum_column(HelpState), default=HelpState.ASKED)
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The elder, or on their behalf a family member, a coordinator or a grid worker.
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"))
    matched_at: Mapped[datetime | None]
    matched_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The time actually given, confirmed by a coordinator, and the transfer that paid it
    # (none when nothing moved: the pool paid a volunteer at their cap, so it kept the hours).
    done_minutes: Mapped[int | None] = mapped_column(Integer)
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfers.id"))
    cancelled_at: Mapped[datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    elder: Mapped[Elder] = relationship()
    community: Mapped[Place] = relationship()
    service_kind: Mapped[ServiceKind] = relationship(lazy="joined")
    volunteer: Mapped[Volunteer | None] = relationship()


class Kinship(StrEnum):
    """Who a relative is to the volunteer: those Beijing's and Nanjing's rules let stored hours
    be given to (the rules of a district may allow fewer)."""

    SPOUSE = "spouse"
    PARENT = "parent"
    GRANDPARENT = "grandparent"


class RelativeState(StrEnum):
    DECLARED = "declared"  # waiting for a coordinator of the volunteer's community
    CONFIRMED = "confirmed"  # hours may be given to them
    REFUSED = "refused"  # with a reason; the volunteer may declare them again


class Evidence(StrEnum):
    """What the coordinator saw before confirming a relationship."""

    HOUSEHOLD_REGISTER = "household_register"  # 户口簿
    CERTIFICATE = "certificate"  # 结婚证, 出生证明 or a certificate of kinship


class Relative(Base):
    """A relative a volunteer declared, to give stored hours to once a coordinator confirms it."""

    __tablename__ = "time_bank_relatives"
    __table_args__ = (
        UniqueConstraint("volunteer_id", "user_id"),
        # The declarations waiting on the pool page, oldest first.
        Index("ix_time_bank_relatives_state_id", "state", "id"),
        # The relatives who gave to a person, for their page's history.
        Index("ix_time_bank_relatives_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"))
    # The relative's account, found or made by their mobile number.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kinship: Mapped[Kinship] = mapped_column(enum_column(Kinship))
    # Their name as the volunteer gave it, to check against the document seen.
    name: Mapped[str] = mapped_column(String(30))
    state: Mapped[RelativeState] = mapped_column(
        enum_column(RelativeState), default=RelativeState.DECLARED
    )
    declared_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # What the coordinator saw before confirming (household register or a certificate).
    evidence: Mapped[Evidence | None] = mapped_column(enum_column(Evidence))
    refuse_reason: Mapped[str | None] = mapped_column(Text)

    volunteer: Mapped[Volunteer] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class FamilyTie(StrEnum):
    """Who the older resident is to a family member asking for help on their behalf."""

    PARENT = "parent"
    PARENT_IN_LAW = "parent_in_law"
    GRANDPARENT = "grandparent"
    SPOUSE = "spouse"
    SIBLING = "sibling"
    OTHER = "other"  # another relative


ACTIVE_FAMILY = text("removed_at IS NULL")


class FamilyMember(Base):
    """A family member (代办家属) who may ask the time bank for help on an older resident's
    behalf, and pay with the elder's stored hours: added by a coordinator of the elder's
    community, in person, once the elder agreed. Removed, never deleted: who asked for what
    stays readable."""

    __tablename__ = "time_bank_family_members"
    __table_args__ = (
        Index("ix_time_bank_family_members_elder_id_id", "elder_id", "id"),
        # The elders a signed-in person may ask for; one active entry per elder and person,
        # whoever adds them at once.
        Index(
            "ux_time_bank_family_members_user_id_elder_id_active",
            "user_id",
            "elder_id",
            unique=True,
            sqlite_where=ACTIVE_FAMILY,
            postgresql_where=ACTIVE_FAMILY,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(ForeignKey("time_bank_elders.id"))
    # The family member's account, found or made by their mobile number.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(30))
    tie: Mapped[FamilyTie] = mapped_column(enum_column(FamilyTie))
    # When the coordinator recorded that the elder agreed, in person, and who did.
    elder_agreed_at: Mapped[datetime]
    added_at: Mapped[datetime]
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    elder: Mapped[Elder] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
