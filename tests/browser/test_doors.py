"""From a printed poster to the door page and the report action, on a phone."""

from __future__ import annotations

import io
import re

from PIL import Image
from playwright.sync_api import expect

from portal.db import db
from portal.doors.posters import write_posters
from portal.doors.services import poster_facts
from portal.permissions import SYSTEM
from portal.places.models import Place
from tests.qr import decode, pdf_page_images

GRID = "44039900100101"  # 塘尾社区第一网格, where the demo grid worker 王强 works.
TEXT = {
    "zh": {"report": "反映诉求", "worker": "您的网格员", "call": "拨打网格员电话 139 2550 0101", "question": "您要反映哪类问题？",
           "unknown": "找不到这个楼栋", "find": "查找我的楼栋", "found": "找到"},
    "en": {"report": "Report a problem", "worker": "Your grid worker", "call": "Call the grid worker: 139 2550 0101",
           "question": "What kind of problem is it?", "unknown": "We cannot find this building", "find": "Find my building",
           "found": "found"},
}  # fmt: skip


def scanned_url(live_server, tmp_path) -> tuple[str, str]:
    """Print the first poster of the grid, render it as a printer would, and scan it."""
    with live_server.app.app_context():
        grid = db.session.query(Place).filter_by(code=GRID).one()
        doors = poster_facts(db.session, SYSTEM, grid)
        pdf = tmp_path / "posters.pdf"
        with pdf.open("wb") as file:
            write_posters(file, doors[:1], live_server.app.config["BASE_URL"])
    [url] = decode(pdf_page_images(pdf, 1, 1, dpi=100)[0])
    return url, doors[0].name_zh


def test_a_resident_scans_a_poster_and_reaches_the_report_action(
    live_server, phone, check, language, tmp_path
):
    words = TEXT[language]
    url, building = scanned_url(live_server, tmp_path)
    assert re.fullmatch(
        rf"{re.escape(live_server.url)}/b/[{re.escape('23456789ABCDEFGHJKMNPQRSTUVWXYZ')}]{{6}}",
        url,
    )

    phone.goto(url)
    if language == "zh":
        expect(phone.locator("h1")).to_have_text(building)
    expect(phone.locator("main")).to_contain_text(words["worker"])
    expect(phone.locator("main")).to_contain_text("王强")
    call = phone.get_by_role("link", name=words["call"])
    expect(call).to_have_attribute("href", "tel:13925500101")
    check(phone, "1-door-page")

    phone.get_by_role("link", name=words["report"]).click()
    expect(phone).to_have_url(url + "/report")
    expect(phone.locator("h1")).to_have_text(words["question"])
    check(phone, "2-report")


def test_an_unknown_code_leads_to_a_search_by_address(live_server, phone, check, language):
    words = TEXT[language]
    response = phone.goto(live_server.url + "/b/ZZZZZZ")
    assert response.status == 404
    expect(phone.locator("h1")).to_have_text(words["unknown"])
    check(phone, "1-unknown-code")
    phone.locator("#q").fill("碧眼大道")
    phone.get_by_role("button", name=words["find"]).click()
    expect(phone.locator("main h2")).to_contain_text(words["found"])
    check(phone, "2-search-results")
    phone.locator(".card-list a").first.click()
    expect(phone).to_have_url(re.compile(r"/b/[A-Z0-9]{6}$"))
    expect(phone.get_by_role("link", name=words["report"])).to_be_visible()


def test_the_svg_drawn_by_a_browser_reads_back_as_the_door_url(live_server, phone, tmp_path):
    url, _building = scanned_url(live_server, tmp_path)
    phone.set_viewport_size({"width": 390, "height": 390})
    phone.goto(url + "/qr.svg")
    shot = Image.open(io.BytesIO(phone.screenshot()))
    assert decode(shot) == [url]
