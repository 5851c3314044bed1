"""Managing staff accounts without HTTP: creating, granting, revoking, disabling, resetting."""

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.errors import Forbidden, Invalid, NotFound
from portal.permissions import SYSTEM, Role
from portal.staff import services as staff
from tests import factories

pytestmark = pytest.mark.usefixtures("app_context")


@pytest.fixture
def tree(session):
    return factories.tree(session)


@pytest.fixture
def admin(session):
    return factories.user(session, Role.ADMIN, None, name="管理员")


def actions(session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_an_admin_creates_a_staff_account_with_a_temporary_password(session, admin, now):
    created = staff.create_user(
        session,
        admin,
        phone="138 0013 8123",
        display_name=" 王强 ",
        password="a temporary passphrase",
        now=now,
    )
    assert (created.phone, created.display_name, created.must_change_password) == (
        "13800138123",
        "王强",
        True,
    )
    assert created.password_hash.startswith("scrypt:")
    event = session.scalars(select(AuditEvent)).one()
    assert (event.action, event.actor_id, event.details["phone"]) == (
        "accounts.create_user",
        admin.id,
        "138****8123",
    )


def test_a_duplicate_number_or_a_weak_password_creates_nothing(session, admin, now):
    existing = factories.user(session)
    with pytest.raises(Invalid, match="already exists"):
        staff.create_user(
            session,
            admin,
            phone=existing.phone,
            display_name="x",
            password="a temporary passphrase",
            now=now,
        )
    with pytest.raises(Invalid, match="too common"):
        staff.create_user(
            session, admin, phone="13800138124", display_name="x", password="1234567890", now=now
        )
    assert session.scalar(select(User).where(User.phone == "13800138124")) is None


def test_only_staff_managers_create_accounts(session, tree, now):
    secretary = factories.user(session, Role.SECRETARY, tree.community)
    with pytest.raises(Forbidden):
        staff.create_user(
            session, secretary, phone="13800138125", display_name="x", password=None, now=now
        )


def test_grants_are_checked_against_the_kind_of_place(session, admin, tree, now):
    worker = factories.user(session, password=factories.PASSWORD)
    with pytest.raises(Invalid, match="this kind of place"):
        staff.grant_role(session, admin, worker, Role.GRID_WORKER, tree.community.code, now=now)
    with pytest.raises(Invalid, match="no place with this code"):
        staff.grant_role(session, admin, worker, Role.GRID_WORKER, "NOPE", now=now)
    grant = staff.grant_role(session, admin, worker, Role.GRID_WORKER, tree.grid.code, now=now)
    assert (grant.role, grant.place, grant.granted_by_id) == (Role.GRID_WORKER, tree.grid, admin.id)
    with pytest.raises(Invalid, match="already has this role"):
        staff.grant_role(session, admin, worker, Role.GRID_WORKER, tree.grid.code, now=now)
    assert actions(session)[-1] == "accounts.grant_role"


def test_a_deputy_secretary_is_appointed_on_a_community_only(session, admin, tree, now):
    deputy = factories.user(session, password=factories.PASSWORD)
    for place in (tree.grid, tree.street, tree.district):
        with pytest.raises(Invalid, match="this kind of place"):
            staff.grant_role(session, admin, deputy, Role.DEPUTY_SECRETARY, place.code, now=now)
    with pytest.raises(Invalid, match="this kind of place"):
        staff.grant_role(session, admin, deputy, Role.DEPUTY_SECRETARY, "", now=now)
    assert deputy.roles == set()
    grant = staff.grant_role(
        session, admin, deputy, Role.DEPUTY_SECRETARY, tree.community.code, now=now
    )
    assert (grant.role, grant.place, deputy.is_staff) == (
        Role.DEPUTY_SECRETARY,
        tree.community,
        True,
    )
    # A staff role: it needs a password, like the secretary's.
    resident = factories.user(session)
    with pytest.raises(Invalid, match="password"):
        staff.grant_role(
            session, admin, resident, Role.DEPUTY_SECRETARY, tree.community.code, now=now
        )


def test_a_district_admin_appoints_deputy_secretaries_inside_the_district_only(session, tree, now):
    district_admin = factories.user(session, Role.ADMIN, tree.district)
    other_admin = factories.user(session, Role.ADMIN, tree.other_street)
    made = staff.create_staff(
        session, district_admin, phone="13800138126", display_name="郑副书记",
        password="a temporary passphrase", role=Role.DEPUTY_SECRETARY,
        place_code=tree.community.code, now=now,
    )  # fmt: skip
    assert made.roles == {Role.DEPUTY_SECRETARY}
    with pytest.raises(Forbidden):
        staff.grant_role(
            session, other_admin, made, Role.DEPUTY_SECRETARY, tree.other_community.code, now=now
        )


def test_a_staff_role_needs_a_password_first(session, admin, tree, now):
    resident = factories.user(session)
    with pytest.raises(Invalid, match="password"):
        staff.grant_role(session, admin, resident, Role.SECRETARY, tree.community.code, now=now)
    staff.grant_role(session, admin, resident, Role.VOLUNTEER, tree.community.code, now=now)
    assert resident.roles == {Role.VOLUNTEER}


def test_a_district_admin_grants_inside_the_district_only(session, tree, now):
    district_admin = factories.user(session, Role.ADMIN, tree.district)
    person = factories.user(session, password=factories.PASSWORD)
    staff.grant_role(session, district_admin, person, Role.SECRETARY, tree.community.code, now=now)
    with pytest.raises(Forbidden):
        staff.grant_role(session, district_admin, person, Role.ADMIN, "", now=now)


def test_revoking_a_role_is_audited_and_takes_effect(session, admin, tree, now):
    worker = factories.user(session, Role.GRID_WORKER, tree.grid)
    staff.revoke_role(session, admin, worker, worker.grants[0].id, now=now)
    assert worker.roles == set()
    assert not worker.is_staff
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "accounts.revoke_role")
    ).one()
    assert event.details == {"role": "grid_worker", "place": tree.grid.code}


