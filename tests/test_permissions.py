"""Role and place scope: who may manage what, where."""

import pytest

from portal.errors import Forbidden
from portal.permissions import (
    SYSTEM,
    Permission,
    Role,
    can,
    can_within,
    covers,
    require,
    require_within,
    scopes,
)
from tests import factories


@pytest.fixture
def tree(session):
    return factories.tree(session)


def test_a_secretary_manages_their_community_and_everything_inside(session, tree):
    secretary = factories.user(session, Role.SECRETARY, tree.community)
    assert can(secretary, Permission.MANAGE_PLACES, tree.community)
    assert can(secretary, Permission.MANAGE_PLACES, tree.grid)
    assert can(secretary, Permission.MANAGE_PLACES, tree.building)


def test_a_secretary_cannot_manage_another_community_or_anything_above(session, tree):
    secretary = factories.user(session, Role.SECRETARY, tree.community)
    for outside in (
        tree.other_community,
        tree.other_grid,
        tree.other_building,
        tree.street,
        tree.district,
        None,
    ):
        assert not can(secretary, Permission.MANAGE_PLACES, outside)
    with pytest.raises(Forbidden):
        require(secretary, Permission.MANAGE_PLACES, tree.other_grid)


def test_a_grid_worker_manages_nothing_and_staff_roles_do_not_grant_staff_management(session, tree):
    worker = factories.user(session, Role.GRID_WORKER, tree.grid)
    secretary = factories.user(session, Role.SECRETARY, tree.community)
    assert not can(worker, Permission.MANAGE_PLACES, tree.grid)
    assert not can(secretary, Permission.MANAGE_STAFF, tree.grid)
    assert not can(secretary, Permission.VIEW_AUDIT)


def test_a_district_admin_covers_the_district_but_not_the_whole_portal(session, tree):
    admin = factories.user(session, Role.ADMIN, tree.district)
    assert can(admin, Permission.MANAGE_STAFF, tree.other_grid)
    assert not can(admin, Permission.MANAGE_STAFF, None)
    portal_admin = factories.user(session, Role.ADMIN, None)
    assert can(portal_admin, Permission.MANAGE_STAFF, None)
    assert can(portal_admin, Permission.VIEW_AUDIT)


def test_paths_of_similar_ids_do_not_overlap(session, tree):
    # A grant on place 1 must not cover place 12: every path ends in "/".
    from types import SimpleNamespace

    assert all(place.path.endswith("/") for place in (tree.district, tree.grid))
    one, twelve = SimpleNamespace(path="/1/"), SimpleNamespace(scope_path="/12/")
    assert not covers(one, twelve)
    assert covers(one, SimpleNamespace(scope_path="/1/12/"))


def test_disabled_or_anonymous_people_can_do_nothing(session, tree):
    admin = factories.user(session, Role.ADMIN, None)
    admin.disabled_at = factories.EPOCH
    assert not can(admin, Permission.MANAGE_PLACES, tree.grid)

    class Anonymous:
        is_authenticated = False

    assert not can(Anonymous(), Permission.MANAGE_PLACES, tree.grid)
    assert scopes(Anonymous(), Permission.MANAGE_PLACES) == []


def test_scopes_keep_only_the_widest_places(session, tree):
    secretary = factories.user(session, Role.SECRETARY, tree.community)
    assert scopes(secretary, Permission.MANAGE_PLACES) == [tree.community]
    both = factories.user(session, Role.ADMIN, tree.district)
    both.grants.append(
        type(both.grants[0])(role=Role.SECRETARY, place=tree.community, granted_at=factories.EPOCH)
    )
    assert scopes(both, Permission.MANAGE_PLACES) == [tree.district]
    assert scopes(SYSTEM, Permission.MANAGE_PLACES) == [None]


def test_a_deputy_secretary_hosts_meetings_in_their_community_and_does_nothing_else(session, tree):
    deputy = factories.user(session, Role.DEPUTY_SECRETARY, tree.community)
    assert deputy.is_staff
    for inside in (tree.community, tree.grid, tree.building):
        assert can(deputy, Permission.HOST_MEETINGS, inside)
    for outside in (tree.other_community, tree.other_grid, tree.street, tree.district, None):
        assert not can(deputy, Permission.HOST_MEETINGS, outside)
    assert can(deputy, Permission.ANSWER_MEETING_REQUESTS, tree.community)
    assert not can(deputy, Permission.ANSWER_MEETING_REQUESTS, tree.other_community)
    # They do not work the appeal queue, keep places, lead other hosts or manage anyone.
    meetings = {Permission.HOST_MEETINGS, Permission.ANSWER_MEETING_REQUESTS}
    for permission in set(Permission) - meetings:
        assert not can(deputy, permission, tree.community), permission
    assert scopes(deputy, Permission.HOST_MEETINGS) == [tree.community]


def test_secretaries_and_legal_advisers_host_meetings_other_staff_do_not(session, tree):
    assert can(
        factories.user(session, Role.SECRETARY, tree.community),
        Permission.HOST_MEETINGS,
        tree.community,
    )
    adviser = factories.user(session, Role.LEGAL_ADVISER, tree.street)
    assert can(adviser, Permission.HOST_MEETINGS, tree.community)
    assert not can(adviser, Permission.HOST_MEETINGS, tree.district)
    for role, place in (
        (Role.GRID_WORKER, tree.grid),
        (Role.OFFICER, tree.street),
        (Role.ARCHIVIST, tree.district),
        (Role.VOLUNTEER, tree.community),
        (Role.ADMIN, None),
    ):
        assert not can(factories.user(session, role, place), Permission.HOST_MEETINGS, tree.grid)


def test_a_grid_worker_asks_for_help_within_their_grids_community_and_nowhere_else(session, tree):
    worker = factories.user(session, Role.GRID_WORKER, tree.grid)
    ask = Permission.ASK_HELP_FOR_ELDERS
    assert not can(worker, ask, tree.community), "the grant is on the grid, below"
    assert can_within(worker, ask, tree.community)
    assert not can_within(worker, ask, tree.other_community)
    with pytest.raises(Forbidden):
        require_within(worker, ask, tree.other_community)
    # The community's coordinator and secretary hold it on the community itself.
    for role in (Role.COORDINATOR, Role.SECRETARY):
        staff = factories.user(session, role, tree.community)
        assert can_within(staff, ask, tree.community)
        assert not can_within(staff, ask, tree.other_community)
    # A role without the permission gains nothing from a grant inside the community.
    deputy = factories.user(session, Role.DEPUTY_SECRETARY, tree.community)
    assert not can_within(deputy, ask, tree.community)
    assert not can_within(factories.user(session, Role.GRID_WORKER, tree.other_grid), ask,
                          tree.community)  # fmt: skip
