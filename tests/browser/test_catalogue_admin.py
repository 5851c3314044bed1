"""An administrator on a phone adds a street's urban-management unit with its officer, then a
kind of problem at level 3 that goes to it; a resident finds it on the report form."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from portal.catalogue.models import CatalogueGroup, CatalogueItem
from portal.db import db
from portal.places.models import Building, Place
from portal.units.models import Unit
from tests.browser.test_doors import GRID
from tests.browser.test_places import ADMIN, TEXT, staff_sign_in

STREET = "440399001"  # 凤凰街道, whose officer is 刘志明
OFFICER = "13800138005"
# The names each run types: both runs share one portal, and live names are unique.
NAMES = {
    "zh": {"unit_zh": "凤凰街道城管执法队", "unit_en": "Fenghuang urban management",
           "item_zh": "井盖松动或丢失", "item_en": "A manhole cover loose or missing"},
    "en": {"unit_zh": "凤凰街道燃气办", "unit_en": "Fenghuang gas safety office",
           "item_zh": "小区里闻到煤气味", "item_en": "A smell of gas in the estate"},
}  # fmt: skip


def one(live_server, query):
    with live_server.app.app_context():
        return db.session.scalar(query)


def test_an_admin_adds_a_level_3_kind_of_problem_with_its_unit(live_server, phone, check, language):
    names = NAMES[language]
    staff_sign_in(phone, live_server, ADMIN, TEXT[language])

    phone.locator("a[href='/admin/units']").click()
    check(phone, "1-units")
    phone.locator("#add-unit").click()
    phone.locator("#code").fill(f"fh-unit-{language}")
    street_id = one(live_server, select(Place.id).where(Place.code == STREET))
    phone.locator("#place_id").select_option(str(street_id))
    phone.locator("#name_zh").fill(names["unit_zh"])
    phone.locator("#name_en").fill(names["unit_en"])
    phone.locator("#phone").fill("0755-2345 6789")
    check(phone, "2-new-unit")
    phone.locator("main form button.button").click()
    expect(phone).to_have_url(re.compile(r"/admin/units/\d+#members$"))
    unit_id = one(live_server, select(Unit.id).where(Unit.code == f"fh-unit-{language}"))

    phone.locator("#member-phone").fill("13800138004")  # the secretary: not an officer
    phone.locator(f"form[action='/admin/units/{unit_id}/members'] button").click()
    expect(phone.locator("#error-summary")).to_be_visible()
    expect(phone.locator("#member-phone")).to_have_value("13800138004")
    check(phone, "3-member-refused")
    phone.locator("#member-phone").fill(OFFICER)
    phone.locator(f"form[action='/admin/units/{unit_id}/members'] button").click()
    expect(phone.locator(".flash--success")).to_be_visible()
    expect(phone.locator("#members ~ ul.card-list")).to_contain_text("刘志明")
    check(phone, "4-unit-with-member")

    phone.goto(live_server.url + "/staff")
    phone.locator("a[href='/admin/catalogue']").click()
    check(phone, "5-catalogue")
    phone.locator("#add-item").click()
    phone.locator("main form button.button").click()  # nothing filled in
    expect(phone.locator("#error-summary")).to_be_visible()
    check(phone, "6-new-item-problems")

    group = one(
        live_server, select(CatalogueGroup.id).where(CatalogueGroup.code == "public-facilities")
    )
    phone.locator("#code").fill(f"browser-item-{language}")
    phone.locator("#group_id").select_option(str(group))
    phone.locator("#name_zh").fill(names["item_zh"])
    phone.locator("#name_en").fill(names["item_en"])
    phone.locator("#default_level-2").check()  # level 3
    phone.locator("input[name=handling][value=emergency]").check()
    phone.locator("#resolve_hours").fill("3")
    phone.locator("#unit_id").select_option(str(unit_id))
    check(phone, "7-new-item-filled")
    phone.locator("main form button.button").click()

    item = one(
        live_server, select(CatalogueItem).where(CatalogueItem.code == f"browser-item-{language}")
    )
    assert (item.default_level, item.unit_id, item.resolve_minutes) == (3, unit_id, 180)
    expect(phone).to_have_url(re.compile(rf"/admin/catalogue#item-{item.id}$"))
    shown = names["item_zh"] if language == "zh" else names["item_en"]
    expect(phone.locator(f"#item-{item.id}")).to_contain_text(shown)
    expect(phone.locator(f"#item-{item.id}")).to_contain_text(
        names["unit_zh"] if language == "zh" else names["unit_en"]
    )
    check(phone, "8-catalogue-with-item")

    phone.locator("form[action='/sign-out'] button").click()
    door = one(
        live_server,
        select(Building.public_code).join(Building.grid).where(Place.code == GRID).limit(1),
    )
    # Every kind but the usual ones is a screen away, in its folded group.
    phone.goto(f"{live_server.url}/b/{door}/report?all=1")
    phone.locator(f".choice-panel:has(#item-{item.id}) summary").click()
    choice = phone.locator(f"#item-{item.id}")
    expect(choice).to_be_visible()
    expect(phone.locator(f"label[for='item-{item.id}']")).to_have_text(shown)
    check(phone, "9-report-form")
    choice.check()
    phone.locator("form .actions .button--large").click()
    expect(phone.locator("main")).to_contain_text(shown)
