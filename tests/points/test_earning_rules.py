"""A district's earning rules: kept by its administrators only, checked, changed for awards
from then on, retired and never deleted."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.errors import Forbidden, Invalid
from portal.permissions import Role
from portal.points import earning_rules
from tests import factories
from tests.points.world import NOW, make_world, rule


@pytest.fixture
def world(session, app_context):
    return make_world(session)


def test_an_administrator_adds_a_rule_to_their_district(session, world):
    made = rule(session, world.admin, world.tree.district, name_zh="夜校听课",
                name_en="Evening class", points="５", per_month="8")  # fmt: skip
    assert (made.points, made.per_day, made.per_month, made.needs_review) == (5, None, 8, False)
    assert made in earning_rules.district_rules(session, world.admin, world.tree.district)
    [event] = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "points.add_rule", AuditEvent.target_id == str(made.id)
        )
    ).all()
    assert event.actor_id == world.admin.id and event.details["points"] == 5


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"name_zh": " "}, "name_zh", "Name the deed in Chinese."),
        ({"name_zh": "长" * 31}, "name_zh", "Keep the Chinese name within 30 characters."),
        ({"name_en": ""}, "name_en", "Name the deed in English."),
        ({"points": "0"}, "points", "Points are a whole number from 1 to 1,000."),
        ({"points": "1001"}, "points", "Points are a whole number from 1 to 1,000."),
        ({"points": "2.5"}, "points", "Points are a whole number from 1 to 1,000."),
        ({"points": "-5"}, "points", "Points are a whole number from 1 to 1,000."),
        ({"per_day": "0"}, "per_day", "A limit is a whole number from 1 to 999, or empty for none."),
        ({"per_year": "abc"}, "per_year", "A limit is a whole number from 1 to 999, or empty for none."),
        ({"per_day": "6", "per_month": "5"}, "per_day", "A day's limit cannot be more than the month's."),
        ({"per_month": "20", "per_year": "10"}, "per_month", "A month's limit cannot be more than the year's."),
    ],
)  # fmt: skip
def test_a_rule_that_makes_no_sense_is_refused_beside_its_field(values, field, message):
    typed = {"name_zh": "参加社区清洁", "name_en": "Clean-up", "points": "5", "needs_review": False}
    with pytest.raises(Invalid) as refused:
        earning_rules.check_values(**(typed | values))
    assert refused.value.details["field"] == field
    assert refused.value.message == message


def test_only_the_districts_administrators_keep_its_rules(session, world):
    values = earning_rules.check_values(name_zh="社区表彰", name_en="Commendation", points=5,
                                        needs_review=True)  # fmt: skip
    other_district = factories.place(session, None, "另一区")
    for who in (world.coordinator, world.secretary, world.resident):
        with pytest.raises(Forbidden):
            earning_rules.add_rule(session, who, world.tree.district, values, now=NOW)
        with pytest.raises(Forbidden):
            earning_rules.change_rule(session, who, world.cleanup, values, now=NOW)
        with pytest.raises(Forbidden):
            earning_rules.retire_rule(session, who, world.cleanup, retired=True, now=NOW)
        with pytest.raises(Forbidden):
            earning_rules.district_rules(session, who, world.tree.district)
    with pytest.raises(Forbidden):
        earning_rules.add_rule(session, world.admin, other_district, values, now=NOW)
    street_admin = factories.user(session, Role.ADMIN, world.tree.street)
    with pytest.raises(Forbidden):
        earning_rules.add_rule(session, street_admin, world.tree.district, values, now=NOW)
    assert earning_rules.managed_districts(session, world.admin) == [world.tree.district]
    assert earning_rules.managed_districts(session, world.coordinator) == []


def test_a_change_counts_from_then_on_and_a_retired_rule_is_no_longer_offered(session, world):
    values = earning_rules.check_values(name_zh="参加社区清洁", name_en="Clean-up", points=8,
                                        needs_review=False, per_day=3)  # fmt: skip
    earning_rules.change_rule(session, world.admin, world.cleanup, values, now=NOW)
    assert (world.cleanup.points, world.cleanup.per_day) == (8, 3)
    offered = earning_rules.offered_rules(session, world.tree.district)
    assert world.cleanup in offered
    earning_rules.retire_rule(session, world.admin, world.cleanup, retired=True, now=NOW)
    assert world.cleanup not in earning_rules.offered_rules(session, world.tree.district)
    assert world.cleanup in earning_rules.district_rules(session, world.admin, world.tree.district)
    earning_rules.retire_rule(session, world.admin, world.cleanup, retired=False, now=NOW)
    assert world.cleanup in earning_rules.offered_rules(session, world.tree.district)
