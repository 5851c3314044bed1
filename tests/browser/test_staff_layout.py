"""Staff pages at desktop and phone size: the catalogue folds its groups and finds a kind of
problem; a queue's filters are a compact bar on a desktop and a panel that folds on a phone."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from portal.catalogue.models import CatalogueGroup, CatalogueItem
from portal.db import db
from tests.browser.test_places import ADMIN, SECRETARY, TEXT, staff_sign_in

TRAPPED = {
    "zh": ("电梯里关着人", "电梯里关着人出不来"),
    "en": ("trapped", "Someone is trapped in the lift"),
}


def height(page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


def test_the_catalogue_folds_its_groups_and_finds_a_kind_of_problem(
    live_server, phone, desktop, check, language
):
    with live_server.app.app_context():
        groups = db.session.scalar(select(func.count(CatalogueGroup.id)))
        trapped = db.session.scalar(
            select(CatalogueItem.id).where(CatalogueItem.code == "lift-people-trapped")
        )
    words, name = TRAPPED[language]
    for page, size in ((phone, "phone"), (desktop, "desktop")):
        staff_sign_in(page, live_server, ADMIN, TEXT[language])
        page.goto(live_server.url + "/admin/catalogue")
        folds = page.locator("details.fold")
        expect(folds).to_have_count(groups)
        expect(page.locator("details.fold[open]")).to_have_count(0)
        expect(folds.first.locator("summary")).to_contain_text(re.compile(r"\d"))
        expect(page.locator(f"#item-{trapped}")).to_be_hidden()
        # Was one 8,600-pixel page on a phone: now every group fits in three phone screens.
        assert height(page) <= 3 * 844, f"{size}: {height(page)} px"
        check(page, f"1-catalogue-{size}")

        page.locator(f"#item-{trapped}").locator("xpath=ancestor::details/summary").click()
        expect(page.locator(f"#item-{trapped}")).to_be_visible()

        page.locator("#q").fill(words)
        page.locator("form[role=search] button").click()
        expect(page).to_have_url(re.compile(r"/admin/catalogue\?q="))
        expect(page.locator("#found + ul.card-list")).to_contain_text(name)
        check(page, f"2-catalogue-search-{size}")

        # A link to a kind of problem (where saving one leads) opens its group.
        page.goto(f"{live_server.url}/admin/catalogue#item-{trapped}")
        expect(page.locator(f"#item-{trapped}")).to_be_visible()


def test_a_queue_s_filters_are_a_bar_on_a_desktop_and_fold_on_a_phone(
    live_server, phone, desktop, check, language
):
    staff_sign_in(desktop, live_server, SECRETARY, TEXT[language])
    desktop.goto(live_server.url + "/staff/appeals")
    fields = desktop.locator(".filters .field")
    expect(fields.first.locator("select")).to_be_visible()
    tops = {
        round(box["y"]) for box in (fields.nth(i).bounding_box() for i in range(fields.count()))
    }
    assert len(tops) == 1, f"the filters sit in one row, not {len(tops)}"
    assert desktop.locator(".filters").bounding_box()["height"] < 150
    check(desktop, "1-queue-desktop")
    desktop.locator(".filters select[name=level]").select_option("2")
    desktop.locator(".filters button").click()
    expect(desktop).to_have_url(re.compile(r"level=2"))
    expect(desktop.locator(".filters select[name=level]")).to_have_value("2")

    staff_sign_in(phone, live_server, SECRETARY, TEXT[language])
    phone.goto(live_server.url + "/staff/appeals")
    panel = phone.locator("details.filters")
    expect(panel.locator("select").first).to_be_hidden()
    summary = panel.locator("summary")
    expect(summary).to_be_visible()
    assert summary.bounding_box()["height"] >= 44
    check(phone, "2-queue-phone")
    summary.click()
    selects = panel.locator("select")
    expect(selects.first).to_be_visible()
    widths = [selects.nth(i).bounding_box()["width"] for i in range(selects.count())]
    assert min(widths) > 300, "on a phone each filter takes the width of the screen"
    check(phone, "3-queue-phone-filters")
