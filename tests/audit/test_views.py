"""The audit log page."""

import re

import pytest

from portal.audit import services
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


@pytest.fixture
def two_peoples_entries(session, now):
    """Two people, each with an entry of two actions; each entry says whose and which it is."""
    people = {
        "a": factories.user(session, Role.GRID_WORKER, None, name="甲审计"),
        "b": factories.user(session, Role.GRID_WORKER, None, name="乙审计"),
    }
    for who, person in people.items():
        for action in ("test.alpha", "test.beta"):
            services.record(
                session, action, actor=person, now=now,
                details={"entry": f"{who}-{action.removeprefix('test.')}"},
            )  # fmt: skip
    session.commit()
    return people


def listed(client, url: str) -> tuple[str, str]:
    """The page's count of events, and its table of them (the form's hint names actions too)."""
    body = client.get(url, headers=EN).get_data(as_text=True)
    count = re.search(r"<p>(\d+ events?)</p>", body).group(1)
    return count, re.search(r"<tbody>(.*)</tbody>", body, re.S).group(1)


def entries(table: str) -> set[str]:
    """Which of the fixture's entries the table lists."""
    return set(re.findall(r"entry=([ab]-(?:alpha|beta))", table))


def test_the_log_of_one_person_leaves_out_everyone_else(client, session, two_peoples_entries):
    admin = factories.user(session, Role.ADMIN, None, name="周静")
    session.commit()
    sign_in_staff(client, admin)
    a, b = two_peoples_entries["a"], two_peoples_entries["b"]
    count, table = listed(client, f"/admin/audit?actor={a.id}")
    assert entries(table) == {"a-alpha", "a-beta"} and count == "2 events"
    # Neither the other person nor the administrator's own sign-in is shown.
    assert "甲审计" in table and "乙审计" not in table and "周静" not in table
    assert "accounts.sign_in" not in table
    count, table = listed(client, f"/admin/audit?actor={b.id}")
    assert entries(table) == {"b-alpha", "b-beta"} and count == "2 events"
    assert "乙审计" in table and "甲审计" not in table
    # Unfiltered, all four are there, and the sign-in: the filter is what hid them.
    count, table = listed(client, "/admin/audit")
    assert entries(table) == {"a-alpha", "a-beta", "b-alpha", "b-beta"}
    assert "accounts.sign_in" in table


def test_one_action_leaves_out_every_other(client, session, two_peoples_entries):
    admin = factories.user(session, Role.ADMIN, None)
    session.commit()
    sign_in_staff(client, admin)
    count, table = listed(client, "/admin/audit?action=test.alpha")
    assert entries(table) == {"a-alpha", "b-alpha"} and count == "2 events"
    assert "test.beta" not in table and "accounts.sign_in" not in table
    count, table = listed(client, "/admin/audit?action=test.beta")
    assert entries(table) == {"a-beta", "b-beta"} and "test.alpha" not in table


def test_one_persons_one_action(client, session, two_peoples_entries):
    admin = factories.user(session, Role.ADMIN, None)
    session.commit()
    sign_in_staff(client, admin)
    a = two_peoples_entries["a"]
    count, table = listed(client, f"/admin/audit?actor={a.id}&action=test.beta")
    assert entries(table) == {"a-beta"} and count == "1 event"
