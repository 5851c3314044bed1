"""Places over HTTP: the administrators' pages, import and export, and who may open them."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from portal.permissions import Role
from portal.places.models import Building, Place
from tests import factories
from tests.accounts.test_views import EN, page, sign_in_staff


@pytest.fixture
def tree(session):
    made = factories.tree(session)
    session.commit()
    return made


@pytest.fixture
def admin_client(client, session, tree):
    sign_in_staff(client, factories.user(session, Role.ADMIN, None))
    return client


@pytest.fixture
def secretary_client(client, session, tree):
    sign_in_staff(client, factories.user(session, Role.SECRETARY, tree.community))
    return client


def upload(client, place, data: bytes, name: str = "buildings.csv"):
    return client.post(
        f"/admin/places/{place.id}/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        headers=EN,
    )


def test_an_admin_sees_the_district_and_walks_down_to_a_grid(admin_client, tree):
    assert tree.district.name_zh in page(admin_client, "/admin/places")
    street_page = page(admin_client, f"/admin/places/{tree.street.id}")
    assert "Communities" in street_page and tree.community.name_en in street_page
    grid_page = page(admin_client, f"/admin/places/{tree.grid.id}")
    assert tree.building.public_code in grid_page and "Add a building" in grid_page


def test_a_secretary_sees_only_their_community(secretary_client, tree):
    body = page(secretary_client, "/admin/places")
    assert tree.community.name_zh in body and tree.other_community.name_zh not in body
    for place in (tree.other_community, tree.other_grid, tree.street):
        assert secretary_client.get(f"/admin/places/{place.id}").status_code == 403
    assert (
        secretary_client.get(f"/admin/places/buildings/{tree.other_building.id}/edit").status_code
        == 403
    )
    assert (
        secretary_client.get(f"/admin/places/{tree.other_grid.id}/buildings.csv").status_code == 403
    )


def test_a_grid_worker_cannot_open_place_administration(client, session, tree):
    sign_in_staff(client, factories.user(session, Role.GRID_WORKER, tree.grid))
    assert client.get("/admin/places").status_code == 403
    assert client.get(f"/admin/places/{tree.grid.id}").status_code == 403


def test_adding_a_place_with_a_taken_code_keeps_what_was_typed(admin_client, tree, session):
    response = admin_client.post(
        f"/admin/places/{tree.community.id}/new",
        data={"code": tree.grid.code, "name_zh": "新网格", "name_en": "New grid"},
        headers=EN,
    )
    body = response.get_data(as_text=True)
    assert "Another place already has this code" in body
    assert 'value="新网格"' in body and 'value="New grid"' in body
    response = admin_client.post(
        f"/admin/places/{tree.community.id}/new",
        data={"code": "G-NEW", "name_zh": "新网格", "name_en": ""},
    )
    added = session.scalar(select(Place).where(Place.code == "G-NEW"))
    assert response.headers["Location"] == f"/admin/places/{added.id}"
    assert added.parent_id == tree.community.id


def test_editing_a_place(admin_client, tree):
    admin_client.post(
        f"/admin/places/{tree.grid.id}/edit",
        data={"code": tree.grid.code, "name_zh": "改名网格", "name_en": "Renamed"},
    )
    assert tree.grid.name_zh == "改名网格"


def community_form(tree, **fields) -> dict[str, str]:
    return {"code": tree.community.code, "name_zh": "甲社区", "name_en": "Jia Community"} | fields


CENTRE_ZH = "甲社区党群服务中心（幸福路18号）"
CENTRE_EN = "Jia Community Service Centre, 18 Xingfu Road"


def test_a_secretary_saves_where_the_service_centre_is_and_sees_it(secretary_client, tree):
    form = page(secretary_client, f"/admin/places/{tree.community.id}/edit")
    assert "Service centre address in Chinese (optional)" in form
    assert 'name="service_centre_en"' in form
    response = secretary_client.post(
        f"/admin/places/{tree.community.id}/edit",
        data=community_form(tree, service_centre_zh=f" {CENTRE_ZH} ", service_centre_en=CENTRE_EN),
    )
    assert response.headers["Location"] == f"/admin/places/{tree.community.id}"
    assert (tree.community.service_centre_zh, tree.community.service_centre_en) == (
        CENTRE_ZH,
        CENTRE_EN,
    )
    detail = page(secretary_client, f"/admin/places/{tree.community.id}")
    assert "Service centre address" in detail and CENTRE_EN in detail
    chinese = secretary_client.get(
        f"/admin/places/{tree.community.id}", headers={"Accept-Language": "zh-CN"}
    ).get_data(as_text=True)
    assert "服务中心地址" in chinese and CENTRE_ZH in chinese
    # A grid has no service centre to edit.
    assert "service_centre_zh" not in page(secretary_client, f"/admin/places/{tree.grid.id}/edit")


def test_a_service_centre_address_is_refused_as_the_hours_are(secretary_client, tree):
    for fields, message in (
        ({"service_centre_zh": "中" * 201}, "longer than 200 characters"),
        ({"service_centre_en": "x" * 301}, "longer than 300 characters"),
        ({"service_centre_zh": "甲社区\x00服务中心"}, "invisible control characters"),
        ({"service_centre_en": "Centre\x1b"}, "invisible control characters"),
    ):
        response = secretary_client.post(
            f"/admin/places/{tree.community.id}/edit",
            data=community_form(tree, **fields),
            headers=EN,
        )
        body = response.get_data(as_text=True)
        assert message in body and 'aria-invalid="true"' in body, fields
    assert (tree.community.service_centre_zh, tree.community.service_centre_en) == ("", "")


def test_another_community_s_service_centre_is_out_of_reach(secretary_client, tree):
    response = secretary_client.post(
        f"/admin/places/{tree.other_community.id}/edit",
        data=community_form(tree, code=tree.other_community.code, service_centre_zh="别处"),
    )
    assert response.status_code == 403
    assert tree.other_community.service_centre_zh == ""


def test_adding_and_editing_a_building(admin_client, tree, session):
    response = admin_client.post(
        f"/admin/places/{tree.grid.id}/buildings/new",
        data={
            "name_zh": "新楼",
            "name_en": "",
            "address": "新路1号",
            "households": "12",
            "risk_grade": "warning",
            "grid_code": tree.grid.code,
        },
        headers=EN,
        follow_redirects=True,
    )
    added = session.scalar(select(Building).where(Building.name_zh == "新楼"))
    assert f"Its QR code number is {added.public_code}" in response.get_data(as_text=True)
    response = admin_client.post(
        f"/admin/places/buildings/{added.id}/edit",
        data={
            "name_zh": "新楼",
            "name_en": "",
            "address": "新路1号",
            "households": "-1",
            "risk_grade": "safe",
            "grid_code": "NOPE",
        },
        headers=EN,
    )
    body = response.get_data(as_text=True)
    assert "Enter a whole number from 0 to 10000" in body
    response = admin_client.post(
        f"/admin/places/buildings/{added.id}/edit",
        data={
            "name_zh": "新楼",
            "name_en": "",
            "address": "新路1号",
            "households": "5",
            "risk_grade": "safe",
            "grid_code": "NOPE",
        },
        headers=EN,
    )
    assert "There is no grid with the code NOPE" in response.get_data(as_text=True)
    assert added.households == 12


def test_an_import_through_the_page(admin_client, tree, session):
    data = f"网格编码,楼栋名称,地址\r\n{tree.grid.code},导入楼1栋,导入路1号\r\n{tree.grid.code},导入楼2栋,导入路2号\r\n".encode(
        "gb18030"
    )
    response = upload(admin_client, tree.community, data)
    assert response.headers["Location"] == f"/admin/places/{tree.community.id}"
    assert "2 buildings added, 0 updated" in page(
        admin_client, f"/admin/places/{tree.community.id}"
    )
    assert "导入楼2栋" in page(admin_client, f"/admin/places/{tree.grid.id}")


def test_a_bad_import_lists_its_lines_and_saves_nothing(admin_client, tree, session):
    before = session.scalar(select(func.count(Building.id)))
    data = f"网格编码,楼栋名称,地址\r\n{tree.grid.code},好楼,路\r\nNOPE,坏楼,路\r\n".encode()
    response = upload(admin_client, tree.community, data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The file has 1 problem. Nothing was imported." in body
    assert "Line 3: There is no grid with the code NOPE." in body
    assert session.scalar(select(func.count(Building.id))) == before


def test_an_import_with_control_characters_lists_their_lines_and_saves_nothing(
    admin_client, tree, session
):
    before = session.scalar(select(func.count(Building.id)))
    data = f"网格编码,楼栋名称,地址\r\n{tree.grid.code},坏\x00楼,路\x1b\r\n".encode()
    response = upload(admin_client, tree.community, data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Line 2: “楼栋名称” has invisible control characters in it." in body
    assert "Line 2: “地址” has invisible control characters in it." in body
    assert session.scalar(select(func.count(Building.id))) == before


def test_an_import_without_a_file_asks_for_one(admin_client, tree):
    response = admin_client.post(f"/admin/places/{tree.grid.id}/import", data={}, headers=EN)
    assert response.status_code == 400
    assert "Choose a CSV file." in response.get_data(as_text=True)


def test_the_export_is_excel_friendly(admin_client, tree):
    response = admin_client.get(f"/admin/places/{tree.street.id}/buildings.csv")
    assert response.mimetype == "text/csv"
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="buildings-{tree.street.code}.csv"'
    )
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff二维码编号,街道,社区,网格编码")
    assert tree.building.public_code in text and tree.other_building.public_code in text


def test_the_building_list_is_paged_and_searchable(admin_client, tree, session):
    for number in range(55):
        factories.building(session, tree.grid, f"分页楼{number:02d}栋")
    session.commit()
    first = page(admin_client, f"/admin/places/{tree.grid.id}")
    assert "Page 1 of 2" in first and "56 buildings" in first
    second = page(admin_client, f"/admin/places/{tree.grid.id}?page=2")
    assert "分页楼54栋" in second and "分页楼00栋" not in second
    found = page(admin_client, f"/admin/places/{tree.grid.id}?q=分页楼07")
    assert "1 building" in found and "分页楼07栋" in found


def test_what_a_file_contains_is_escaped_in_the_problem_list(admin_client, tree):
    data = "网格编码,楼栋名称,地址\r\n<img src=x id=injected>,楼,路\r\n".encode()
    body = upload(admin_client, tree.community, data).get_data(as_text=True)
    assert "<img src=x id=injected>" not in body
    assert "&lt;img src=x id=injected&gt;" in body


def test_a_new_portal_lets_its_administrator_add_the_first_district(client, session):
    sign_in_staff(client, factories.user(session, Role.ADMIN, None))
    session.commit()
    body = page(client, "/admin/places")
    assert "Add a district" in body
    response = client.post(
        "/admin/places/new", data={"code": "440399", "name_zh": "明湖区", "name_en": ""}
    )
    assert response.status_code == 302


def test_nonsense_add_pages_are_refused(admin_client, secretary_client, tree):
    response = admin_client.get(f"/admin/places/{tree.grid.id}/new", headers=EN)
    assert response.status_code == 400
    assert "A grid is divided into buildings" in response.get_data(as_text=True)
    assert admin_client.get(f"/admin/places/{tree.community.id}/buildings/new").status_code == 404


def test_a_secretary_cannot_even_open_the_form_for_a_district(secretary_client):
    assert secretary_client.get("/admin/places/new").status_code == 403


def test_a_secretary_sees_the_areas_above_as_text_not_links(secretary_client, tree):
    body = page(secretary_client, f"/admin/places/{tree.grid.id}")
    assert f'href="/admin/places/{tree.community.id}"' in body
    assert f'href="/admin/places/{tree.street.id}"' not in body
    assert f"<span>{tree.street.name_en}</span>" in body
