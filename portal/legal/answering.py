"""The adviser's work on a consultation: the conflict check before reading it (no conflict, or
a conflict that passes it on by rotation), and the answer with the laws it cites.

Only the adviser the consultation is given to acts here; to anyone else it does not exist.
Functions take a Session, the acting user, plain values and `now`; they flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.audit import services as audit
from portal.errors import Invalid
from portal.legal import asking, clocks, rotation
from portal.legal.access import is_advisers, not_found
from portal.legal.messages import ANSWERED_SMS, CONSULTATION_NEW_SMS
from portal.legal.models import (
    Assignment,
    AssignmentEnd,
    Consultation,
    ConsultationEntry,
    ConsultationState,
    EntryKind,
)
from portal.legal.settings import LegalSettings
from portal.notifications.services import queue_sms

ANSWER_MAX = 5000
REASON_MAX = 300
LAW_MAX = 100
ARTICLE_MAX = 50
OPEN = (ConsultationState.WAITING, ConsultationState.ANSWERED)


@dataclass(frozen=True)
class Citation:
    law: str
    article: str = ""


def _require_adviser(actor: User, consultation: Consultation) -> None:
    if not is_advisers(actor, consultation):
        raise not_found()


def current_assignment(session: Session, consultation: Consultation) -> Assignment | None:
    """The assignment that gave the consultation to its adviser now."""
    return session.scalar(
        select(Assignment)
        .where(
            Assignment.consultation_id == consultation.id,
            Assignment.adviser_id == consultation.adviser_id,
            Assignment.ended_at.is_(None),
        )
        .order_by(Assignment.id.desc())
        .limit(1)
    )


def end_assignment(
    session: Session,
    consultation: Consultation,
    because: AssignmentEnd,
    *,
    now: datetime,
    reason: str = "",
) -> None:
    """Close the record of the adviser leaving the consultation (rotation never gives it back)."""
    assignment = current_assignment(session, consultation)
    if assignment is not None:
        assignment.ended_at = now
        assignment.ended_because = because
        assignment.reason = reason
    session.flush()


def thread_url(settings: LegalSettings, consultation: Consultation) -> str:
    """The resident's page of the consultation, as an absolute link for an SMS."""
    return f"{settings.base_url}/legal/consultations/{consultation.reference}"


def text_assigned(session: Session, consultation: Consultation, now: datetime) -> None:
    """Tell the adviser the consultation is now theirs, with its deadline (the text of a new
    consultation: they check for a conflict first)."""
    if consultation.adviser_id is None or consultation.due_at is None:
        return
    asking.text_adviser(session, consultation, CONSULTATION_NEW_SMS, now=now)


def after_adviser_changed(
    session: Session, consultation: Consultation, settings: LegalSettings, now: datetime
) -> None:
    """The new adviser (if any) is texted and will be reminded; the deadline does not move."""
    session.refresh(consultation, ["adviser"])
    consultation.reminded_at = None
    consultation.sweep_at = clocks.next_sweep(consultation, settings)
    if consultation.state is ConsultationState.WAITING:
        text_assigned(session, consultation, now)
    session.flush()


def clear(session: Session, actor: User, consultation: Consultation, *, now: datetime) -> None:
    """The adviser declares no conflict of interest, and so may read the question."""
    _require_adviser(actor, consultation)
    if consultation.state not in OPEN:
        raise Invalid(_l("This consultation is closed."))
    if consultation.cleared_at is None:
        consultation.cleared_at = now
        audit.record(session, "legal.consultation.cleared", actor=actor, now=now,
                     target=consultation)  # fmt: skip
    session.flush()


