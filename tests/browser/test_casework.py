"""Casework on a phone: a grid worker files a report for a resident and calls in a
department, which answers; a secretary merges a neighbour's duplicate, sets spam aside with
its number blocked, and puts it back."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import expect
from sqlalchemy import select

from portal.appeals import appeal_settings, services
from portal.appeals.models import AppealState
from portal.catalogue.models import CatalogueItem
from portal.db import db, utcnow
from portal.places.models import Building, Place
from tests.browser.test_appeals import GRID_WORKER, SECRETARY, TEXT, appeal_of, go_on, sms_kinds
from tests.browser.test_places import staff_sign_in

UNIT_OFFICER = "13800138009"  # 黄建华, of the district's housing bureau
GRID = "44039900100101"  # 王强's grid
RESIDENTS = {"zh": "13512340011", "en": "13512340012"}
NEIGHBOURS = {"zh": "13512340021", "en": "13512340022"}
PRANKSTERS = {"zh": "13512340031", "en": "13512340032"}


def building_code(live_server, index: int = 0) -> str:
    with live_server.app.app_context():
        grid = db.session.scalar(select(Place).where(Place.code == GRID))
        codes = db.session.scalars(
            select(Building.public_code).where(Building.grid_id == grid.id).order_by(Building.id)
        ).all()
        return codes[index]


def item_id(live_server, code: str) -> int:
    with live_server.app.app_context():
        return db.session.scalar(select(CatalogueItem.id).where(CatalogueItem.code == code))


def sign_out(page) -> None:
    page.locator("form[action='/sign-out'] button").click()


def flash(page) -> None:
    expect(page.locator(".flash--success")).to_be_visible()


def test_a_grid_worker_files_for_a_resident_and_calls_in_a_department(
    live_server, phone, check, language
):
    words, resident = TEXT[language], RESIDENTS[language]
    staff_sign_in(phone, live_server, GRID_WORKER, words)
    phone.goto(live_server.url + "/staff/appeals")
    phone.locator("a[href$='/staff/appeals/new']").click()
    check(phone, "1-file-for-a-resident")
    phone.locator("#q").fill("nothing")
    phone.locator("main form button").click()
    expect(phone.locator(".error-summary")).to_be_visible()
    phone.locator("#q").fill(building_code(live_server, 1).lower())
    phone.locator("main form button").click()

    # Not one of the usual kinds: found group by group on the second screen.
    phone.locator("#every-kind").click()
    corridor = item_id(live_server, "rubbish-in-corridor")
    phone.locator(f".choice-panel:has(#item-{corridor}) summary").click()
    phone.locator(f"#item-{corridor}").check()
    go_on(phone)
    phone.locator("#description").fill("独居老人家门口堆了很多杂物，老人行动不便，请帮忙清理。")
    go_on(phone)
    phone.locator("#phone").fill(resident)
    phone.locator("#consent").check()
    check(phone, "2-resident-agrees")
    go_on(phone)
    check(phone, "3-check-answers")
    go_on(phone)
    flash(phone)
    tracking = re.search(r"A\d{4}-[0-9A-Z]{4}", phone.locator(".flash--success").inner_text())[0]
    expect(phone).to_have_url(re.compile(rf"/staff/appeals/{tracking}$"))
    assert "appeal_received" in sms_kinds(live_server, resident)

    phone.locator("form[action$='/accept'] button").click()
    flash(phone)
    phone.locator("#summon-hours").fill("24")
    phone.locator("#summon-note").fill("楼道杂物涉及违建棚架，请住建局派人到场认定。")
    check(phone, "4-summon")
    phone.locator("form[action$='/summon'] button").click()
    flash(phone)
    assert "appeal_summoned" in sms_kinds(live_server, UNIT_OFFICER)
    sign_out(phone)

    staff_sign_in(phone, live_server, UNIT_OFFICER, words)
    phone.goto(live_server.url + "/staff/appeals")
    check(phone, "5-unit-queue")
    phone.get_by_role("link", name=re.compile(tracking)).first.click()
    phone.locator("textarea[id$='-answer']").fill("明天上午九点派人到场。")
    check(phone, "6-answer")
    phone.locator("form[action*='/staff/summonses/'] button").click()
    flash(phone)
    expect(phone.locator("main")).to_contain_text("明天上午九点派人到场")
    check(phone, "7-answered")
    assert "appeal_answered" in sms_kinds(live_server, GRID_WORKER)
    assert appeal_of(live_server, tracking).filed_by_id is not None


def file_for_community(live_server, phone_number: str, building: str) -> str:
    settings = appeal_settings(live_server.app)
    """A confirmed report that goes to the community's queue (a level-2 kind of problem)."""
    with live_server.app.app_context():
        session = db.session
        item = session.scalars(
            select(CatalogueItem).where(CatalogueItem.default_level == 2).order_by(CatalogueItem.id)
        ).first()
        door = session.scalar(select(Building.id).where(Building.public_code == building))
        report = services.Report(
            item_id=item.id, description="楼上漏水，天花板一直滴水。", phone=phone_number
        )
        appeal = services.submit(
            session, door, report, submission_key=secrets.token_hex(8), user=None,
            locale="zh_Hans_CN", now=utcnow(), consent=False,
         settings=settings)  # fmt: skip
        session.commit()
        return appeal.tracking


