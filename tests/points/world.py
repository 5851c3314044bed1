"""A district with grid points rules, its coordinators and residents, for the points tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.permissions import Role
from portal.points import earning_rules
from portal.points.models import PointsRule
from tests import factories
from tests.factories import Tree

# 16:00 in Shanghai, a Friday.
NOW = datetime(2026, 12, 4, 8, tzinfo=UTC)


@dataclass
class World:
    tree: Tree
    admin: User
    coordinator: User
    secretary: User
    stranger: User  # a coordinator of the other community
    resident: User
    cleanup: PointsRule  # +5, credited at once, 5 a day
    commendation: PointsRule  # +20, reviewed and on notice, 2 a year


def rule(session: Session, admin: User, district, **values) -> PointsRule:
    defaults = {"name_zh": "参加社区清洁", "name_en": "Community clean-up", "points": 5,
                "needs_review": False}  # fmt: skip
    checked = earning_rules.check_values(**(defaults | values))
    return earning_rules.add_rule(session, admin, district, checked, now=NOW)


def make_world(session: Session) -> World:
    tree = factories.tree(session)
    admin = factories.user(session, Role.ADMIN, tree.district, name="区管理员")
    world = World(
        tree=tree,
        admin=admin,
        coordinator=factories.user(session, Role.COORDINATOR, tree.community, name="王协调"),
        secretary=factories.user(session, Role.SECRETARY, tree.community, name="李书记"),
        stranger=factories.user(session, Role.COORDINATOR, tree.other_community, name="赵协调"),
        resident=factories.user(session, name="张三丰", phone="13800138000"),
        cleanup=rule(session, admin, tree.district, per_day=5),
        commendation=rule(
            session,
            admin,
            tree.district,
            name_zh="区级表彰",
            name_en="District commendation",
            points=20,
            needs_review=True,
            per_year=2,
        ),
    )
    session.flush()
    return world
