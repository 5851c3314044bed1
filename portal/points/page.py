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
from portal.ledger.models import LedgerMovement, LedgerTransfer
from portal.permissions import Actor
from portal.points import accounts
from portal.points.awards import deed_name
from portal.points.expiry import EXPIRED
from portal.points.models import AwardState, PointsAward, RewardOrder
from portal.points.orders import PAID, order_id_of
from portal.web.templating import local_text

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


@dataclass(frozen=True)
class Causes:
    """What the transfers of a page of history are about: the undone transfers of its
    reversals, and the awards and orders of both, by id."""

    undone: dict[int, LedgerTransfer]
    awards: dict[int, PointsAward]
    orders: dict[int, RewardOrder]


def _causes(session: Session, movements: list[LedgerMovement]) -> Causes:
    """Read in one query each, however long the page."""
    transfers = [each.transfer for each in movements]
    undone_ids = {each.reverses_id for each in transfers} - {None}
    undone = (
        {each.id: each for each in session.scalars(
            select(LedgerTransfer).where(LedgerTransfer.id.in_(undone_ids)))}
        if undone_ids else {}
    )  # fmt: skip
    subjects = [each.subject for each in [*transfers, *undone.values()]]
    award_ids = {accounts.award_id_of(subject) for subject in subjects} - {None}
    order_ids = {order_id_of(subject) for subject in subjects} - {None}
    found_awards = (
        {each.id: each for each in session.scalars(
            select(PointsAward).where(PointsAward.id.in_(award_ids)))}
        if award_ids else {}
    )  # fmt: skip
    found_orders = (
        {each.id: each for each in session.scalars(
            select(RewardOrder).where(RewardOrder.id.in_(order_ids)))}
        if order_ids else {}
    )  # fmt: skip
    return Causes(undone, found_awards, found_orders)


def _about(transfer: LedgerTransfer, causes: Causes) -> str | None:
    """The deed or reward a transfer is about, in the reader's language, when known."""
    award = causes.awards.get(accounts.award_id_of(transfer.subject) or 0)
    if award is not None:
        return deed_name(award.rule)
    order = causes.orders.get(order_id_of(transfer.subject) or 0)
    if order is not None:
        return local_text(order.reward.name_zh, order.reward.name_en)
    return None


def _describe(movement: LedgerMovement, causes: Causes) -> str:
    transfer = movement.transfer
    if transfer.kind == ledger.REVERSAL:
        undone = causes.undone.get(transfer.reverses_id or 0)
        if undone is not None and undone.kind == PAID:
            return str(_l("Refunded: %(reward)s", reward=_about(undone, causes) or undone.memo))
        about = _about(undone, causes) if undone is not None else None
        return str(_l("Undone: %(reason)s", reason=about or transfer.memo))
    if transfer.kind == accounts.AWARDED:
        return str(_l("Awarded: %(deed)s", deed=_about(transfer, causes) or transfer.memo))
    if transfer.kind == EXPIRED:
        return str(_l("Lapsed at the end of %(year)s", year=transfer.memo))
    if transfer.kind == PAID:
        return str(_l("Points shop: %(reward)s", reward=_about(transfer, causes) or transfer.memo))
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
    causes = _causes(session, movements)
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
        lines=[Line(each, _describe(each, causes)) for each in movements],
        older=movements[-1].id if more else None,
        pending=pending,
    )


def home_panel(session: Session, actor: Actor, _subject: object) -> dict | None:
    """The points a signed-in person holds, on their volunteering page."""
    if not getattr(actor, "is_authenticated", False) or actor.id is None:
        return None
    held = accounts.held_account(session, actor.id)
    return {"held": held.balance if held is not None else 0}