def confirm_by_code(live_server, tracking: str, phone_number: str) -> None:
    settings = appeal_settings(live_server.app)
    code = live_server.sms_code(phone_number)
    with live_server.app.app_context():
        appeal = services.find(db.session, tracking)
        services.confirm(db.session, appeal, code, now=utcnow(), settings=settings)
        db.session.commit()


def test_a_secretary_merges_a_duplicate_and_sets_spam_aside(live_server, phone, check, language):
    words = TEXT[language]
    building = building_code(live_server, 2 if language == "zh" else 3)
    first = file_for_community(live_server, RESIDENTS[language], building)
    confirm_by_code(live_server, first, RESIDENTS[language])
    second = file_for_community(live_server, NEIGHBOURS[language], building)
    confirm_by_code(live_server, second, NEIGHBOURS[language])

    staff_sign_in(phone, live_server, SECRETARY, words)
    phone.goto(live_server.url + "/staff/appeals")
    phone.locator("details.filters summary").click()
    phone.locator("#stage").select_option("waiting")
    phone.locator("details.filters form button").click()
    expect(phone.get_by_role("link", name=re.compile(second))).to_be_visible()
    check(phone, "1-filtered-queue")
    phone.get_by_role("link", name=re.compile(second)).click()
    check(phone, "2-duplicate-suggested")
    phone.locator(f"form[action$='/merge'] input[value='{first}'] + button").click()
    flash(phone)
    assert appeal_of(live_server, second).state == AppealState.MERGED
    assert "appeal_merged" in sms_kinds(live_server, NEIGHBOURS[language])

    spam = file_for_community(live_server, PRANKSTERS[language], building)
    confirm_by_code(live_server, spam, PRANKSTERS[language])
    phone.goto(f"{live_server.url}/staff/appeals/{spam}")
    phone.locator("#elsewhere summary").click()
    phone.locator("#hide-reason").fill("测试广告")
    phone.locator("#hide-block_phone").check()
    check(phone, "3-set-aside")
    phone.locator("form[action$='/hide'] button").click()
    flash(phone)
    phone.goto(live_server.url + "/staff/appeals?view=held")
    check(phone, "4-held")
    phone.get_by_role("link", name=re.compile(spam)).click()
    phone.locator("form[action$='/restore'] button").click()
    flash(phone)
    assert appeal_of(live_server, spam).state == AppealState.RECEIVED

    phone.goto(live_server.url + "/staff/blocked-phones")
    check(phone, "5-blocklist")
    phone.locator("main form[action*='/remove'] button").first.click()
    flash(phone)
