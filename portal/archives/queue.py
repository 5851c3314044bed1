"""An archive's queue, for its archivists at their desks: the requests to review, to answer,
and waiting for the resident's documents, soonest due first; the requests other archives
passed to it for help (协办), soonest due first; the results still to post or hand over,
longest waiting first; and the closed requests, newest first.

Each tab is one query on its index (models.py), the row's kind and archive loaded with it; the
open tabs are counted (a few rows each), the delivery and closed tabs, which grow for good, are
paged without a count. Reading the queue is not audited: it shows masked names only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, func, select, union_all
from sqlalchemy.orm import Session, contains_eager

from portal.archives import access
from portal.archives.models import (
    OPEN_STATES,
    Archive,
    ArchiveRequest,
    Assist,
    Delivery,
    RequestState,
)
from portal.errors import NotFound
from portal.numbers import page_number
from portal.permissions import Actor
from portal.verification.models import IssuedDocument

PER_PAGE = 30


class Tab(StrEnum):
    REVIEW = "review"
    ANSWER = "answer"
    WAITING = "waiting"  # for the resident's documents
    ASSISTS = "assists"  # passed to this archive for help
    DELIVER = "deliver"  # results on paper, to post or hand over
    CLOSED = "closed"


# The tabs of requests in one open state.
STATE_OF = {
    Tab.REVIEW: RequestState.SUBMITTED,
    Tab.ANSWER: RequestState.ACCEPTED,
    Tab.WAITING: RequestState.AWAITING_DOCUMENTS,
}
CLOSED_STATES = (RequestState.ANSWERED, RequestState.REFUSED)
PAPER = (Delivery.POST, Delivery.PICKUP)


@dataclass
class Listing:
    """One page of a tab: requests (or, for ASSISTS, assists with their requests)."""

    items: list[Any]
    number: int
    per_page: int
    has_next: bool
    # How many in all, for the tabs that are counted; None for the others.
    total: int | None = None

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def pages(self) -> int | None:
        return None if self.total is None else max(1, -(-self.total // self.per_page))


@dataclass
class Queue:
    archives: list[Archive]  # those the archivist works, to choose among
    archive: Archive
    tab: Tab
    listing: Listing
    counts: dict[Tab, int]  # the counted tabs


def chosen_archive(
    session: Session, actor: Actor, code: str | None
) -> tuple[list[Archive], Archive]:
    """The archives `actor` works and the one asked for by `code` (the first by default);
    NotFound for someone who works none, or asks for one they do not work."""
    archives = access.archives_of(session, actor)
    if not archives:
        raise NotFound(access.not_found().message)
    if not code:
        return archives, archives[0]
    for archive in archives:
        if archive.code == code.strip().lower():
            return archives, archive
    raise NotFound(access.not_found().message)


def counts(session: Session, archive: Archive) -> dict[Tab, int]:
    """How many requests wait in each open tab, and how many assists wait for its answer."""
    by_state = dict(
        session.execute(
            select(ArchiveRequest.state, func.count())
            .where(ArchiveRequest.archive_id == archive.id, ArchiveRequest.state.in_(OPEN_STATES))
            .group_by(ArchiveRequest.state)
        ).all()
    )
    found = {tab: by_state.get(state, 0) for tab, state in STATE_OF.items()}
    found[Tab.ASSISTS] = (
        session.scalar(
            select(func.count())
            .select_from(Assist)
            .join(ArchiveRequest, ArchiveRequest.id == Assist.request_id)
            .where(*_assist_waiting(archive))
        )
        or 0
    )
    return found


# Where an archivist's day starts, in this order: what only they can move on first.
FIRST_TABS = (Tab.REVIEW, Tab.ANSWER, Tab.ASSISTS, Tab.WAITING)


def _first_with_work(waiting: dict[Tab, int]) -> Tab:
    """The tab the queue opens on: the first with something in it (an archive asked to help
    mostly has assists), else the requests to review."""
    return next((tab for tab in FIRST_TABS if waiting.get(tab)), Tab.REVIEW)


def _in_state(archive: Archive, state: RequestState) -> Select:
    return (
        select(ArchiveRequest)
        .where(ArchiveRequest.archive_id == archive.id, ArchiveRequest.state == state)
        .order_by(ArchiveRequest.due_at, ArchiveRequest.id)
    )


def _assist_waiting(archive: Archive) -> tuple[Any, ...]:
    # The assists of requests refused meanwhile are nobody's work any more.
    return (
        Assist.archive_id == archive.id,
        Assist.answered_at.is_(None),
        ArchiveRequest.state.in_(OPEN_STATES),
    )


def _open_assists(archive: Archive) -> Select:
    return (
        select(Assist)
        .join(ArchiveRequest, ArchiveRequest.id == Assist.request_id)
        .where(*_assist_waiting(archive))
        .options(contains_eager(Assist.request))
        .order_by(Assist.due_at, Assist.id)
    )


def _to_deliver(archive: Archive, most: int) -> Select:
    """The oldest `most` answered requests whose paper is still to post or hand over: the
    oldest of each way (each read straight off the index on archive, state, delivery,
    dispatched_at, collected_at and closing time, skipping those done with however many years
    of them pile up), merged. A posted one is never collected, nor a collected one posted
    (answering.py), so "neither yet" is what is left to do."""
    oldest = [
        select(ArchiveRequest.id, ArchiveRequest.closed_at)
        .outerjoin(IssuedDocument, IssuedDocument.id == ArchiveRequest.letter_id)
        .where(
            ArchiveRequest.archive_id == archive.id,
            ArchiveRequest.state == RequestState.ANSWERED,
            ArchiveRequest.delivery == delivery,
            ArchiveRequest.dispatched_at.is_(None),
            ArchiveRequest.collected_at.is_(None),
            # A withdrawn letter is not handed out.
            IssuedDocument.withdrawn_at.is_(None),
        )
        .order_by(ArchiveRequest.closed_at, ArchiveRequest.id)
        .limit(most)
        .subquery()
        for delivery in PAPER
    ]
    merged = union_all(*(select(each.c.id, each.c.closed_at) for each in oldest)).subquery()
    return (
        select(ArchiveRequest)
        .join(merged, merged.c.id == ArchiveRequest.id)
        .order_by(merged.c.closed_at, merged.c.id)
    )


def _closed(archive: Archive, most: int) -> Select:
    """The newest `most` closed requests: the newest of each closed state (each from the index
    on archive, state and closing time), merged."""
    newest = [
        select(ArchiveRequest.id, ArchiveRequest.closed_at)
        .where(ArchiveRequest.archive_id == archive.id, ArchiveRequest.state == state)
        .order_by(ArchiveRequest.closed_at.desc(), ArchiveRequest.id.desc())
        .limit(most)
        .subquery()
        for state in CLOSED_STATES
    ]
    merged = union_all(*(select(each.c.id, each.c.closed_at) for each in newest)).subquery()
    return (
        select(ArchiveRequest)
        .join(merged, merged.c.id == ArchiveRequest.id)
        .order_by(merged.c.closed_at.desc(), merged.c.id.desc())
    )


def _page(session: Session, query: Select, number: int, total: int | None) -> Listing:
    offset = (number - 1) * PER_PAGE
    rows = list(session.scalars(query.limit(PER_PAGE + 1).offset(offset)).unique())
    return Listing(items=rows[:PER_PAGE], number=number, per_page=PER_PAGE,
                   has_next=len(rows) > PER_PAGE, total=total)  # fmt: skip


def archive_queue(
    session: Session, actor: Actor, code: str | None, tab: str | None, raw_page: str | None
) -> Queue:
    """One page of a tab of the queue of the archive `code` (the actor's first by default)."""
    archives, archive = chosen_archive(session, actor, code)
    number = page_number(raw_page)
    waiting = counts(session, archive)
    try:
        shown = Tab(tab) if tab else _first_with_work(waiting)
    except ValueError:
        shown = Tab.REVIEW
    if shown in STATE_OF:
        listing = _page(session, _in_state(archive, STATE_OF[shown]), number, waiting[shown])
    elif shown is Tab.ASSISTS:
        listing = _page(session, _open_assists(archive), number, waiting[shown])
    elif shown is Tab.DELIVER:
        listing = _page(session, _to_deliver(archive, number * PER_PAGE + 1), number, None)
    else:
        query = _closed(archive, number * PER_PAGE + 1)
        listing = _page(session, query, number, None)
    return Queue(archives=archives, archive=archive, tab=shown, listing=listing, counts=waiting)
