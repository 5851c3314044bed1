"""A resident's "notify me" (到货通知我): a wish to be texted when a reward that has run out is
back in stock. Texting them, once each, is the work of the RewardRestocked handler.

Functions take a Session, the acting person, plain values and `now`; they flush, never commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.errors import Forbidden, Invalid
from portal.permissions import Actor
from portal.points.models import RestockWish
from portal.points.orders import listed_reward


def _waiting(session: Session, user_id: int, reward_id: int) -> RestockWish | None:
    return session.scalar(
        select(RestockWish).where(
            RestockWish.reward_id == reward_id,
            RestockWish.user_id == user_id,
            RestockWish.notified_at.is_(None),
        )
    )


def ask_to_be_told(session: Session, resident: Actor, reward_id: Any, now: datetime) -> RestockWish:
    """The resident's wish to be texted when the reward is back; asking twice keeps one."""
    if not getattr(resident, "is_authenticated", False) or getattr(resident, "id", None) is None:
        raise Forbidden(_l("Sign in with your mobile number to be told."))
    reward = listed_reward(session, reward_id)
    if reward.stock > 0:
        raise Invalid(_l("There is some left: you may order it now."), field="reward")
    found = _waiting(session, resident.id, reward.id)
    if found is not None:
        return found
    made = RestockWish(reward_id=reward.id, user_id=resident.id, created_at=now)
    try:
        with session.begin_nested():
            session.add(made)
            session.flush()
    except IntegrityError:
        # The same resident's other tap, a moment ago: the partial unique index kept one.
        return _waiting(session, resident.id, reward.id)
    return made


def wished(session: Session, user_id: int | None, reward_ids: list[int]) -> set[int]:
    """Which of these rewards the resident is waiting to be told about (one query)."""
    if user_id is None or not reward_ids:
        return set()
    return set(
        session.scalars(
            select(RestockWish.reward_id).where(
                RestockWish.user_id == user_id,
                RestockWish.reward_id.in_(reward_ids),
                RestockWish.notified_at.is_(None),
            )
        )
    )
