"""Civil archive queries (民生档案查档): the archives and their archivists, the kinds of record
they keep with who may ask for each and what they must attach, a resident's request and its
steps, and the archives asked to help find a record (协办).

A request keeps every moment (sent, reviewed, each clock's deadline, answered, closed), so
that the share answered on time can be counted exactly later.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.db import Base, enum_column, utcnow
from portal.places.models import Place
from portal.sealing import SEALED_LENGTH

NAME_MAX = 50
PURPOSE_MAX = 200
POSTAL_ADDRESS_MAX = 200
NOTE_MAX = 300
REASON_MAX = 500
FILE_NUMBER_MAX = 60
SUMMARY_MAX = 1000


class Archive(Base):
    """An archive (a district's archive, a street's records room) that answers queries for the
    kinds of record it keeps; its members are the archivists who work its queue, as officers
    are members of a unit (portal/units)."""

    __tablename__ = "archives"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    # The street or district it serves: archivists hold their role on a place covering it.
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(100))
    # Where results are picked up, and the number residents may call (an office line).
    address_zh: Mapped[str] = mapped_column(String(200), default="")
    address_en: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    # The archive-use seal (档案利用专用章) printed on result letters: an image in the upload
    # store, owned by "archives:<id>"; None until the administrator uploads one.
    seal_name: Mapped[str | None] = mapped_column(String(40))
    retired_at: Mapped[datetime | None]

    place: Mapped[Place] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Archive {self.code}>"


class ArchiveMember(Base):
    """An archivist who works an archive's queue."""

    __tablename__ = "archive_members"

    archive_id: Mapped[int] = mapped_column(ForeignKey("archives.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    archive: Mapped[Archive] = relationship(lazy="joined")
    user: Mapped[User] = relationship(lazy="joined")


class Relation(StrEnum):
    """Who the requester is to the person the record is about."""

    SELF = "self"
    AGENT = "agent"  # asks with the person's signed authorisation (委托书)
    GUARDIAN = "guardian"  # of a minor or of an adult who cannot act for themselves
    NEXT_OF_KIN = "next_of_kin"  # a near relative of a person who has died


class Proof(StrEnum):
    """A document a checklist may ask the requester to attach (as a photo or a PDF)."""

    REQUESTER_ID = "requester_id"  # the requester's own ID card
    SUBJECT_ID = "subject_id"  # the ID card or household register of the person concerned
    AUTHORISATION = "authorisation"  # their signed authorisation (委托书)
    GUARDIANSHIP = "guardianship"  # proof of guardianship
    DEATH_CERTIFICATE = "death_certificate"
    KINSHIP = "kinship"  # proof of the relationship (household register, a certificate)
    # What an archivist asks for beyond the checklist, in their own words.
    OTHER = "other"


class RecordKind(Base):
    """A kind of record residents ask for (婚姻登记, 知青, 招工 ...), with its checklist: for each
    relation that may ask for it, the proofs to attach. A relation missing from the checklist
    may not ask. Kept by administrators; a kind no longer offered stays on its requests."""

    __tablename__ = "archive_record_kinds"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # {"self": ["requester_id"], "agent": ["requester_id", "subject_id", "authorisation"], ...}
    checklist: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    def proofs_for(self, relation: Relation) -> list[Proof] | None:
        """What a requester of `relation` attaches, or None if they may not ask at all."""
        listed = (self.checklist or {}).get(relation.value)
        return None if listed is None else [Proof(each) for each in listed]

    def __repr__(self) -> str:
        return f"<RecordKind {self.code}>"


class ArchiveKind(Base):
    """A kind of record an archive keeps: residents asking for it choose among these."""

    __tablename__ = "archive_kinds"

    archive_id: Mapped[int] = mapped_column(ForeignKey("archives.id"), primary_key=True)
    kind_id: Mapped[int] = mapped_column(
        ForeignKey("archive_record_kinds.id"), primary_key=True, index=True
    )


class RequestState(StrEnum):
    # Sent: to accept, to ask for more documents, or to refuse, within the review clock.
    SUBMITTED = "submitted"
    # The archivist asked for more documents: the clock stands still until they arrive.
    AWAITING_DOCUMENTS = "awaiting_documents"
    # Accepted: to search and answer within the answer clock (maybe with another's help).
    ACCEPTED = "accepted"
    # The result is recorded and the letter issued (closed).
    ANSWERED = "answered"
    # Refused with a reason the resident reads (closed).
    REFUSED = "refused"


OPEN_STATES = (RequestState.SUBMITTED, RequestState.AWAITING_DOCUMENTS, RequestState.ACCEPTED)


class Outcome(StrEnum):
    FOUND = "found"
    NOT_FOUND = "not_found"


class Delivery(StrEnum):
    ONLINE = "online"  # the letter online, to print or forward
    PICKUP = "pickup"  # on paper, at the archive
    POST = "post"  # on paper, by post


class ArchiveRequest(Base):
    """A resident's query to an archive, and where it stands.

    The ID numbers are kept masked (4401**********123X, for every list) and sealed
    (portal/sealing.py, bound to "archive_requests:<id>"), which only the handling archivist's
    audited reveal opens.
    """

    __tablename__ = "archive_requests"
    __table_args__ = (
        # An archive's queue: its requests in a state, soonest due first.
        Index(
            "ix_archive_requests_archive_id_state_due_at_id", "archive_id", "state", "due_at", "id"
        ),
        # Closed requests of an archive, newest first.
        Index("ix_archive_requests_archive_id_state_closed_at", "archive_id", "state", "closed_at"),
        # Results on paper still to post or hand over, oldest first (queue.py).
        Index(
            "ix_archive_requests_to_deliver",
            "archive_id",
            "state",
            "delivery",
            "dispatched_at",
            "collected_at",
            "closed_at",
        ),
        # Requests waiting for documents, longest first (lapse.py).
        Index("ix_archive_requests_state_waiting_since", "state", "waiting_since"),
        # The resident's own requests, newest first.
        Index("ix_archive_requests_user_id_created_at", "user_id", "created_at"),
        # Retention: closed requests whose documents are still kept, oldest closed first.
        Index(
            "ix_archive_requests_documents_deleted_at_closed_at",
            "documents_deleted_at",
            "closed_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The archive asked (the receiving archive, which answers the resident).
    archive_id: Mapped[int] = mapped_column(ForeignKey("archives.id"))
    kind_id: Mapped[int] = mapped_column(ForeignKey("archive_record_kinds.id"))
    relation: Mapped[Relation] = mapped_column(enum_column(Relation))
    requester_name: Mapped[str] = mapped_column(String(NAME_MAX))
    requester_id_masked: Mapped[str] = mapped_column(String(18))
    requester_id_sealed: Mapped[str] = mapped_column(String(SEALED_LENGTH))
    # The person the record is about, when it is not the requester ("" for oneself).
    subject_name: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    subject_id_masked: Mapped[str] = mapped_column(String(18), default="")
    subject_id_sealed: Mapped[str] = mapped_column(String(SEALED_LENGTH), default="")
    purpose: Mapped[str] = mapped_column(String(PURPOSE_MAX))
    delivery: Mapped[Delivery] = mapped_column(enum_column(Delivery))
    # Post only: where to send the paper (recipient, phone and address, as typed).
    postal_address: Mapped[str] = mapped_column(String(POSTAL_ADDRESS_MAX), default="")
    # The separate consent to handling the ID numbers (sensitive personal information, PIPL).
    consented_at: Mapped[datetime]
    locale: Mapped[str] = mapped_column(String(20), default="zh_Hans_CN")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[RequestState] = mapped_column(enum_column(RequestState))
    # The deadline of the clock now running (review or answer); None while it stands still
    # (waiting for documents) and once closed.
    due_at: Mapped[datetime | None]
    # While waiting for documents: the working days the stopped clock had left, and what the
    # archivist asked for.
    days_left: Mapped[int | None]
    more_asked: Mapped[str] = mapped_column(String(NOTE_MAX), default="")
    # Since when it waits for the resident's documents (None: it does not): a request left
    # waiting too long is closed (lapse.py), and its documents then go as any closed one's.
    waiting_since: Mapped[datetime | None]
    # The archivist of the archive who handles it: the one who may see the ID numbers whole.
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    accepted_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    outcome: Mapped[Outcome | None] = mapped_column(enum_column(Outcome))
    file_number: Mapped[str] = mapped_column(String(FILE_NUMBER_MAX), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    refusal_reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    # The result letter, a document of the verification service, and the seal it was issued
    # with (the archive's seal then: a later seal never changes a letter already issued).
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("issued_documents.id"))
    letter_seal_name: Mapped[str | None] = mapped_column(String(40))
    # Paper results: when posted (with the carrier's number) or handed over.
    dispatched_at: Mapped[datetime | None]
    dispatch_note: Mapped[str] = mapped_column(String(100), default="")
    collected_at: Mapped[datetime | None]
    documents_deleted_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    handler: Mapped[User | None] = relationship(foreign_keys=[handler_id])
    archive: Mapped[Archive] = relationship(lazy="joined")
    kind: Mapped[RecordKind] = relationship(lazy="joined")

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def __repr__(self) -> str:
        return f"<ArchiveRequest {self.reference} {self.state}>"


class Assist(Base):
    """Another archive asked to find the record (协办), with its own deadline; it answers back
    to the receiving archive, which answers the resident."""

    __tablename__ = "archive_assists"
    __table_args__ = (
        # The assisting archive's queue: open first, soonest due first.
        Index(
            "ix_archive_assists_archive_id_answered_at_due_at",
            "archive_id",
            "answered_at",
            "due_at",
        ),
        Index("ix_archive_assists_request_id_id", "request_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("archive_requests.id"))
    # The archive asked to help.
    archive_id: Mapped[int] = mapped_column(ForeignKey("archives.id"))
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # What to look for, in the receiving archivist's words.
    note: Mapped[str] = mapped_column(String(NOTE_MAX), default="")
    asked_at: Mapped[datetime]
    due_at: Mapped[datetime]
    # The archivist of the assisting archive who handles it.
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[Outcome | None] = mapped_column(enum_column(Outcome))
    file_number: Mapped[str] = mapped_column(String(FILE_NUMBER_MAX), default="")
    summary: Mapped[str] = mapped_column(Text, default="")

    request: Mapped[ArchiveRequest] = relationship()
    archive: Mapped[Archive] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Assist {self.request_id} → {self.archive_id}>"


class StepKind(StrEnum):
    """The steps of a request, as its history shows them."""

    SENT = "sent"
    MORE_ASKED = "more_asked"
    DOCUMENTS_ADDED = "documents_added"
    ACCEPTED = "accepted"
    PASSED = "passed"  # to an assisting archive
    ASSIST_ANSWERED = "assist_answered"
    REFUSED = "refused"
    ANSWERED = "answered"
    LETTER_WITHDRAWN = "letter_withdrawn"
    DISPATCHED = "dispatched"
    COLLECTED = "collected"


class RequestStep(Base):
    """One step of a request's history, with the note the resident or archivist gave."""

    __tablename__ = "archive_request_steps"
    __table_args__ = (Index("ix_archive_request_steps_request_id_id", "request_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("archive_requests.id"))
    kind: Mapped[StepKind] = mapped_column(enum_column(StepKind))
    # None: the worker or the command line.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The archive that took the step (an assisting one, for its answer).
    archive_id: Mapped[int | None] = mapped_column(ForeignKey("archives.id"))
    at: Mapped[datetime]
    note: Mapped[str] = mapped_column(String(REASON_MAX), default="")

    archive: Mapped[Archive | None] = relationship(lazy="joined")
