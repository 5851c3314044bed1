"""The home page and the staff desk show the tiles features register, to whoever may use them."""

from __future__ import annotations

import pytest

from portal.permissions import Role
from tests import factories
from tests.accounts.test_views import EN, sign_in_by_sms, sign_in_staff


@pytest.fixture
def tree(session):
    return factories.tree(session)


def desk(client) -> str:
    response = client.get("/staff", headers=EN)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_grid_worker_sees_their_queue_and_none_of_the_administrators_tools(client, session, tree):
    sign_in_staff(client, factories.user(session, Role.GRID_WORKER, tree.grid))
    page = desk(client)
    assert "Reports to handle" in page and "Change your password" in page
    for tool in ("Audit log", "SMS messages", "Staff accounts", "Places and buildings"):
        assert tool not in page


def test_an_administrator_sees_every_tool_in_order_and_their_area_s_reports(client, session, tree):
    sign_in_staff(client, factories.user(session, Role.ADMIN, None))
    page = desk(client)
    tools = [
        "Reports in your area",
        "Places and buildings",
        "Catalogue of problems",
        "Street offices and departments",
        "Staff accounts",
        "Audit log",
        "SMS messages",
        "Change your password",
    ]
    positions = [page.index(tool) for tool in tools]
    assert positions == sorted(positions)
    assert "Reports to handle" not in page, "an administrator handles no reports"


def test_a_secretary_keeps_the_places_of_their_community(client, session, tree):
    sign_in_staff(client, factories.user(session, Role.SECRETARY, tree.community))
    page = desk(client)
    assert "Reports to handle" in page and "Places and buildings" in page
    assert "Audit log" not in page


def test_the_desk_is_for_staff_only(client, sms):
    sign_in_by_sms(client, sms, "13912345678")
    assert client.get("/staff", headers=EN).status_code == 403


def test_the_home_page_offers_the_building_search_and_a_resident_their_reports(client, sms):
    anonymous = client.get("/", headers=EN).get_data(as_text=True)
    assert "Find your building" in anonymous and "My reports" not in anonymous
    sign_in_by_sms(client, sms, "13912345678")
    signed_in = client.get("/", headers=EN).get_data(as_text=True)
    assert "Find your building" in signed_in and 'href="/my/appeals"' in signed_in
