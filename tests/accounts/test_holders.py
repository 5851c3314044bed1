"""holders(): who holds a permission on a place, exactly there or anywhere above it."""

from datetime import timedelta

import pytest

from portal.accounts.holders import holders, holders_statement, place_ids_above
from portal.accounts.models import RoleGrant
from portal.db import utcnow
from portal.permissions import Permission, Role
from tests import factories


@pytest.fixture
def tree(session):
    return factories.tree(session)


def test_holders_of_a_place_are_the_roles_granted_on_that_very_place(session, tree):
    first = factories.user(session, Role.GRID_WORKER, tree.grid, name="一")
    second = factories.user(session, Role.GRID_WORKER, tree.grid, name="二")
    factories.user(session, Role.GRID_WORKER, tree.other_grid)
    factories.user(session, Role.SECRETARY, tree.community)
    assert holders(session, Permission.HANDLE_APPEALS, tree.grid) == [first, second]
    assert holders(session, Permission.HANDLE_APPEALS, tree.community) != [first, second]


def test_covering_adds_the_places_above_and_the_whole_portal_but_never_beside(session, tree):
    worker = factories.user(session, Role.GRID_WORKER, tree.grid)
    secretary = factories.user(session, Role.SECRETARY, tree.community)
    officer = factories.user(session, Role.OFFICER, tree.street)
    admin = factories.user(session, Role.ADMIN, None)
    factories.user(session, Role.SECRETARY, tree.other_community)
    factories.user(session, Role.OFFICER, tree.other_street)
    assert holders(session, Permission.VIEW_APPEALS, tree.building, covering=True) == [
        worker,
        secretary,
        officer,
        admin,
    ]
    assert holders(session, Permission.HANDLE_APPEALS, tree.grid, covering=True) == [
        worker,
        secretary,
        officer,
    ]


def test_disabled_accounts_and_roles_without_the_permission_hold_nothing(session, tree):
    gone = factories.user(session, Role.GRID_WORKER, tree.grid)
    gone.disabled_at = utcnow() - timedelta(days=1)
    factories.user(session, Role.VOLUNTEER, tree.community)
    factories.user(session, Role.ADMIN, tree.district)
    session.flush()
    assert holders(session, Permission.HANDLE_APPEALS, tree.grid, covering=True) == []


def test_someone_with_two_grants_above_a_place_is_named_once(session, tree):
    secretary = factories.user(session, Role.SECRETARY, tree.community)
    factories.user(session, Role.GRID_WORKER, tree.grid)
    secretary.grants.append(RoleGrant(role=Role.OFFICER, place=tree.street))
    session.flush()
    assert (
        holders(session, Permission.HANDLE_APPEALS, tree.grid, covering=True).count(secretary) == 1
    )


def test_the_statement_answers_for_many_places_at_once(session, tree):
    worker = factories.user(session, Role.GRID_WORKER, tree.grid)
    other = factories.user(session, Role.GRID_WORKER, tree.other_grid)
    rows = session.execute(
        holders_statement(Permission.HANDLE_APPEALS, [tree.grid.id, tree.other_grid.id])
    ).all()
    assert [(place_id, user) for place_id, user in rows] == [
        (tree.grid.id, worker),
        (tree.other_grid.id, other),
    ]


def test_the_places_above_are_read_from_the_path(session, tree):
    assert place_ids_above(tree.grid) == [
        tree.district.id,
        tree.street.id,
        tree.community.id,
        tree.grid.id,
    ]
    assert place_ids_above(tree.building) == place_ids_above(tree.grid)
