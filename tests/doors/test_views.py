"""Door pages over HTTP: what a resident sees after scanning, and the administrators' posters."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import event, select

from portal.doors.models import BuildingScan
from portal.doors.scans import write_scans
from portal.permissions import Role
from tests import factories
from tests.accounts.test_views import sign_in_staff
from tests.conftest import forget_counters
from tests.qr import decode, pdf_pages, pdf_text

EN = {"Accept-Language": "en-US,en;q=0.9"}
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


@pytest.fixture
def tree(session):
    tree = factories.tree(session)
    tree.community.phone = "0755-2345 6601"
    tree.community.service_hours_zh = "周一至周五 8:30–18:00"
    tree.community.service_hours_en = "Mon–Fri 8:30–18:00"
    tree.grid.phone = "13800138003"
    factories.user(session, Role.GRID_WORKER, tree.grid, name="王强")
    session.commit()
    return tree


def test_the_door_page_in_chinese(client, tree):
    response = client.get(f"/b/{tree.building.public_code}", headers=ZH)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    for expected in ("甲楼1栋", "测试路1号甲楼1栋", "反映诉求", "王强", "甲社区第一网格", 'href="tel:13800138003"',
                     "拨打网格员电话 138 0013 8003", "周一至周五 8:30–18:00", 'href="tel:075523456601"'):  # fmt: skip
        assert expected in body, expected
    assert f'href="/b/{tree.building.public_code}/report"' in body


def test_the_door_page_in_english_uses_english_names(client, tree):
    body = client.get(f"/b/{tree.building.public_code}", headers=EN).get_data(as_text=True)
    assert "Report a problem" in body and "Your grid worker" in body
    assert "甲社区第一网格 (en)" in body and "Mon–Fri 8:30–18:00" in body
    assert "Call the grid worker: 138 0013 8003" in body
    assert '<p lang="zh-CN">测试路1号甲楼1栋</p>' in body


def test_the_door_page_says_where_the_service_centre_is_in_either_language(
    app, client, tree, session
):
    code = tree.building.public_code
    assert "服务中心地址" not in client.get(f"/b/{code}", headers=ZH).get_data(as_text=True)
    tree.community.service_centre_zh = "甲社区党群服务中心（测试路18号）"
    tree.community.service_centre_en = "Jia Community Service Centre, 18 Ceshi Road"
    session.commit()
    forget_counters(app)  # door pages are kept for a minute
    chinese = client.get(f"/b/{code}", headers=ZH).get_data(as_text=True)
    assert '服务中心地址：<span lang="zh-CN">甲社区党群服务中心（测试路18号）</span>' in chinese
    english = client.get(f"/b/{code}", headers=EN).get_data(as_text=True)
    assert "Service centre: Jia Community Service Centre, 18 Ceshi Road" in english
    # Without an English address, an English reader gets the Chinese one, marked as Chinese.
    tree.community.service_centre_en = ""
    session.commit()
    forget_counters(app)
    english = client.get(f"/b/{code}", headers=EN).get_data(as_text=True)
    assert 'Service centre: <span lang="zh-CN">甲社区党群服务中心（测试路18号）</span>' in english


def test_the_code_is_read_in_any_case(client, tree):
    assert client.get(f"/b/{tree.building.public_code.lower()}").status_code == 200


@pytest.mark.parametrize("code", ["ZZZZZZ", "not-a-code", "0O1IL5"])
def test_an_unknown_code_offers_a_search_by_address_in_both_languages(client, tree, code):
    response = client.get(f"/b/{code}", headers=EN)
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "We cannot find this building" in body and 'action="/find"' in body
    assert "找不到这个楼栋" in client.get(f"/b/{code}", headers=ZH).get_data(as_text=True)


def test_the_search_finds_the_building_and_leads_to_its_door(client, tree):
    body = client.get("/find?q=甲楼", headers=EN).get_data(as_text=True)
    assert "1 building found" in body and f'href="/b/{tree.building.public_code}"' in body
    # The words of an address as people say them, apart.
    body = client.get("/find?q=测试路+甲楼", headers=EN).get_data(as_text=True)
    assert "1 building found" in body
    assert "No building matches" in client.get("/find?q=没有这种楼", headers=EN).get_data(
        as_text=True
    )


def test_a_retired_building_points_to_its_community(client, tree, session, now):
    tree.building.retired_at = now
    session.commit()
    body = client.get(f"/b/{tree.building.public_code}", headers=EN).get_data(as_text=True)
    assert "This code is no longer in use" in body and "Your community" in body
    assert "Report a problem" not in body


def test_the_report_form_also_says_whom_to_call(client, tree):
    body = client.get(f"/b/{tree.building.public_code}/report", headers=EN).get_data(as_text=True)
    assert "What kind of problem is it?" in body and 'href="tel:13800138003"' in body


def test_a_retired_building_has_no_report_page(client, tree, session, now):
    tree.building.retired_at = now
    session.commit()
    response = client.get(f"/b/{tree.building.public_code}/report")
    assert response.headers["Location"] == f"/b/{tree.building.public_code}"


def test_an_unknown_page_repeats_only_what_could_be_a_code(client, tree):
    assert "ZZZZZZ" in client.get("/b/zzzzzz", headers=EN).get_data(as_text=True)
    body = client.get("/b/请致电13900000000", headers=EN).get_data(as_text=True)
    main = body[body.index("<main") :]
    assert "13900000000" not in main and "This address does not lead to a building" in main


def test_searches_are_limited_per_address_and_take_words_literally(client, tree, app, monkeypatch):
    assert "1 building found" in client.get("/find?q=甲楼1", headers=EN).get_data(as_text=True)
    assert "No building matches" in client.get("/find?q=%25", headers=EN).get_data(as_text=True)
    monkeypatch.setitem(app.config, "LOOKUP_LIMIT_PER_ADDRESS", "1 per minute")
    assert client.get("/find?q=甲楼").status_code == 200
    assert client.get("/find?q=甲楼").status_code == 429


def test_scans_are_counted_without_a_cookie_or_an_address(client, tree, app, session):
    for _ in range(3):
        response = client.get(
            f"/b/{tree.building.public_code}", environ_base={"REMOTE_ADDR": "203.0.113.9"}
        )
        assert "Set-Cookie" not in response.headers
    write_scans(session, app.extensions["portal.scans"].take())
    scans = session.scalars(select(BuildingScan)).all()
    assert [(scan.building_id, scan.count) for scan in scans] == [(tree.building.id, 3)]


def test_the_page_is_rendered_once_and_then_served_without_the_database(client, tree, session, app):
    url = f"/b/{tree.building.public_code}"
    client.get(url)
    statements = []

    def count(*args):
        statements.append(args[2])

    engine = app.extensions["portal.db"].engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200 and statements == []
    assert response.headers["Cache-Control"] == "public, max-age=60"


def test_a_door_page_stays_light(client, tree, app):
    page = client.get(f"/b/{tree.building.public_code}").get_data()
    css = Path(app.static_folder, "css", "portal.css").read_bytes()
    assert len(page) + len(css) <= 30 * 1024
    assert not re.search(rb'(?:src|href)="(?:https?:)?//', page)


def test_the_png_reads_back_as_the_door_url_and_the_svg_is_labelled_with_it(client, tree, app):
    url = f"{app.config['BASE_URL']}/b/{tree.building.public_code}"
    png = client.get(f"/b/{tree.building.public_code}/qr.png")
    assert png.mimetype == "image/png" and decode(png.get_data()) == [url]
    svg = client.get(f"/b/{tree.building.public_code.lower()}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and f'aria-label="{url}"' in svg.get_data(as_text=True)
    assert client.get("/b/ZZZZZZ/qr.png").status_code == 404


# Administrators


def test_an_administrator_downloads_the_posters_of_a_community(client, tree, session, tmp_path):
    sign_in_staff(client, factories.user(session, Role.ADMIN, None))
    session.commit()
    response = client.get(f"/admin/places/{tree.street.id}/posters.pdf")
    assert response.mimetype == "application/pdf"
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="posters-{tree.street.code}.pdf"'
    )
    pdf = tmp_path / "posters.pdf"
    pdf.write_bytes(response.get_data())
    assert pdf_pages(pdf) == 2
    single = client.get(f"/admin/places/buildings/{tree.building.id}/poster.pdf")
    pdf.write_bytes(single.get_data())
    assert pdf_pages(pdf) == 1 and "甲楼1栋" in pdf_text(pdf)


def test_too_many_posters_for_the_web_are_sent_to_the_command_line(
    client, tree, session, monkeypatch
):
    from portal.doors import views

    monkeypatch.setattr(views, "WEB_POSTER_LIMIT", 1)
    sign_in_staff(client, factories.user(session, Role.ADMIN, None))
    session.commit()
    response = client.get(
        f"/admin/places/{tree.street.id}/posters.pdf", headers=EN, follow_redirects=True
    )
    assert f"qr posters --place {tree.street.code}" in response.get_data(as_text=True)


def test_a_secretary_prints_only_their_own_community(client, tree, session):
    sign_in_staff(client, factories.user(session, Role.SECRETARY, tree.community))
    session.commit()
    assert client.get(f"/admin/places/{tree.community.id}/posters.pdf").status_code == 200
    assert client.get(f"/admin/places/{tree.other_community.id}/posters.pdf").status_code == 403
    assert (
        client.get(f"/admin/places/buildings/{tree.other_building.id}/poster.pdf").status_code
        == 403
    )
    assert (
        client.post(f"/admin/places/buildings/{tree.other_building.id}/retire").status_code == 403
    )


def test_retiring_from_the_building_page_shows_on_this_process_door_at_once(client, tree, session):
    sign_in_staff(client, factories.user(session, Role.ADMIN, None))
    session.commit()
    door = f"/b/{tree.building.public_code}"
    resident = client.application.test_client()
    resident.get(door)  # Now kept in the page cache,
    assert resident.get(f"{door}/report").status_code == 200  # and its facts for the form.
    response = client.post(
        f"/admin/places/buildings/{tree.building.id}/retire", headers=EN, follow_redirects=True
    )
    assert "The building is retired" in response.get_data(as_text=True)
    assert "This code is no longer in use" in resident.get(door, headers=EN).get_data(as_text=True)
    assert resident.get(f"{door}/report").headers["Location"] == door
    client.post(f"/admin/places/buildings/{tree.building.id}/restore")
    assert tree.building.retired_at is None


def test_a_public_phone_must_look_like_one_and_be_nobodys_sign_in(client, tree, session):
    admin = factories.user(session, Role.ADMIN, None)
    sign_in_staff(client, admin)
    session.commit()
    response = client.post(
        f"/admin/places/{tree.grid.id}/edit",
        data={
            "code": tree.grid.code,
            "name_zh": "甲社区第一网格",
            "name_en": "",
            "phone": admin.phone,
        },
        headers=EN,
    )
    assert "sign-in number. Posters need a work number" in response.get_data(as_text=True)
    response = client.post(
        f"/admin/places/{tree.community.id}/edit",
        data={
            "code": tree.community.code,
            "name_zh": "甲社区",
            "name_en": "",
            "phone": "call me maybe",
        },
        headers=EN,
    )
    assert "Enter a phone number of digits" in response.get_data(as_text=True)
    response = client.post(
        f"/admin/places/{tree.community.id}/edit",
        data={"code": tree.community.code, "name_zh": "甲社区", "name_en": "", "phone": "- -"},
        headers=EN,
    )
    assert "Enter a phone number of digits" in response.get_data(as_text=True)
    client.post(
        f"/admin/places/{tree.community.id}/edit",
        data={"code": tree.community.code, "name_zh": "甲社区", "name_en": "", "phone": "0755-8888 0000",
              "service_hours_zh": "全天", "service_hours_en": "All day"},
    )  # fmt: skip
    assert (tree.community.phone, tree.community.service_hours_en) == ("0755-8888 0000", "All day")


def test_scan_counts_are_written_after_the_response_in_their_own_transaction(fresh_app):
    """The production path: counts due to be written go out once the response is closed."""
    from portal.db import db

    app = fresh_app(migrate=True, SCAN_FLUSH_SECONDS=0)
    with app.app_context():
        building = factories.tree(db.session).building
        db.session.commit()
        code, building_id = building.public_code, building.id
    client = app.test_client()
    for _ in range(2):
        response = client.get(f"/b/{code}")
        assert response.status_code == 200
        response.close()
    with app.app_context():
        assert (
            db.session.scalar(
                select(BuildingScan.count).where(BuildingScan.building_id == building_id)
            )
            == 2
        )
