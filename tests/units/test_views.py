"""The units over HTTP: administrators' forms, what they keep when refused, and each district
administrator seeing their own."""

from __future__ import annotations

from sqlalchemy import select

from portal.permissions import Role
from portal.units.models import Unit, UnitMember
from tests import factories
from tests.accounts.test_views import EN, page, sign_in_staff
from tests.appeals.conftest import item as item_by_code
from tests.units.conftest import errors


def test_a_unit_is_added_with_what_was_typed_kept_when_refused(admin_client, session, tree, unit):
    form = page(admin_client, "/admin/units/new")
    assert f'<option value="{tree.street.id}">' in form
    assert f'<option value="{tree.community.id}">' not in form  # communities have no units
    typed = {
        "code": unit.code, "place_id": str(tree.other_street.id), "name_zh": "第二街道住建办",
        "name_en": "Housing office", "phone": "0755-2345 6789",
    }  # fmt: skip
    body = admin_client.post("/admin/units/new", data=typed, headers=EN).get_data(as_text=True)
    assert errors(body) == ["Another unit already has this code."]
    assert f'<option selected value="{tree.other_street.id}">' in body
    assert 'value="第二街道住建办"' in body and 'value="0755-2345 6789"' in body

    response = admin_client.post("/admin/units/new", data=typed | {"code": "housing"}, headers=EN)
    made = session.scalar(select(Unit).where(Unit.code == "housing"))
    assert response.headers["Location"] == f"/admin/units/{made.id}#members"
    listed = page(admin_client, "/admin/units")
    assert "Housing office" in listed and "Nobody works its queue" in listed


def test_a_unit_page_adds_and_removes_members(admin_client, session, tree, unit, staff):
    body = page(admin_client, f"/admin/units/{unit.id}")
    assert 'id="member-phone"' in body and 'id="phone"' in body  # two forms, no id twice

    response = admin_client.post(
        f"/admin/units/{unit.id}/members", data={"member-phone": staff.secretary.phone}, headers=EN
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert errors(body) == [
        "This account is not an officer of the street or district this unit serves. Give it the officer role there first, under Staff accounts."
    ]
    assert f'value="{staff.secretary.phone}"' in body and '<a href="#member-phone">' in body

    response = admin_client.post(
        f"/admin/units/{unit.id}/members", data={"member-phone": staff.officer.phone}, headers=EN
    )
    assert response.headers["Location"] == f"/admin/units/{unit.id}#members"
    body = page(admin_client, f"/admin/units/{unit.id}")
    assert "刘街道 is a member of the unit now." in body
    assert "刘街道" in body and staff.officer.phone not in body  # masked

    admin_client.post(f"/admin/units/{unit.id}/members/{staff.officer.id}/remove", headers=EN)
    assert session.scalar(select(UnitMember.user_id)) is None


def test_a_unit_is_edited_and_retired_only_when_no_item_goes_to_it(
    admin_client, session, tree, unit
):
    data = {
        "place_id": str(tree.district.id), "name_zh": unit.name_zh, "name_en": "",
        "phone": "",
    }  # fmt: skip
    response = admin_client.post(f"/admin/units/{unit.id}", data=data, headers=EN)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and errors(body) == [
        "Enter the name in English: the portal is read in English too."
    ]
    assert f'<option selected value="{tree.district.id}">' in body
    response = admin_client.post(
        f"/admin/units/{unit.id}", data=data | {"name_en": "District urban management"}, headers=EN
    )
    assert response.status_code == 302 and unit.place == tree.district

    item = item_by_code(session, "rubbish-in-corridor")
    item.unit = unit
    session.commit()
    admin_client.post(f"/admin/units/{unit.id}/retire", headers=EN)
    body = page(admin_client, f"/admin/units/{unit.id}")
    assert "Give them another unit first." in body and unit.retired_at is None
    item.unit = None
    session.commit()
    admin_client.post(f"/admin/units/{unit.id}/retire", headers=EN)
    assert unit.retired_at is not None
    assert "Bring this unit back into use" in page(admin_client, f"/admin/units/{unit.id}")


def test_a_district_administrator_sees_only_their_districts_units(client, session, tree, unit):
    elsewhere = factories.place(session, None, "另一区")
    theirs = Unit(code="other-housing", place=elsewhere, name_zh="另一区住建局", name_en="Housing")
    session.add(theirs)
    session.commit()
    sign_in_staff(client, factories.user(session, Role.ADMIN, tree.district))
    listed = page(client, "/admin/units")
    assert "Urban management" in listed and "另一区住建局" not in listed
    assert client.get(f"/admin/units/{theirs.id}", headers=EN).status_code == 403
    assert page(client, "/admin/catalogue")  # the catalogue is one for the whole portal
    assert f'<option value="{elsewhere.id}">' not in page(client, "/admin/units/new")
