"""The catalogue over HTTP: administrators' forms, what they keep when refused, and nobody
else getting in (the units' pages too, which the same administrators keep)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent, Outcome
from portal.catalogue.models import CatalogueGroup, CatalogueItem
from portal.permissions import Role
from tests import factories
from tests.accounts.test_views import EN, page, sign_in_staff
from tests.appeals.conftest import item as item_by_code
from tests.units.conftest import errors


def as_resident(client, admin, url: str) -> str:
    """The report form as a resident sees it (staff open it only to file for a resident)."""
    client.post("/sign-out")
    body = page(client, url)
    sign_in_staff(client, admin)
    return body


def group_ids(session) -> list[int]:
    return list(session.scalars(select(CatalogueGroup.id).order_by(CatalogueGroup.position)))


def new_item_form(**values) -> dict:
    return {
        "code": "loose-manhole",
        "group_id": "",
        "name_zh": "井盖松了",
        "name_en": "A loose manhole cover",
        "default_level": "3",
        "handling": "emergency",
        "resolve_hours": "",
        "unit_id": "",
    } | values


def test_the_staff_desk_leads_an_administrator_to_the_catalogue_and_units(admin_client):
    desk = page(admin_client, "/staff")
    assert 'href="/admin/catalogue"' in desk and 'href="/admin/units"' in desk


def test_the_catalogue_shows_groups_in_order_and_retired_kinds_apart(admin_client, session, tree):
    retired = item_by_code(session, "dog-mess")
    admin_client.post(f"/admin/catalogue/items/{retired.id}/retire", headers=EN)
    body = page(admin_client, "/admin/catalogue")
    groups = list(session.scalars(select(CatalogueGroup).order_by(CatalogueGroup.position)))
    positions = [body.index(f'id="group-{group.id}"') for group in groups]
    assert positions == sorted(positions)
    live, apart = body.split('id="retired"')
    assert "Rubbish left in the stairwell" in live and "Level 1: the grid worker" in live
    assert "Dog mess left on the paths" in apart and "Dog mess" not in live
    # No "up" for the first group, no "down" for the last.
    assert f"/admin/catalogue/groups/{groups[0].id}/up" not in body
    assert f"/admin/catalogue/groups/{groups[0].id}/down" in body
    assert f"/admin/catalogue/groups/{groups[-1].id}/down" not in body


def test_an_item_added_at_level_3_with_a_unit_is_offered_on_the_report_form(
    admin_client, admin, session, tree, unit
):
    group_id = group_ids(session)[1]
    form = page(admin_client, f"/admin/catalogue/items/new?group={group_id}")
    assert f'<option selected value="{group_id}">' in form
    assert 'value="general" checked' in form or 'checked id="handling-2"' in form
    assert f'<option value="{unit.id}">Urban management' in form

    response = admin_client.post(
        "/admin/catalogue/items/new",
        data=new_item_form(group_id=str(group_id), unit_id=str(unit.id), resolve_hours="3"),
        headers=EN,
    )
    item = session.scalar(select(CatalogueItem).where(CatalogueItem.code == "loose-manhole"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/catalogue#item-{item.id}"
    assert (item.group_id, item.default_level, item.resolve_minutes, item.unit_id) == (
        group_id, 3, 180, unit.id
    )  # fmt: skip
    listed = page(admin_client, "/admin/catalogue")
    assert "A loose manhole cover" in listed and "3 hours" in listed
    assert "at level 3 to Urban management" in listed
    assert "A loose manhole cover" in page(admin_client, f"/admin/units/{unit.id}")

    report = as_resident(admin_client, admin, f"/b/{tree.building.public_code}/report?all=1")
    assert f'id="item-{item.id}"' in report and "A loose manhole cover" in report


def test_a_refused_item_keeps_everything_typed(admin_client, session, tree, unit):
    group_id = group_ids(session)[2]
    typed = new_item_form(
        code="rubbish-in-corridor", group_id=str(group_id), name_zh="井盖松了 ", resolve_hours="5",
        unit_id=str(unit.id), default_level="2", handling="complex",
    )  # fmt: skip
    response = admin_client.post("/admin/catalogue/items/new", data=typed, headers=EN)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="error-summary"' in body and '<a href="#code">' in body
    assert errors(body) == ["Another kind of problem already has this code."]
    assert 'value="rubbish-in-corridor"' in body and 'value="井盖松了 "' in body
    assert 'value="A loose manhole cover"' in body and 'value="5"' in body
    assert f'<option selected value="{group_id}">' in body
    assert f'<option selected value="{unit.id}">' in body
    assert re.search(r'checked[^>]*value="2"|value="2"[^>]*checked', body)
    assert re.search(r'checked[^>]*value="complex"|value="complex"[^>]*checked', body)
    assert body.count("<title>Error:") == 1

    for values, message in (
        ({"name_en": ""}, "Enter the name in English: the portal is read in English too."),
        ({"resolve_hours": "2000"}, "Enter a whole number of hours from 1 to 1440, or leave it empty."),
        ({"default_level": ""}, "Choose level 1, 2 or 3."),
    ):  # fmt: skip
        data = new_item_form(group_id=str(group_id)) | values
        body = admin_client.post("/admin/catalogue/items/new", data=data, headers=EN).get_data(
            as_text=True
        )
        assert errors(body) == [message]
    assert (
        session.scalar(select(CatalogueItem).where(CatalogueItem.code == "loose-manhole")) is None
    )


def test_an_item_is_edited_retired_and_restored(admin_client, admin, session, tree):
    item = item_by_code(session, "rubbish-in-corridor")
    item.resolve_minutes = 36 * 60
    session.commit()
    form = page(admin_client, f"/admin/catalogue/items/{item.id}")
    assert 'name="code"' not in form and "rubbish-in-corridor" in form
    assert 'value="36"' in form and "36 hours" not in form  # the class's time is in the choices

    data = new_item_form(
        group_id=str(item.group_id), name_zh=item.name_zh, name_en="Rubbish in the stairwell",
        default_level="2", handling="general", resolve_hours="",
    )  # fmt: skip
    del data["code"]
    response = admin_client.post(f"/admin/catalogue/items/{item.id}", data=data, headers=EN)
    assert response.status_code == 302
    assert (item.name_en, item.default_level, item.resolve_minutes) == (
        "Rubbish in the stairwell", 2, None
    )  # fmt: skip

    response = admin_client.post(f"/admin/catalogue/items/{item.id}/retire", headers=EN)
    assert response.headers["Location"] == f"/admin/catalogue/items/{item.id}"
    assert item.retired_at is not None
    retired_page = page(admin_client, f"/admin/catalogue/items/{item.id}")
    assert (
        "no longer offers it" in retired_page and "Put it back on the report form" in retired_page
    )
    report = as_resident(admin_client, admin, f"/b/{tree.building.public_code}/report?all=1")
    assert f'id="item-{item.id}"' not in report

    admin_client.post(f"/admin/catalogue/items/{item.id}/restore", headers=EN)
    assert item.retired_at is None
    restored = as_resident(admin_client, admin, f"/b/{tree.building.public_code}/report?all=1")
    assert f'id="item-{item.id}"' in restored


def test_groups_are_added_renamed_and_reordered(admin_client, session, tree):
    response = admin_client.post(
        "/admin/catalogue/groups/new",
        data={"code": "environment", "name_zh": "冬季供暖", "name_en": "Winter heating"},
        headers=EN,
    )
    body = response.get_data(as_text=True)
    assert errors(body) == ["Another group already has this code."]
    assert 'value="冬季供暖"' in body and 'value="Winter heating"' in body

    response = admin_client.post(
        "/admin/catalogue/groups/new",
        data={"code": "winter", "name_zh": "冬季供暖", "name_en": "Winter heating"},
        headers=EN,
    )
    group = session.scalar(select(CatalogueGroup).where(CatalogueGroup.code == "winter"))
    assert response.headers["Location"] == f"/admin/catalogue/groups/{group.id}"

    response = admin_client.post(
        f"/admin/catalogue/groups/{group.id}",
        data={"name_zh": "供暖", "name_en": "Heating"},
        headers=EN,
    )
    assert response.status_code == 302 and (group.name_zh, group.name_en) == ("供暖", "Heating")

    before = group.position
    response = admin_client.post(f"/admin/catalogue/groups/{group.id}/up", headers=EN)
    assert response.headers["Location"] == f"/admin/catalogue#group-{group.id}"
    assert group.position == before - 1
    response = admin_client.post(f"/admin/catalogue/groups/{group.id}/sideways", headers=EN)
    assert response.status_code == 404


def test_items_are_reordered_on_their_group_page(admin_client, session, tree):
    first = item_by_code(session, "rubbish-not-collected")
    second = item_by_code(session, "rubbish-in-corridor")
    body = page(admin_client, f"/admin/catalogue/groups/{first.group_id}")
    assert body.index("Rubbish bins full") < body.index("Rubbish left in the stairwell")
    response = admin_client.post(f"/admin/catalogue/items/{second.id}/up", headers=EN)
    assert response.headers["Location"] == f"/admin/catalogue/groups/{first.group_id}#items"
    body = page(admin_client, f"/admin/catalogue/groups/{first.group_id}")
    assert body.index("Rubbish left in the stairwell") < body.index("Rubbish bins full")
    response = admin_client.post(f"/admin/catalogue/items/{second.id}/up", headers=EN)
    assert "It cannot move further that way." in page(
        admin_client, response.headers["Location"].split("#")[0]
    )


@pytest.mark.parametrize("role", [Role.SECRETARY, Role.GRID_WORKER, Role.OFFICER])
def test_only_administrators_open_these_pages(client, session, tree, unit, role):
    place = {Role.SECRETARY: tree.community, Role.GRID_WORKER: tree.grid, Role.OFFICER: tree.street}
    sign_in_staff(client, factories.user(session, role, place[role]))
    item = item_by_code(session, "rubbish-in-corridor")
    group_id = item.group_id
    assert 'href="/admin/catalogue"' not in page(client, "/staff")
    for url in (
        "/admin/catalogue", "/admin/catalogue/groups/new", f"/admin/catalogue/groups/{group_id}",
        "/admin/catalogue/items/new", f"/admin/catalogue/items/{item.id}", "/admin/units",
        "/admin/units/new", f"/admin/units/{unit.id}",
    ):  # fmt: skip
        assert client.get(url, headers=EN).status_code == 403, url
    for url, data in (
        ("/admin/catalogue/items/new", new_item_form()),
        (f"/admin/catalogue/items/{item.id}/retire", {}),
        (f"/admin/catalogue/groups/{group_id}/down", {}),
        (f"/admin/units/{unit.id}/members", {"member-phone": "13800138005"}),
        (f"/admin/units/{unit.id}/retire", {}),
    ):
        assert client.post(url, data=data, headers=EN).status_code == 403, url
    assert item.retired_at is None and unit.retired_at is None
    denied = session.scalars(select(AuditEvent).where(AuditEvent.action == "access.denied")).all()
    assert len(denied) == 13 and {event.outcome for event in denied} == {Outcome.DENIED}


def test_signed_out_people_are_sent_to_sign_in(client, tree):
    response = client.get("/admin/catalogue", headers=EN)
    assert response.status_code == 302 and "/staff/sign-in" in response.headers["Location"]


def test_the_form_offers_an_edit_from_the_next_request(admin_client, admin, session, tree):
    """The form keeps its copy of the catalogue for a few seconds; an admin's edit tells this
    process to read it again (the others read it within CATALOGUE_REFRESH_SECONDS)."""
    door = f"/b/{tree.building.public_code}/report?all=1"
    assert "A loose manhole cover" not in as_resident(admin_client, admin, door)  # now kept
    response = admin_client.post(
        "/admin/catalogue/items/new", data=new_item_form(group_id=str(group_ids(session)[0]))
    )
    assert response.status_code == 302
    assert "A loose manhole cover" in as_resident(admin_client, admin, door)


def test_the_catalogue_folds_each_group_with_its_count_and_searches(admin_client, session, tree):
    body = page(admin_client, "/admin/catalogue")
    folds = re.findall(r'<details class="fold" id="group-\d+">', body)
    assert len(folds) == len(group_ids(session)) and '<details class="fold" open' not in body
    assert re.search(r"\d+ kinds in use", body)
    found = page(admin_client, "/admin/catalogue?q=trapped")
    assert "1 kind of problem matches “trapped”" in found
    assert (
        "Someone is trapped in the lift" in found and "Rubbish left in the stairwell" not in found
    )
    assert 'value="trapped"' in found
    nothing = page(admin_client, "/admin/catalogue?q=zzz")
    assert "0 kinds of problem match “zzz”" in nothing and "Show every group" in nothing