def test_an_admin_cannot_revoke_their_own_admin_role(session, admin, now):
    with pytest.raises(Invalid, match="your own"):
        staff.revoke_role(session, admin, admin, admin.grants[0].id, now=now)


def test_disabling_ends_every_session_and_enabling_restores_access(session, admin, tree, now):
    worker = factories.user(session, Role.GRID_WORKER, tree.grid)
    token = worker.session_token
    staff.set_disabled(session, admin, worker, True, now=now)
    assert not worker.is_active
    assert worker.session_token != token
    staff.set_disabled(session, admin, worker, False, now=now)
    assert worker.is_active
    assert actions(session)[-2:] == ["accounts.disable_user", "accounts.enable_user"]


def test_a_district_admin_cannot_disable_someone_who_works_beyond_it(session, tree, now):
    district_admin = factories.user(session, Role.ADMIN, tree.district)
    portal_admin = factories.user(session, Role.ADMIN, None)
    with pytest.raises(Forbidden):
        staff.set_disabled(session, district_admin, portal_admin, True, now=now)
    with pytest.raises(Invalid, match="your own"):
        staff.set_disabled(session, portal_admin, portal_admin, True, now=now)


def test_a_reset_password_must_be_changed_and_unlocks_the_account(session, admin, tree, now):
    worker = factories.user(session, Role.GRID_WORKER, tree.grid)
    worker.locked_until = now
    worker.failed_sign_ins = 3
    staff.reset_password(session, admin, worker, "a temporary passphrase", now=now)
    assert (worker.must_change_password, worker.locked_until, worker.failed_sign_ins) == (
        True,
        None,
        0,
    )


def test_the_command_line_may_do_anything(session, tree, now):
    created = staff.create_user(
        session,
        SYSTEM,
        phone="13800138126",
        display_name="首位管理员",
        password="a temporary passphrase",
        now=now,
    )
    staff.grant_role(session, SYSTEM, created, Role.ADMIN, None, now=now)
    assert created.roles == {Role.ADMIN}
    mine = select(AuditEvent.actor_id).where(
        AuditEvent.target_type == "users", AuditEvent.target_id == str(created.id)
    )
    assert session.scalars(mine).all() == [None, None]


