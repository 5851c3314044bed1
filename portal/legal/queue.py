"""The adviser's queue: the consultations waiting on them, soonest due first, and those they
answered that are still open (the resident may follow up), newest answer first. Paged, and
answered from the index on (adviser, state, due time). The list shows no question text, so
reading it is not audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.legal.models import Consultation, ConsultationState
from portal.numbers import page_number
from portal.pagination import Page

PER_PAGE = 30


class Shown:
    WAITING = "waiting"
    ANSWERED = "answered"


@dataclass
class Queue:
    shown: str
    page: Page
    waiting: int
    answered: int


def counts(session: Session, adviser: User) -> dict[ConsultationState, int]:
    """How many of the adviser's consultations are waiting and answered."""
    rows = session.execute(
        select(Consultation.state, func.count())
        .where(
            Consultation.adviser_id == adviser.id,
            Consultation.state.in_((ConsultationState.WAITING, ConsultationState.ANSWERED)),
        )
        .group_by(Consultation.state)
    )
    return dict(rows.all())


def adviser_queue(session: Session, adviser: User, shown: str, raw_page: str | None) -> Queue:
    """One page of the adviser's waiting consultations (soonest due first) or, with
    `shown` "answered", of those answered and still open (newest answer first)."""
    if shown == Shown.ANSWERED:
        query = (
            select(Consultation)
            .where(
                Consultation.adviser_id == adviser.id,
                Consultation.state == ConsultationState.ANSWERED,
            )
            .order_by(Consultation.last_answer_at.desc(), Consultation.id.desc())
        )
    else:
        shown = Shown.WAITING
        query = (
            select(Consultation)
            .where(
                Consultation.adviser_id == adviser.id,
                Consultation.state == ConsultationState.WAITING,
            )
            .order_by(Consultation.due_at, Consultation.id)
        )
    number = counts(session, adviser)
    waiting = number.get(ConsultationState.WAITING, 0)
    answered = number.get(ConsultationState.ANSWERED, 0)
    # The counts are the pages' totals already: no second count.
    at = page_number(raw_page)
    items = list(session.scalars(query.limit(PER_PAGE).offset((at - 1) * PER_PAGE)))
    total = answered if shown == Shown.ANSWERED else waiting
    page = Page(items=items, number=at, per_page=PER_PAGE, total=total)
    return Queue(shown=shown, page=page, waiting=waiting, answered=answered)
