"""What the points shop shows: a community's rewards on the shelf (anyone may look), and a
resident's own orders, newest first, a page at a time by the index on (user_id, id).

Pages only read: nothing here writes, not even an account for a resident with no points yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.errors import Forbidden
from portal.ledger import services as ledger
from portal.permissions import Actor
from portal.places.models import Place
from portal.points import accounts, wishes
from portal.points.models import OrderState, PointsAward, Reward, RewardOrder

# More rewards than any shop shelves (青浦's has some 30).
SHELF_MAX = 200
ORDERS_PAGE = 20


@dataclass
class Shelf:
    community: Place
    rewards: list[Reward]
    # For a signed-in resident: what they hold, the rewards they asked to be told about, and
    # how many of each reward they have had (cancelled orders aside), for its limit.
    held: int | None = None
    wished: set[int] = field(default_factory=set)
    had: dict[int, int] = field(default_factory=dict)

    def short_of(self, reward: Reward) -> int:
        """The points a signed-in resident still needs for `reward` (0: they can order it)."""
        return 0 if self.held is None else max(reward.price - self.held, 0)


def signed_in(actor: Actor) -> bool:
    return (
        bool(getattr(actor, "is_authenticated", False)) and getattr(actor, "id", None) is not None
    )


def shelf(session: Session, actor: Actor, community: Place) -> Shelf:
    """The community's listed rewards, oldest listed first, and the resident's side of them."""
    rewards = list(
        session.scalars(
            select(Reward)
            .where(Reward.community_id == community.id, Reward.retired_at.is_(None))
            .order_by(Reward.id)
            .limit(SHELF_MAX)
        )
    )
    shown = Shelf(community, rewards)
    if not signed_in(actor):
        return shown
    held = accounts.held_account(session, actor.id)
    shown.held = ledger.balance(session, held) if held is not None else 0
    ids = [reward.id for reward in rewards]
    shown.wished = wishes.wished(session, actor.id, ids)
    if ids:
        shown.had = dict(
            session.execute(
                select(RewardOrder.reward_id, func.count())
                .where(
                    RewardOrder.user_id == actor.id,
                    RewardOrder.reward_id.in_(ids),
                    RewardOrder.state != OrderState.CANCELLED,
                )
                .group_by(RewardOrder.reward_id)
            ).all()
        )
    return shown


@dataclass
class OrdersPage:
    orders: list[RewardOrder]
    # The order id to ask for the next (older) page with, if there is one.
    older: int | None


def my_orders(session: Session, actor: Actor, *, older: int | None) -> OrdersPage:
    """The signed-in resident's orders, newest first, one page."""
    if not signed_in(actor):
        raise Forbidden(_l("Sign in to see your orders."))
    query = select(RewardOrder).where(RewardOrder.user_id == actor.id)
    if older is not None:
        query = query.where(RewardOrder.id < older)
    rows = list(session.scalars(query.order_by(RewardOrder.id.desc()).limit(ORDERS_PAGE + 1)))
    more = len(rows) > ORDERS_PAGE
    rows = rows[:ORDERS_PAGE]
    return OrdersPage(rows, rows[-1].id if more else None)


def home_community(session: Session, user_id: int) -> Place | None:
    """The community whose shop a resident's points page links: that of their latest order, or
    else of their latest award (two rows read by index; None for a resident with neither)."""
    latest = session.scalar(
        select(Reward.community_id)
        .join(RewardOrder, RewardOrder.reward_id == Reward.id)
        .where(RewardOrder.user_id == user_id)
        .order_by(RewardOrder.id.desc())
        .limit(1)
    )
    if latest is None:
        latest = session.scalar(
            select(PointsAward.community_id)
            .where(PointsAward.user_id == user_id)
            .order_by(PointsAward.id.desc())
            .limit(1)
        )
    return session.get(Place, latest) if latest is not None else None
