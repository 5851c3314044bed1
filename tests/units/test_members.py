"""members(): the one way a unit's members are read, for whoever tells them or checks them."""

from __future__ import annotations

import pytest

from portal.permissions import Role
from portal.units.models import Unit, UnitMember
from portal.units.services import members
from tests import factories


@pytest.fixture
def units(session, tree) -> tuple[Unit, Unit]:
    housing = Unit(code="housing", place=tree.district, name_zh="住建局", name_en="Housing")
    police = Unit(code="police", place=tree.district, name_zh="派出所", name_en="Police")
    session.add_all([housing, police])
    session.flush()
    return housing, police


def officer(session, tree, name: str):
    return factories.user(session, Role.OFFICER, tree.district, name=name)


def test_members_are_the_active_officers_of_that_unit_alone_by_account(session, tree, units, now):
    housing, police = units
    later, earlier, disabled, elsewhere = (
        officer(session, tree, name) for name in ("后加", "先建", "停用", "别的单位")
    )
    # Added in an order other than their accounts': members come by account, the same each time.
    session.add_all(
        [
            UnitMember(unit=housing, user=later, added_at=now),
            UnitMember(unit=housing, user=disabled, added_at=now),
            UnitMember(unit=housing, user=earlier, added_at=now.replace(year=now.year + 1)),
            UnitMember(unit=police, user=elsewhere, added_at=now),
        ]
    )
    disabled.disabled_at = now
    session.flush()
    assert members(session, housing) == [later, earlier]
    assert members(session, police) == [elsewhere]


def test_a_unit_without_members_has_none(session, tree, units):
    assert members(session, units[0]) == []
