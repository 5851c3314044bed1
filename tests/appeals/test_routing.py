"""Which queue an appeal goes to: its level's place, or the unit of its item at level 3."""

from __future__ import annotations

import pytest

from portal.appeals import services
from portal.errors import Forbidden, Invalid
from portal.permissions import Role
from portal.units import services as units
from tests import factories
from tests.appeals.conftest import (
    MINUTE,
    file_appeal,
    item,
    level_three,
    messages,
    queue,
)

pytestmark = pytest.mark.usefixtures("app_context")


def test_each_level_goes_to_its_own_queue(session, tree, staff, now):
    for code, place in [("rubbish-in-corridor", tree.grid), ("neighbour-noise", tree.community),
                        ("unpaid-wages", tree.street)]:  # fmt: skip
        appeal = file_appeal(session, tree.building, now, item_id=item(session, code).id)
        assert appeal.queue_place == place, code


def test_level_three_goes_to_the_items_unit_whose_members_alone_take_it(
    session, tree, staff, department, now
):
    appeal = file_appeal(session, tree.building, now, item_id=level_three(session, department).id)
    assert appeal.unit == department.unit and appeal.queue_place is None and appeal.level == 3
    assert [m.phone for m in messages(session, "appeal_new")] == [department.member.phone]
    assert queue(session, department.member, now) == [appeal]
    assert queue(session, staff.officer, now) == []
    assert services.can_view(staff.officer, appeal) and not services.can_act(staff.officer, appeal)
    with pytest.raises(Forbidden):
        services.accept(session, staff.officer, appeal, now=now)
    services.accept(session, department.member, appeal, now=now + MINUTE)
    assert appeal.handler == department.member


def test_without_a_unit_serving_the_building_level_three_goes_to_the_street_office(
    session, tree, staff, department, now
):
    department.unit.place = tree.other_street
    appeal = file_appeal(session, tree.building, now, item_id=level_three(session, department).id)
    assert appeal.unit is None and appeal.queue_place == tree.street
    department.unit.place = tree.district
    department.unit.retired_at = now
    again = file_appeal(session, tree.building, now, item_id=level_three(session, department).id)
    assert again.unit is None and again.queue_place == tree.street


def test_a_unit_with_reports_in_hand_is_not_retired(
    session, tree, staff, department, now, settings
):
    admin = factories.user(session, Role.ADMIN, None, name="周管理")
    wages = level_three(session, department)
    appeal = file_appeal(session, tree.building, now, item_id=wages.id)
    wages.unit = None  # the item goes elsewhere now; the report in hand stays with the unit
    with pytest.raises(Invalid, match="still being handled"):
        units.set_unit_retired(session, admin, department.unit, True, now=now)
    services.accept(session, department.member, appeal, now=now)
    services.resolve(session, department.member, appeal, "已处理", now=now, settings=settings)
    units.set_unit_retired(session, admin, department.unit, True, now=now)
    assert department.unit.retired_at == now
