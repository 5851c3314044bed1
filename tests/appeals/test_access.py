"""Who may see and act on an appeal, and what a resident proves to see their own."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.accounts.models import RoleGrant
from portal.appeals import services
from portal.appeals.queues import queue_places
from portal.audit.models import AuditEvent
from portal.errors import Forbidden
from portal.permissions import Role
from tests import factories
from tests.appeals.conftest import (
    RESIDENT,
    file_appeal,
)

pytestmark = pytest.mark.usefixtures("app_context")


def test_only_staff_whose_area_holds_the_queue_may_act(session, tree, staff, now, settings):
    appeal = file_appeal(session, tree.building, now)
    resident = factories.user(session)
    for outsider in (staff.other_grid_worker, staff.other_secretary, resident):
        with pytest.raises(Forbidden):
            services.accept(session, outsider, appeal, now=now)
    assert not services.can_view(staff.other_grid_worker, appeal)
    assert services.can_act(staff.secretary, appeal) and services.can_act(staff.officer, appeal)
    services.accept(session, staff.secretary, appeal, now=now)
    with pytest.raises(Forbidden, match="Only the person who took"):
        services.resolve(session, staff.grid_worker, appeal, "修好了", now=now, settings=settings)


def test_revealing_the_number_is_audited_and_limited_to_the_area(session, tree, staff, now):
    appeal = file_appeal(session, tree.building, now)
    assert services.reveal_phone(session, staff.secretary, appeal, now=now) == RESIDENT
    with pytest.raises(Forbidden):
        services.reveal_phone(session, staff.other_secretary, appeal, now=now)
    actions = session.scalars(select(AuditEvent.action)).all()
    assert actions.count("appeals.reveal_phone") == 1


def test_the_tracking_page_proof_is_the_last_four_digits(session, tree, now):
    appeal = file_appeal(session, tree.building, now)
    assert services.phone_matches(appeal, "5678") and services.phone_matches(appeal, " 56 78")
    assert not services.phone_matches(appeal, "1234") and not services.phone_matches(appeal, "")


def test_my_appeals_by_phone_only_for_a_resident_who_proved_it(session, tree, now):
    appeal = file_appeal(session, tree.building, now)
    unverified_staff = factories.user(session, Role.GRID_WORKER, tree.grid, phone=RESIDENT)
    assert not services.is_owner(unverified_staff, appeal)
    assert appeal not in session.scalars(services.residents_appeals(unverified_staff)).all()
    session.delete(unverified_staff)
    session.flush()
    resident = factories.user(session, phone=RESIDENT)
    resident.phone_verified_at = now
    assert services.is_owner(resident, appeal)
    assert session.scalars(services.residents_appeals(resident)).all() == [appeal]


def test_only_the_team_holding_it_may_transfer_it(session, tree, staff, now, settings):
    appeal = file_appeal(session, tree.building, now)
    with pytest.raises(Forbidden):
        services.transfer(
            session,
            staff.other_grid_worker,
            appeal,
            f"place:{tree.street.id}",
            "原因",
            now=now,
            settings=settings,
        )


def test_administrators_see_the_appeals_of_their_area_and_handle_none(session, tree, now):
    appeal = file_appeal(session, tree.building, now)
    portal_admin = factories.user(session, Role.ADMIN, None)
    district_admin = factories.user(session, Role.ADMIN, tree.district)
    other_district = factories.place(session, None, "另一区")
    elsewhere_admin = factories.user(session, Role.ADMIN, other_district)
    assert services.can_view(portal_admin, appeal) and services.can_view(district_admin, appeal)
    assert not services.can_view(elsewhere_admin, appeal)
    for admin in (portal_admin, district_admin):
        assert not services.can_act(admin, appeal)
        with pytest.raises(Forbidden):
            services.accept(session, admin, appeal, now=now)


def test_the_queues_a_handler_works_are_those_of_each_grant(session, tree):
    both = factories.user(session, Role.GRID_WORKER, tree.grid)
    both.grants.append(RoleGrant(role=Role.SECRETARY, place=tree.other_community))
    volunteer = factories.user(session, Role.VOLUNTEER, tree.community)
    session.flush()
    assert queue_places(both) == [tree.grid, tree.other_community]
    assert queue_places(volunteer) == []
