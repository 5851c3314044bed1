"""Staff at phone size: an administrator imports buildings; a secretary stays in their community."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from portal.db import db
from portal.demo import data
from portal.places.models import Place

ADMIN = "13800138008"
SECRETARY = "13800138004"  # Secretary of 塘尾社区 in the demo district.
TEXT = {
    "zh": {"phone": "手机号码", "password": "密码", "sign_in": "登录", "places": "区域和楼栋", "import": "导入楼栋",
           "file": "楼栋 CSV 文件", "submit": "导入", "done": "导入完成：新增 2 栋楼", "problem": "第 3 行",
           "forbidden": "您无法打开此页面", "buildings": "楼栋"},
    "en": {"phone": "Mobile number", "password": "Password", "sign_in": "Sign in", "places": "Places and buildings",
           "import": "Import buildings", "file": "CSV file of buildings", "submit": "Import",
           "done": "Import finished: 2 buildings added", "problem": "Line 3", "forbidden": "You cannot open this page",
           "buildings": "Buildings"},
}  # fmt: skip


def staff_sign_in(page, live_server, phone_number: str, words: dict) -> None:
    page.goto(live_server.url + "/staff/sign-in")
    page.get_by_label(words["phone"]).fill(phone_number)
    page.get_by_label(words["password"], exact=True).fill(data.STAFF_PASSWORD)
    page.get_by_role("button", name=words["sign_in"], exact=True).click()
    expect(page).to_have_url(re.compile(r"/staff$"))


def place_id(live_server, code: str) -> int:
    with live_server.app.app_context():
        return db.session.scalar(select(Place.id).where(Place.code == code))


def test_an_admin_imports_buildings_from_a_csv_file(live_server, phone, check, language, tmp_path):
    words = TEXT[language]
    staff_sign_in(phone, live_server, ADMIN, words)
    check(phone, "1-staff-desk")

    phone.get_by_role("link", name=words["places"]).click()
    check(phone, "2-places")
    phone.get_by_role("link", name="明湖区" if language == "zh" else "Minghu District").click()
    check(phone, "3-district")
    phone.get_by_role("link", name=words["import"]).click()
    check(phone, "4-import")

    grid = "44039900200201"  # 新羌社区第一网格
    names = [f"浏览器导入楼{language}{number}栋" for number in (1, 2)]
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        f"\ufeff网格编码,楼栋名称,地址\r\n{grid},{names[0]},新羌路1号\r\nNOPE,坏楼,新羌路2号\r\n".encode()
    )
    phone.get_by_label(words["file"]).set_input_files(str(bad))
    phone.get_by_role("button", name=words["submit"], exact=True).click()
    expect(phone.locator("#error-summary")).to_contain_text(words["problem"])
    check(phone, "5-import-problems")

    good = tmp_path / "buildings.csv"
    rows = "".join(
        f"{grid},{name},新羌路{number}号,36,一般\r\n" for number, name in enumerate(names, 1)
    )
    good.write_bytes(("\ufeff网格编码,楼栋名称,地址,户数,风险等级\r\n" + rows).encode())
    phone.get_by_label(words["file"]).set_input_files(str(good))
    phone.get_by_role("button", name=words["submit"], exact=True).click()
    expect(phone.locator(".flash")).to_contain_text(words["done"])
    check(phone, "6-imported")

    phone.goto(f"{live_server.url}/admin/places/{place_id(live_server, grid)}")
    table = phone.locator("table")
    for name in names:
        expect(table).to_contain_text(name)
    check(phone, "7-grid-with-new-buildings")


def test_a_secretary_cannot_open_another_communitys_page(live_server, phone, check, language):
    words = TEXT[language]
    staff_sign_in(phone, live_server, SECRETARY, words)
    phone.get_by_role("link", name=words["places"]).click()
    own = phone.locator("main .card-list")
    expect(own).to_contain_text("塘尾社区" if language == "zh" else "Tangwei Community")
    expect(own).not_to_contain_text("甲子塘")
    own.get_by_role("link").first.click()
    expect(phone.locator("h2#buildings")).to_have_text(words["buildings"])
    check(phone, "1-own-community")

    response = phone.goto(f"{live_server.url}/admin/places/{place_id(live_server, '440399001002')}")
    assert response.status == 403
    expect(phone.locator("h1")).to_have_text(words["forbidden"])
    check(phone, "2-other-community-refused")


def test_staff_pages_are_easy_to_read_and_tap(live_server, phone, language):
    from tests.browser.test_sign_in import assert_easy_to_read_and_tap

    staff_sign_in(phone, live_server, ADMIN, TEXT[language])
    grid = place_id(live_server, "44039900100101")
    for path in ("/staff", "/admin/places", f"/admin/places/{grid}", f"/admin/places/{grid}/import",
                 "/admin/users", "/admin/users/new", "/admin/audit", "/account"):  # fmt: skip
        phone.goto(live_server.url + path)
        assert_easy_to_read_and_tap(phone)
