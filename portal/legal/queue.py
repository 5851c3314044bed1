"""The adviser's queue: the consultations waiting on them, soonest due first; those they
answered that are still open (the resident may follow up), newest answer first; and those
closed, newest first (where an answer worth publishing is proposed). Paged, and answered from
the indexes on (adviser, state, due time) and (adviser, state, closing time). The list shows no
question text, so reading it is not audited.
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
    CLOSED = "closed"


LISTED = {
    Shown.WAITING: ConsultationState.WAITING,
    Shown.ANSWERED: ConsultationState.ANSWERED,
    Shown.CLOSED: ConsultationState.CLOSED,
}
ORDER = {
    Shown.WAITING: (Consultation.due_at, Consultation.id),
    Shown.ANSWERED: (Consultation.last_answer_at.desc(), Consultation.id.desc()),
    Shown.CLOSED: (Consultation.closed_at.desc(), Consultation.id.desc()),
}


@dataclass
class Queue:
    shown: str
    page: Page
    waiting: int
    answered: int
    closed: int


def counts(session: Session, adviser: User) -> dict[ConsultationState, int]:
    """How many of the adviser's consultations are in each state."""
    rows = session.execute(
        select(Consultation.state, func.count())
        .where(Consultation.adviser_id == adviser.id, Consultation.state.in_(LISTED.values()))
        .group_by(Consultation.state)
    )
    return dict(rows.all())


def adviser_queue(session: Session, adviser: User, shown: str, raw_page: str | None) -> Queue:
    """One page of the adviser's waiting consultations (soonest due first) or, with `shown`
    "answered", of those answered and still open (newest answer first), or "closed", of those
    closed (newest first)."""
    if shown not in LISTED:
        shown = Shown.WAITING
    query = (
        select(Consultation)
        .where(Consultation.adviser_id == adviser.id, Consultation.state == LISTED[shown])
        .order_by(*ORDER[shown])
    )
    number = counts(session, adviser)
    # The counts are the pages' totals already: no second count.
    at = page_number(raw_page)
    items = list(session.scalars(query.limit(PER_PAGE).offset((at - 1) * PER_PAGE)))
    page = Page(items=items, number=at, per_page=PER_PAGE, total=number.get(LISTED[shown], 0))
    return Queue(
        shown=shown,
        page=page,
        waiting=number.get(ConsultationState.WAITING, 0),
        answered=number.get(ConsultationState.ANSWERED, 0),
        closed=number.get(ConsultationState.CLOSED, 0),
    )
