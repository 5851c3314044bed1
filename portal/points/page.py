"""What a resident sees of their grid points: what they hold, how they earned it (a page of
their account's history, newest first, read by the ledger's index on account and id), and
their awards still in review or on public notice.

Pages only read: an account no point has come into yet is shown as empty, never made here.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.errors import Forbidden
from portal.ledger import services as ledger
from portal.ledger.models import LedgerMovement
from portal.permissions import Actor
from portal.points import accounts
from portal.points.awards import deed_name
from portal.points.expiry import EXPIRED
from portal.points.models import AwardState, PointsAward
from portal.points.orders import PAID

PER_PAGE = 20


@dataclass(frozen=True)
class Line:
    """One movement of a person's points, in plain words."""

    movement: LedgerMovement
    text: str


@dataclass
class PointsPage:
    held: int
    lines: list[Line]
    # The movement id to ask for the next (older) page with, if there is one.
    older: int | None
    pending: list[PointsAward]


def _describe(movement: LedgerMovement, awarded: dict[int, PointsAward]) -> str:
    transfer = movement.transfer
    if transfer.kind == ledger.REVERSAL:
        return str(_l("Undone: %(reason)s", reason=transfer.memo))
    if transfer.kind == accounts.AWARDED:
        award = awarded.get(accounts.award_id_of(transfer.subject) or 0)
        if award is not None:
            return str(_l("Awarded: %(deed)s", deed=deed_name(award.rule)))
        return str(_l("Awarded: %(deed)s", deed=transfer.memo))
    if transfer.kind == EXPIRED:
        return str(_l("Lapsed at the end of %(year)s", year=transfer.memo))
    if transfer.kind == PAID:
        return str(_l("Points shop: %(reward)s", reward=transfer.memo))
    return str(_l("Other movement"))


def points_page(session: Session, actor: Actor, *, older: int | None) -> PointsPage:
    """The signed-in person's points: balance, a page of history, awards not yet credited."""
    if not getattr(actor, "is_authenticated", False) or actor.id is None:
        raise Forbidden(_l("Sign in to see your points."))
    held = accounts.held_account(session, actor.id)
    movements: list[LedgerMovement] = []
    if held is not None:
        movements = ledger.history(session, held, before_id=older, limit=PER_PAGE + 1)
    more = len(movements) > PER_PAGE
    movements = movements[:PER_PAGE]
    ids = {accounts.award_id_of(each.transfer.subject) for each in movements} - {None}
    awarded = {}
    if ids:
        awarded = {
            award.id: award
            for award in session.scalars(select(PointsAward).where(PointsAward.id.in_(ids)))
        }
    pending = list(
        session.scalars(
            select(PointsAward)
            .where(
                PointsAward.user_id == actor.id,
                PointsAward.state.in_((AwardState.REVIEWING, AwardState.NOTICE)),
            )
            .order_by(PointsAward.id.desc())
            .limit(50)
        )
    )
    return PointsPage(
        held=held.balance if held is not None else 0,
        lines=[Line(each, _describe(each, awarded)) for each in movements],
        older=movements[-1].id if more else None,
        pending=pending,
    )


def home_panel(session: Session, actor: Actor, _subject: object) -> dict | None:
    """The points a signed-in person holds, on their volunteering page."""
    if not getattr(actor, "is_authenticated", False) or actor.id is None:
        return None
    held = accounts.held_account(session, actor.id)
    return {"held": held.balance if held is not None else 0}
