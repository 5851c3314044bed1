"""The staff queues: order and filters."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.appeals import queues, services
from portal.errors import Forbidden
from portal.permissions import Role
from tests import factories
from tests.appeals.conftest import (
    MINUTE,
    accepted,
    file_appeal,
    item,
    queue,
)

pytestmark = pytest.mark.usefixtures("app_context")


def test_the_queue_shows_overdue_first_then_by_deadline(session, tree, staff, now):
    late = file_appeal(session, tree.building, now - timedelta(hours=1))
    soon = file_appeal(session, tree.building, now)
    urgent = file_appeal(session, tree.building, now - 25 * MINUTE, urgent=True)
    services.accept(session, staff.grid_worker, urgent, now=now - 19 * MINUTE)
    elsewhere = file_appeal(session, tree.other_building, now)
    query = queues.queue_query(staff.grid_worker, queues.QueueFilter(), now=now)
    assert list(session.scalars(query)) == [late, urgent, soon]
    overdue = queues.QueueFilter(overdue=True)
    assert list(session.scalars(queues.queue_query(staff.grid_worker, overdue, now=now))) == [late]
    mine = queues.QueueFilter(view="mine")
    assert list(session.scalars(queues.queue_query(staff.grid_worker, mine, now=now))) == [urgent]
    assert (
        elsewhere
        in session.scalars(
            queues.queue_query(staff.other_grid_worker, queues.QueueFilter(), now=now)
        ).all()
    )
    with pytest.raises(Forbidden):
        queues.queue_query(factories.user(session), queues.QueueFilter(), now=now)


def test_the_queue_filters_by_stage_item_grid_and_due_today(session, tree, staff, now, settings):
    waiting = file_appeal(session, tree.building, now)
    handling = accepted(session, tree, staff, now)
    rubbish = item(session, "rubbish-in-corridor")
    other_kind = file_appeal(session, tree.building, now, item_id=rubbish.id)
    other_grid = file_appeal(session, tree.other_building, now)
    for appeal, worker in ((waiting, staff.grid_worker), (other_kind, staff.grid_worker)):
        services.relevel(session, worker, appeal, 3, "街道处理", now=now, settings=settings)
    services.relevel(
        session, staff.other_grid_worker, other_grid, 3, "街道处理", now=now, settings=settings
    )
    street = staff.officer
    assert set(queue(session, street, now, stage="waiting")) == {waiting, other_kind, other_grid}
    assert queue(session, staff.grid_worker, now, stage="handling") == [handling]
    assert queue(session, street, now, item_id=rubbish.id) == [other_kind]
    assert set(queue(session, street, now, grid_id=tree.other_grid.id)) == {other_grid}
    # The acceptance deadlines (10 minutes away) fall today; a resolution 7 days away does not.
    assert handling not in queue(session, staff.grid_worker, now, due_today=True)
    assert {g.id for g in queues.queue_grids(session, street)} == {
        tree.grid.id,
        tree.other_grid.id,
    }
    assert queues.end_of_local_day(now).astimezone(queues.SHANGHAI).hour == 0


def test_an_administrator_reads_every_open_report_of_their_district(session, tree, staff, now):
    admin = factories.user(session, Role.ADMIN, tree.district)
    here = file_appeal(session, tree.building, now)
    there = file_appeal(session, tree.other_building, now - MINUTE)
    place = None
    for name in ("别的区", "别的街道", "别的社区", "别的网格"):
        place = factories.place(session, place, name)
    elsewhere = factories.building(session, place, "别的楼")
    outside = file_appeal(session, elsewhere, now)
    assert queues.default_view(admin) == "area" and not queues.works_queues(admin)
    assert queue(session, admin, now) == [], "an administrator works no team's queue"
    assert queue(session, admin, now, view="area") == [there, here]
    assert queue(session, admin, now, view="area", grid_id=tree.other_grid.id) == [there]
    assert queue(session, admin, now, view="area", level=3) == []
    assert queues.owners(session, admin, "area") == [tree.district]
    assert {grid.id for grid in queues.queue_grids(session, admin, "area")} == {
        tree.grid.id,
        tree.other_grid.id,
    }
    portal_admin = factories.user(session, Role.ADMIN)
    assert outside in queue(session, portal_admin, now, view="area")
    assert queues.owners(session, portal_admin, "area") == [None]


def test_an_officer_s_queue_names_their_street_and_their_unit(session, tree, staff, department):
    assert queues.default_view(department.member) == "team"
    assert queues.owners(session, department.member, "team") == [
        tree.other_street,
        department.unit,
    ]
    assert queues.owners(session, staff.grid_worker, "team") == [tree.grid]


def test_the_grid_filter_lists_grids_community_by_community_in_order(session, tree, staff):
    """Grids in the order of their codes within their community (ids, and so paths, follow
    the order they were made in: 第3网格 made first must not come first)."""
    from portal.places import services as places
    from tests.factories import EPOCH, SYSTEM

    for n in (3, 1, 2):
        places.create_place(
            session, SYSTEM, tree.community, code=f"{tree.community.code}-G{n}",
            name_zh=f"第{n}网格", name_en="", now=EPOCH,
        )  # fmt: skip
    session.flush()
    grids = queues.queue_grids(session, staff.district_officer, "area")
    communities = [grid.parent_id for grid in grids]
    first = communities.index(tree.community.id)
    together = communities[first : first + communities.count(tree.community.id)]
    assert together == [tree.community.id] * len(together), "one community's grids together"
    names = [grid.name_zh for grid in grids if grid.parent_id == tree.community.id]
    assert [name for name in names if name != tree.grid.name_zh] == [
        "第1网格",
        "第2网格",
        "第3网格",
    ]
