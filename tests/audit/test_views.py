"""The audit log page."""

from portal.permissions import Role
from tests import factories
from tests.accounts.test_views import EN, sign_in_staff


def test_an_administrator_reads_sign_ins_and_permission_changes(client, session):
    admin = factories.user(session, Role.ADMIN, None, name="周静")
    tree = factories.tree(session)
    person = factories.user(session, password=factories.PASSWORD)
    session.commit()
    sign_in_staff(client, admin)
    client.post(
        f"/admin/users/{person.id}/grants",
        data={"role": "grid_worker", "place_code": tree.grid.code},
    )
    body = client.get("/admin/audit", headers=EN).get_data(as_text=True)
    assert "accounts.grant_role" in body and "accounts.sign_in" in body
    assert "周静" in body and "127.0.0.1" in body
    assert f"place={tree.grid.code}" in body
    filtered = client.get("/admin/audit?action=accounts.grant_role", headers=EN).get_data(
        as_text=True
    )
    assert "1 event" in filtered


def test_the_log_of_one_person(client, session):
    admin = factories.user(session, Role.ADMIN, None)
    session.commit()
    sign_in_staff(client, admin)
    body = client.get(f"/admin/audit?actor={admin.id}", headers=EN).get_data(as_text=True)
    assert "accounts.sign_in" in body
