"""The resident's thread of a consultation: what they read (questions and answers, newest
last, the deadline awaited), the follow-ups they may ask once answered (up to the district's
number; after that, a legal service day), and the rating that closes it.

Functions take a Session, the resident, plain values and `now`; they flush, never commit.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.errors import Invalid
from portal.legal import clocks
from portal.legal.access import is_residents, not_found
from portal.legal.asking import QUESTION_MIN, clean_text, text_adviser
from portal.legal.messages import FOLLOW_UP_SMS
from portal.legal.models import (
    QUESTION_MAX,
    ClosedBecause,
    Consultation,
    ConsultationEntry,
    ConsultationState,
    EntryKind,
    Rating,
)
from portal.legal.settings import LegalSettings
from portal.permissions import Actor

COMMENT_MAX = 500


def _require_residents(actor: Actor, consultation: Consultation) -> None:
    if not is_residents(actor, consultation):
        raise not_found()


def own_consultation(
    session: Session, actor: Actor, reference: str, *, for_update: bool = False
) -> Consultation:
    """The resident's own consultation `reference`; to anyone else, NotFound, as for a
    reference never issued."""
    query = select(Consultation).where(
        Consultation.reference == (reference or "").strip().upper()[:12]
    )
    if for_update:
        query = query.with_for_update(of=Consultation)
    consultation = session.scalar(query)
    if consultation is None:
        raise not_found()
    _require_residents(actor, consultation)
    return consultation


def residents_consultations(session: Session, actor: Actor) -> list[Consultation]:
    """The resident's own consultations, newest first."""
    if not getattr(actor, "is_authenticated", False):
        return []
    return list(
        session.scalars(
            select(Consultation)
            .where(Consultation.user_id == actor.id)
            .order_by(Consultation.created_at.desc(), Consultation.id.desc())
        )
    )


def entries(session: Session, consultation: Consultation) -> list[ConsultationEntry]:
    """The thread, oldest first (so newest last)."""
    return list(
        session.scalars(
            select(ConsultationEntry)
            .where(ConsultationEntry.consultation_id == consultation.id)
            .order_by(ConsultationEntry.id)
        )
    )


def can_follow_up(consultation: Consultation, settings: LegalSettings) -> bool:
    """Whether the resident may ask a follow-up now."""
    return (
        consultation.state is ConsultationState.ANSWERED
        and clocks.follow_ups_left(settings, consultation.follow_ups) > 0
    )


def follow_up(
    session: Session,
    actor: User,
    consultation: Consultation,
    body: str,
    *,
    settings: LegalSettings,
    now: datetime,
) -> ConsultationEntry:
    """The resident asks again after an answer: the adviser has `follow_up_days` working days
    to answer, and is texted."""
    _require_residents(actor, consultation)
    if consultation.state is not ConsultationState.ANSWERED:
        raise Invalid(_l("You can ask again once the adviser has answered."))
    if clocks.follow_ups_left(settings, consultation.follow_ups) == 0:
        raise Invalid(
            _l(
                "You have asked all the follow-up questions you can. Please book a legal service day."
            )
        )
    body = clean_text(body)
    if len(body) < QUESTION_MIN:
        raise Invalid(_l("Write your question."), field="body")
    if len(body) > QUESTION_MAX:
        raise Invalid(_l("Keep your question within 2,000 characters."), field="body")
    due = clocks.answer_due(session, settings, now, follow_up=True)
    entry = ConsultationEntry(
        consultation_id=consultation.id,
        kind=EntryKind.QUESTION,
        author_id=actor.id,
        body=body,
        citations=[],
        written_at=now,
        due_at=due,
    )
    session.add(entry)
    consultation.follow_ups += 1
    consultation.state = ConsultationState.WAITING
    consultation.due_at = due
    consultation.reminded_at = consultation.escalated_at = None
    consultation.sweep_at = clocks.next_sweep(consultation, settings)
    session.flush()
    if consultation.adviser_id is not None:
        text_adviser(session, consultation, FOLLOW_UP_SMS, now=now)
    return entry


def rate(
    session: Session,
    actor: User,
    consultation: Consultation,
    rating: Rating | str | None,
    comment: str = "",
    *,
    now: datetime,
) -> Consultation:
    """The resident rates the answers (满意 / 基本满意 / 不满意, a comment kept): it closes."""
    _require_residents(actor, consultation)
    if consultation.state is not ConsultationState.ANSWERED:
        raise Invalid(_l("You can rate the answer once the adviser has answered."))
    try:
        chosen = Rating(rating)
    except ValueError:
        raise Invalid(_l("Choose how satisfied you are."), field="rating") from None
    comment = clean_text(comment)
    if len(comment) > COMMENT_MAX:
        raise Invalid(_l("Keep your comment within 500 characters."), field="comment")
    consultation.rating = chosen
    consultation.rating_comment = comment
    consultation.rated_at = now
    consultation.state = ConsultationState.CLOSED
    consultation.closed_at = now
    consultation.closed_because = ClosedBecause.RATED
    consultation.due_at = None
    # Closed: no clock is left to watch.
    consultation.sweep_at = None
    session.flush()
    return consultation


def waiting_due(consultation: Consultation) -> datetime | None:
    """The deadline of the answer the resident awaits, if one is awaited."""
    if consultation.state is ConsultationState.WAITING:
        return consultation.due_at
    return None
