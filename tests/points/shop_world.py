"""Rewards on a community's shelf and residents with points, for the points shop's tests
(rewards are added as rows: the coordinators' catalogue is another module's)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.ledger import services as ledger
from portal.ledger.models import Unit
from portal.places.models import Place
from portal.points import accounts
from portal.points.models import Reward, RewardKind
from portal.points.settings import PointsSettings
from tests.points.world import NOW

SETTINGS = PointsSettings(base_url="https://wg.example.cn")


def reward(session: Session, community: Place, **values) -> Reward:
    """A reward listed in `community`'s shop: 大米 5斤 for 300 points, 20 in stock."""
    made = Reward(
        **{"community_id": community.id, "kind": RewardKind.GOODS, "name_zh": "大米5斤",
           "name_en": "Rice, 2.5 kg", "price": 300, "stock": 20, "per_person": None,
           "pickup_zh": "社区服务中心一楼，工作日9:00–17:00",
           "pickup_en": "Community centre, ground floor, weekdays 9:00–17:00",
           "created_at": NOW} | values
    )  # fmt: skip
    session.add(made)
    session.flush()
    return made


def fund(session: Session, user: User, community: Place, points: int, now: datetime = NOW) -> None:
    """Give `user` points from the district's issuing account, as credited awards do."""
    issuer = accounts.issuer_account(session, community, now=now)
    own = accounts.person_account(session, user, now=now)
    ledger.post(session, None, unit=Unit.POINTS, kind="tests.grant",
                legs=[(issuer, -points), (own, points)], now=now)  # fmt: skip


def balance_of(session: Session, user: User) -> int:
    held = accounts.held_account(session, user.id)
    return ledger.balance(session, held) if held is not None else 0