def declare_conflict(
    session: Session,
    actor: User,
    consultation: Consultation,
    reason: str,
    *,
    settings: LegalSettings,
    now: datetime,
) -> Assignment | None:
    """The adviser has a conflict of interest: the consultation passes to the next adviser by
    rotation (never back to them), with the same deadline; the reason is for supervisors only.
    Returns the new assignment, None when nobody is left (the sweep then tells supervisors)."""
    _require_adviser(actor, consultation)
    if consultation.state not in OPEN:
        raise Invalid(_l("This consultation is closed."))
    reason = " ".join(reason.split())
    if not reason:
        raise Invalid(_l("Say what the conflict is: only supervisors read it."), field="reason")
    if len(reason) > REASON_MAX:
        raise Invalid(_l("Keep the reason within 300 characters."), field="reason")
    end_assignment(session, consultation, AssignmentEnd.CONFLICT, now=now, reason=reason)
    audit.record(session, "legal.consultation.conflict", actor=actor, now=now,
                 target=consultation)  # fmt: skip
    made = rotation.assign(session, consultation, now=now)
    after_adviser_changed(session, consultation, settings, now)
    return made


def parse_citations(rows: list[tuple[str, str]]) -> list[Citation]:
    """The rows of law and article the adviser filled; empty rows are left out."""
    citations = []
    for law, article in rows:
        law, article = " ".join(law.split()), " ".join(article.split())
        if not law and not article:
            continue
        if not law:
            raise Invalid(_l("Give the name of the law for each article you cite."),
                          field="citations")  # fmt: skip
        if len(law) > LAW_MAX or len(article) > ARTICLE_MAX:
            raise Invalid(_l("A law's name is at most 100 characters, an article 50."),
                          field="citations")  # fmt: skip
        citations.append(Citation(law, article))
    return citations


def waiting_question(session: Session, consultation: Consultation) -> ConsultationEntry | None:
    """The question (first or follow-up) still waiting for its answer."""
    return session.scalar(
        select(ConsultationEntry)
        .where(
            ConsultationEntry.consultation_id == consultation.id,
            ConsultationEntry.kind == EntryKind.QUESTION,
            ConsultationEntry.answered_at.is_(None),
        )
        .order_by(ConsultationEntry.id.desc())
        .limit(1)
    )


def answer(
    session: Session,
    actor: User,
    consultation: Consultation,
    body: str,
    citations: list[Citation],
    *,
    settings: LegalSettings,
    now: datetime,
) -> ConsultationEntry:
    """The adviser answers the question waiting; the resident is texted a link to the thread."""
    _require_adviser(actor, consultation)
    if consultation.cleared_at is None:
        raise Invalid(_l("Declare first that you have no conflict of interest."))
    if consultation.state is not ConsultationState.WAITING:
        raise Invalid(_l("No question is waiting for an answer."))
    body = body.strip()
    if not body:
        raise Invalid(_l("Write your answer."), field="body")
    if len(body) > ANSWER_MAX:
        raise Invalid(_l("Keep the answer within 5,000 characters."), field="body")
    entry = ConsultationEntry(
        consultation_id=consultation.id,
        kind=EntryKind.ANSWER,
        author_id=actor.id,
        body=body,
        citations=[{"law": c.law, "article": c.article} for c in citations],
        written_at=now,
    )
    session.add(entry)
    question = waiting_question(session, consultation)
    if question is not None:
        question.answered_at = now
    consultation.last_answer_at = now
    consultation.state = ConsultationState.ANSWERED
    consultation.due_at = None
    consultation.sweep_at = clocks.next_sweep(consultation, settings)
    session.flush()
    audit.record(session, "legal.consultation.answered", actor=actor, now=now,
                 target=consultation, details={"entry": entry.id})  # fmt: skip
    resident = consultation.user
    queue_sms(
        session,
        phone=resident.phone,
        kind=ANSWERED_SMS,
        params={"reference": consultation.reference, "url": thread_url(settings, consultation)},
        locale=consultation.locale,
        key=f"legal:{consultation.id}:answered:{entry.id}",
        cause=f"legal_consultations:{consultation.id}",
        now=now,
    )
    return entry
