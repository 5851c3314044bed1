"""The administrators' staff pages over HTTP: creating accounts, granting roles, disabling,
resetting, looking up numbers; and the staff panel on a place's page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.audit.models import AuditEvent, Outcome
from portal.permissions import Role
from tests import factories
from tests.accounts.test_views import EN, page, sign_in_staff


@pytest.fixture
def admin_client(client, session):
    admin = factories.user(session, Role.ADMIN, None, name="周静")
    session.commit()
    sign_in_staff(client, admin)
    return client


def test_an_admin_creates_a_staff_account_with_its_role_and_adds_another(admin_client, session):
    tree = factories.tree(session)
    session.commit()
    response = admin_client.post(
        "/admin/users/new",
        data={
            "phone": "13800138200",
            "display_name": "新网格员",
            "role": "grid_worker",
            "place_code": tree.grid.code,
            "password": "a temporary passphrase",
        },
    )
    created = session.scalar(select(User).where(User.phone == "13800138200"))
    assert response.headers["Location"] == f"/admin/users/{created.id}"
    assert created.roles == {Role.GRID_WORKER} and created.must_change_password
    response = admin_client.post(
        f"/admin/users/{created.id}/grants",
        data={"role": "volunteer", "place_code": tree.community.code},
    )
    assert response.status_code == 302
    assert created.roles == {Role.GRID_WORKER, Role.VOLUNTEER}
    detail = page(admin_client, f"/admin/users/{created.id}")
    assert "Grid worker" in detail and tree.grid.code in detail


def test_a_new_staff_account_with_a_wrong_place_keeps_what_was_typed(admin_client, session):
    response = admin_client.post(
        "/admin/users/new",
        data={
            "phone": "13800138201",
            "display_name": "王强",
            "role": "secretary",
            "place_code": "NOWHERE",
            "password": "a temporary passphrase",
        },
        headers=EN,
    )
    body = response.get_data(as_text=True)
    assert "There is no place with this code" in body
    assert 'value="王强"' in body and 'value="NOWHERE"' in body
    assert session.scalar(select(User).where(User.phone == "13800138201")) is None


def test_a_deputy_secretary_is_appointed_on_a_community_and_named_in_both_languages(
    admin_client, session
):
    tree = factories.tree(session)
    person = factories.user(session, password=factories.PASSWORD, name="郑海燕")
    session.commit()
    form = page(admin_client, f"/admin/users/{person.id}")
    assert '<option value="deputy_secretary">Deputy secretary</option>' in form
    refused = admin_client.post(
        f"/admin/users/{person.id}/grants",
        data={"role": "deputy_secretary", "place_code": tree.grid.code},
        headers=EN,
    )
    assert refused.status_code == 400
    assert "This role cannot be granted on this kind of place" in refused.get_data(as_text=True)
    assert person.roles == set()
    granted = admin_client.post(
        f"/admin/users/{person.id}/grants",
        data={"role": "deputy_secretary", "place_code": tree.community.code},
    )
    assert granted.status_code == 302 and person.roles == {Role.DEPUTY_SECRETARY}
    assert "Deputy secretary" in page(admin_client, f"/admin/users/{person.id}")
    chinese = admin_client.get(
        f"/admin/places/{tree.community.id}", headers={"Accept-Language": "zh-CN"}
    )
    assert "副书记" in chinese.get_data(as_text=True) and "郑海燕" in chinese.get_data(as_text=True)


def test_a_new_deputy_secretary_account_is_made_on_a_community(admin_client, session):
    tree = factories.tree(session)
    session.commit()
    response = admin_client.post(
        "/admin/users/new",
        data={"phone": "13800138202", "display_name": "谢文斌", "role": "deputy_secretary",
              "place_code": tree.community.code, "password": "a temporary passphrase"},
    )  # fmt: skip
    created = session.scalar(select(User).where(User.phone == "13800138202"))
    assert response.headers["Location"] == f"/admin/users/{created.id}"
    assert created.roles == {Role.DEPUTY_SECRETARY}


def test_a_wrong_place_code_is_explained_on_the_grant_form(admin_client, session):
    person = factories.user(session, password=factories.PASSWORD)
    session.commit()
    response = admin_client.post(
        f"/admin/users/{person.id}/grants",
        data={"role": "secretary", "place_code": "NOWHERE"},
        headers=EN,
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is no place with this code" in body
    assert 'value="NOWHERE"' in body
    assert person.roles == set()


def test_an_admin_disables_and_resets_an_account(admin_client, session):
    worker = factories.user(session, Role.GRID_WORKER)
    session.commit()
    admin_client.post(f"/admin/users/{worker.id}/disable")
    assert worker.disabled_at is not None
    admin_client.post(f"/admin/users/{worker.id}/enable")
    assert worker.disabled_at is None
    admin_client.post(
        f"/admin/users/{worker.id}/password", data={"password": "a temporary passphrase"}
    )
    assert worker.must_change_password
    admin_client.post(f"/admin/users/{worker.id}/grants/{worker.grants[0].id}/revoke")
    assert worker.roles == set()


def test_accounts_are_searched_by_post_and_shown_masked(admin_client, session):
    factories.user(session, Role.GRID_WORKER, phone="13700137005", name="李四")
    factories.user(session, Role.GRID_WORKER, phone="13700137006", name="王五")
    session.commit()
    response = admin_client.post("/admin/users", data={"q": "137 0013 7005"}, headers=EN)
    body = response.get_data(as_text=True)
    assert "137****7005" in body and "13700137005" not in body
    assert "王五" not in body and "1 account" in body


def test_the_full_number_is_shown_on_request_and_audited(admin_client, session):
    worker = factories.user(session, Role.GRID_WORKER, phone="13700137007")
    session.commit()
    assert "13700137007" not in page(admin_client, f"/admin/users/{worker.id}")
    response = admin_client.post(f"/admin/users/{worker.id}/phone", headers=EN)
    assert 'href="tel:13700137007"' in response.get_data(as_text=True)
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "accounts.reveal_phone")
    ).one()
    assert event.target_id == str(worker.id)


def test_a_lock_that_has_run_out_is_not_shown(admin_client, session):
    from datetime import timedelta

    from portal.db import utcnow

    worker = factories.user(session, Role.GRID_WORKER)
    worker.locked_until = utcnow() - timedelta(minutes=1)
    session.commit()
    body = page(admin_client, f"/admin/users/{worker.id}")
    assert "Locked until" not in body and "Active" in body


def test_a_district_admin_is_refused_outside_the_district_and_it_is_audited(client, session):
    tree = factories.tree(session)
    district_admin = factories.user(session, Role.ADMIN, tree.district)
    outside = factories.user(session, Role.ADMIN, factories.place(session, None, "另一个区"))
    session.commit()
    sign_in_staff(client, district_admin)
    assert client.get(f"/admin/users/{outside.id}").status_code == 403
    assert client.post(f"/admin/users/{outside.id}/disable").status_code == 403
    assert outside.disabled_at is None
    person = factories.user(session, password=factories.PASSWORD)
    session.commit()
    response = client.post(
        "/admin/users/new",
        data={
            "phone": "13800138209",
            "display_name": "x",
            "role": "admin",
            "place_code": "",
            "password": "a temporary passphrase",
        },
    )
    assert response.status_code == 403
    denied = session.scalars(select(AuditEvent).where(AuditEvent.action == "access.denied")).all()
    assert len(denied) == 3
    assert person.roles == set()


@pytest.mark.parametrize("url", ["/admin/users", "/admin/users/new", "/admin/audit"])
def test_a_secretary_cannot_open_staff_administration(client, session, url):
    secretary = factories.user(session, Role.SECRETARY, factories.tree(session).community)
    session.commit()
    sign_in_staff(client, secretary)
    response = client.get(url, headers=EN)
    assert response.status_code == 403
    assert "You do not have permission" in response.get_data(as_text=True)
    denied = session.scalars(select(AuditEvent).where(AuditEvent.action == "access.denied")).one()
    assert (denied.actor_id, denied.outcome, denied.details["path"]) == (
        secretary.id,
        Outcome.DENIED,
        url,
    )


# The staff panel on a place's page


def test_the_place_page_shows_who_works_the_place(admin_client, session):
    tree = factories.tree(session)
    factories.user(session, Role.GRID_WORKER, tree.grid, phone="13700137011", name="王网格")
    factories.user(session, Role.SECRETARY, tree.community, phone="13700137012", name="陈书记")
    session.commit()
    body = page(admin_client, f"/admin/places/{tree.grid.id}")
    assert "Grid worker" in body and "王网格" in body and "137****7011" in body
    assert "13700137011" not in body
    # Only the roles held on the place itself, not those of the places around it.
    assert "陈书记" not in body
    assert "陈书记" in page(admin_client, f"/admin/places/{tree.community.id}")


def test_a_place_manager_who_does_not_manage_staff_still_sees_the_names(client, session):
    tree = factories.tree(session)
    factories.user(session, Role.GRID_WORKER, tree.grid, phone="13700137013", name="李网格")
    secretary = factories.user(session, Role.SECRETARY, tree.community, name="陈书记")
    session.commit()
    sign_in_staff(client, secretary)
    assert client.get("/admin/users", headers=EN).status_code == 403
    body = page(client, f"/admin/places/{tree.grid.id}")
    assert "Grid worker" in body and "李网格" in body and "137****7013" in body
    body = page(client, f"/admin/places/{tree.community.id}")
    assert "Community secretary" in body and "陈书记" in body
