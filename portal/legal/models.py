"""Legal consultations (e法官): a resident's question, its thread of answers and follow-ups,
the advisers it was given to, the advisers' answer snippets, and the public questions and
answers (FAQ) made from closed consultations with the resident's consent.

Every moment is kept (asked, each question's due time and answer time, each assignment), so
that the share of answers on time can be counted exactly later.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.db import Base, enum_column, utcnow
from portal.places.models import Place

QUESTION_MAX = 2000
OTHER_PARTY_MAX = 100


class LegalTopic(Base):
    """One topic of the short list a resident picks from (婚姻家庭, 继承, ...), kept by
    administrators; a topic no longer offered stays on the consultations that used it."""

    __tablename__ = "legal_topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(100), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<LegalTopic {self.name_zh}>"


class ConsultationState(StrEnum):
    # A minor asked: the guardian's phone must confirm its code before the question is sent.
    AWAITING_GUARDIAN = "awaiting_guardian"
    # A question (the first, or a follow-up) waits for the adviser's answer.
    WAITING = "waiting"
    # The adviser answered; the resident may follow up or rate.
    ANSWERED = "answered"
    CLOSED = "closed"


class ClosedBecause(StrEnum):
    RATED = "rated"
    # Days passed after the last answer with no follow-up.
    LAPSED = "lapsed"
    # A minor's guardian never confirmed.
    UNCONFIRMED = "unconfirmed"


class Rating(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    UNSATISFIED = "unsatisfied"


class Consultation(Base):
    """A resident's legal question to the advisers of their community, and where it stands."""

    __tablename__ = "legal_consultations"
    __table_args__ = (
        # The adviser's queue: their consultations in a state, soonest due first.
        Index("ix_legal_consultations_adviser_id_state_due_at", "adviser_id", "state", "due_at"),
        # The adviser's closed consultations, newest first.
        Index(
            "ix_legal_consultations_adviser_id_state_closed_at", "adviser_id", "state", "closed_at"
        ),
        # The supervisor's view of an area, overdue first.
        Index("ix_legal_consultations_state_due_at", "state", "due_at"),
        # The resident's own consultations, newest first (a minor's not sent yet among them).
        Index("ix_legal_consultations_user_id_created_at", "user_id", "created_at"),
        # The sweep: consultations with a clock still to watch.
        Index("ix_legal_consultations_sweep_at", "sweep_at"),
        # Retention: closed consultations whose documents are still kept, oldest closed first
        # (those done with are skipped by the first column, however many years pile up).
        Index(
            "ix_legal_consultations_documents_deleted_at_closed_at",
            "documents_deleted_at",
            "closed_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The resident's community: its advisers are asked first, then the street's, the district's.
    community_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    topic_id: Mapped[int] = mapped_column(ForeignKey("legal_topics.id"))
    state: Mapped[ConsultationState] = mapped_column(enum_column(ConsultationState))
    locale: Mapped[str] = mapped_column(String(20), default="zh_Hans_CN")
    # Only for the conflict check: the adviser sees it before the question.
    other_party: Mapped[str] = mapped_column(String(OTHER_PARTY_MAX), default="")
    # The separate consent to the adviser reading what the resident wrote (PIPL: sensitive).
    consented_at: Mapped[datetime]
    is_minor: Mapped[bool] = mapped_column(Boolean, default=False)
    guardian_phone: Mapped[str | None] = mapped_column(String(11))
    guardian_confirmed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the question was sent to an adviser (after the guardian's code, for a minor).
    asked_at: Mapped[datetime | None]
    adviser_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # When the adviser said they have no conflict and so could read the question.
    cleared_at: Mapped[datetime | None]
    # The answer due for the question now waiting (None: nothing waits).
    due_at: Mapped[datetime | None]
    follow_ups: Mapped[int] = mapped_column(Integer, default=0)
    last_answer_at: Mapped[datetime | None]
    # The next moment the sweep must look at it: a reminder, an escalation or closing.
    sweep_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    rating: Mapped[Rating | None] = mapped_column(enum_column(Rating))
    rating_comment: Mapped[str] = mapped_column(String(500), default="")
    rated_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_because: Mapped[ClosedBecause | None] = mapped_column(enum_column(ClosedBecause))
    documents_deleted_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    adviser: Mapped[User | None] = relationship(foreign_keys=[adviser_id])
    community: Mapped[Place] = relationship(lazy="joined")
    topic: Mapped[LegalTopic] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Consultation {self.reference} {self.state}>"


class EntryKind(StrEnum):
    QUESTION = "question"  # the first question, or a follow-up
    ANSWER = "answer"


class ConsultationEntry(Base):
    """One message of a consultation's thread: the resident's question or follow-up (with the
    answer it is due by), or the adviser's answer (with the laws it cites)."""

    __tablename__ = "legal_consultation_entries"
    __table_args__ = (
        Index("ix_legal_consultation_entries_consultation_id_id", "consultation_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("legal_consultations.id"))
    kind: Mapped[EntryKind] = mapped_column(enum_column(EntryKind))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    # An answer's citations: [{"law": "中华人民共和国民法典", "article": "第一千零七十九条"}].
    citations: Mapped[list[Any]] = mapped_column(JSON, default=list)
    written_at: Mapped[datetime]
    # A question's answer: when it was due and when it came (for the on-time share).
    due_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]

    author: Mapped[User] = relationship()


class AssignmentEnd(StrEnum):
    CONFLICT = "conflict"  # the adviser declared a conflict of interest
    REASSIGNED = "reassigned"  # a supervisor gave it to another adviser
    # The adviser no longer answers there (their role was taken back, their account closed).
    LEFT = "left"


class Assignment(Base):
    """Who a consultation was given to, when, and why it left them: the rotation's record."""

    __tablename__ = "legal_assignments"
    __table_args__ = (
        Index("ix_legal_assignments_consultation_id_id", "consultation_id", "id"),
        Index("ix_legal_assignments_adviser_id", "adviser_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("legal_consultations.id"))
    adviser_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The place whose advisers it came from (community, street or district).
    pool_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    # None: by rotation; a supervisor's id when they chose the adviser.
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    ended_because: Mapped[AssignmentEnd | None] = mapped_column(enum_column(AssignmentEnd))
    # A conflict's reason: only supervisors read it.
    reason: Mapped[str] = mapped_column(String(300), default="")

    adviser: Mapped[User] = relationship(foreign_keys=[adviser_id])


class AnswerSnippet(Base):
    """A piece of answer an adviser keeps for questions that repeat."""

    __tablename__ = "legal_answer_snippets"
    __table_args__ = (Index("ix_legal_answer_snippets_adviser_id_title", "adviser_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    adviser_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class FaqState(StrEnum):
    # The adviser proposed it; the resident has been sent the link and has not agreed yet.
    ASKED = "asked"
    # The resident agreed (with an SMS code); the adviser writes the anonymised version.
    CONSENTED = "consented"
    # Written and checked; waits for a supervisor.
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    # The resident said no, or a supervisor took it down.
    WITHDRAWN = "withdrawn"


class Faq(Base):
    """A public question and answer made from a closed consultation: only with the resident's
    consent, only anonymised, only once a supervisor publishes it."""

    __tablename__ = "legal_faqs"
    __table_args__ = (
        # The public list of a topic, newest first.
        Index("ix_legal_faqs_state_topic_id_published_at", "state", "topic_id", "published_at"),
        # The public list of every topic, newest first.
        Index("ix_legal_faqs_state_published_at", "state", "published_at"),
        # The adviser's drafts to write.
        Index("ix_legal_faqs_proposed_by_id_state", "proposed_by_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("legal_consultations.id"), unique=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("legal_topics.id"))
    state: Mapped[FaqState] = mapped_column(enum_column(FaqState))
    # The consent page's link carries this token; only its SHA-256 digest is kept.
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime]
    consented_at: Mapped[datetime | None]
    refused_at: Mapped[datetime | None]
    question: Mapped[str] = mapped_column(Text, default="")
    answer: Mapped[str] = mapped_column(Text, default="")
    # What the anonymisation check found at the last save: [{"kind": "phone", "text": ...}].
    flags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    submitted_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]

    consultation: Mapped[Consultation] = relationship()
    topic: Mapped[LegalTopic] = relationship(lazy="joined")


class FaqWord(Base):
    """A word of a published answer, cut by the segmenter (jieba): the search index. A query is
    cut the same way, and an answer matches when it holds every word."""

    __tablename__ = "legal_faq_words"
    __table_args__ = (UniqueConstraint("word", "faq_id", name="uq_legal_faq_words_word_faq_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(String(40))
    faq_id: Mapped[int] = mapped_column(ForeignKey("legal_faqs.id"), index=True)