def test_the_user_list_puts_staff_first_and_searches_by_number(session, admin, tree):
    resident = factories.user(session, phone="13700137001")
    worker = factories.user(session, Role.GRID_WORKER, tree.grid, phone="13700137002")
    found = session.scalars(staff.users_query(admin, "137 0013 700")).all()
    assert found == [worker, resident]
    with pytest.raises(Forbidden):
        staff.users_query(worker)


def test_staff_are_created_with_their_first_role_in_one_go(session, tree, now):
    district_admin = factories.user(session, Role.ADMIN, tree.district)
    made = staff.create_staff(
        session, district_admin, phone="13800138301", display_name="王强", password="a temporary passphrase",
        role=Role.GRID_WORKER, place_code=tree.grid.code, now=now,
    )  # fmt: skip
    assert made.roles == {Role.GRID_WORKER} and made.must_change_password
    assert actions(session)[-2:] == ["accounts.create_user", "accounts.grant_role"]


def test_a_resident_becomes_staff_on_the_same_account(session, admin, tree, now):
    resident = factories.user(session, phone="13800138302", name="")
    made = staff.create_staff(
        session, admin, phone=resident.phone, display_name="李秀英", password="a temporary passphrase",
        role=Role.SECRETARY, place_code=tree.community.code, now=now,
    )  # fmt: skip
    assert made is resident and made.display_name == "李秀英" and made.is_staff
    assert "accounts.make_staff" in actions(session)


def test_an_existing_staff_number_or_an_outside_place_is_refused(session, tree, now):
    district_admin = factories.user(session, Role.ADMIN, tree.district)
    worker = factories.user(session, Role.GRID_WORKER, tree.grid)
    with pytest.raises(Invalid, match="staff account already"):
        staff.create_staff(
            session, district_admin, phone=worker.phone, display_name="x", password="a temporary passphrase",
            role=Role.SECRETARY, place_code=tree.community.code, now=now,
        )  # fmt: skip
    with pytest.raises(Forbidden):
        staff.create_staff(
            session, district_admin, phone="13800138303", display_name="x", password="a temporary passphrase",
            role=Role.ADMIN, place_code="", now=now,
        )  # fmt: skip
    assert staff.find_user_by_phone(session, "13800138303") is None


def test_a_district_admin_sees_only_the_staff_of_the_district(session, tree, now):
    district_admin = factories.user(session, Role.ADMIN, tree.district)
    inside = factories.user(session, Role.GRID_WORKER, tree.grid)
    elsewhere = factories.place(session, None, "另一个区")
    outside = factories.user(session, Role.ADMIN, elsewhere)
    resident = factories.user(session)
    visible = set(session.scalars(staff.users_query(district_admin)))
    assert inside in visible and district_admin in visible
    assert outside not in visible and resident not in visible
    assert staff.get_user(session, district_admin, inside.id) is inside
    for hidden in (outside, resident):
        with pytest.raises(Forbidden):
            staff.get_user(session, district_admin, hidden.id)
    portal_admin = factories.user(session, Role.ADMIN, None)
    assert {outside, resident} <= set(session.scalars(staff.users_query(portal_admin)))


def test_showing_a_full_number_is_audited(session, admin, tree, now):
    worker = factories.user(session, Role.GRID_WORKER, tree.grid)
    assert staff.reveal_phone(session, admin, worker, now=now) == worker.phone
    assert actions(session)[-1] == "accounts.reveal_phone"


def test_a_role_of_another_account_cannot_be_revoked_through_this_one(session, admin, tree, now):
    worker = factories.user(session, Role.GRID_WORKER, tree.grid)
    other = factories.user(session, Role.GRID_WORKER, tree.other_grid)
    with pytest.raises(NotFound):
        staff.revoke_role(session, admin, worker, other.grants[0].id, now=now)
    assert other.roles == {Role.GRID_WORKER}
