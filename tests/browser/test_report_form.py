"""The report form as an older resident meets it on a phone: with the text zoomed to 200%."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import aliased

from portal.appeals.models import Appeal
from portal.catalogue.models import CatalogueItem
from portal.db import db
from portal.places.models import Building, Place
from tests.browser.conftest import LANGUAGES, WECHAT_ANDROID


def a_demo_door(live_server) -> str:
    """The report address of the demo district's first building."""
    with live_server.app.app_context():
        code = db.session.scalars(select(Building.public_code).order_by(Building.id)).first()
        return f"{live_server.url}/b/{code}/report"


def a_quiet_door(live_server) -> str:
    """The report address of a building whose community nobody has reported from yet (other
    browser tests share the server and file reports, which make their kinds usual)."""
    grid, other_grid = aliased(Place), aliased(Place)
    reported_communities = (
        select(other_grid.parent_id)
        .join(Building, Building.grid_id == other_grid.id)
        .join(Appeal, Appeal.building_id == Building.id)
    )
    with live_server.app.app_context():
        code = db.session.scalars(
            select(Building.public_code)
            .join(grid, grid.id == Building.grid_id)
            .where(grid.parent_id.not_in(reported_communities))
            .order_by(Building.id.desc())
        ).first()
        assert code is not None, "every demo community has reports"
        return f"{live_server.url}/b/{code}/report"


def an_item(live_server) -> int:
    with live_server.app.app_context():
        return db.session.scalars(select(CatalogueItem.id).order_by(CatalogueItem.id)).first()


def test_the_photo_field_is_not_clipped_at_200_percent_zoom(live_server, chromium, check, language):
    # A 390 px wide phone zoomed to 200% lays the page out 195 CSS pixels wide.
    context = chromium.new_context(
        viewport={"width": 195, "height": 422},
        device_scale_factor=4,
        is_mobile=True,
        has_touch=True,
        locale=LANGUAGES[language],
        user_agent=WECHAT_ANDROID,
    )
    try:
        page = context.new_page()
        page.goto(f"{a_demo_door(live_server)}?step=item&item={an_item(live_server)}")
        photos = page.locator("#photos")
        widths = photos.evaluate("field => [field.scrollWidth, field.clientWidth]")
        assert widths[0] <= widths[1], widths
        page_widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert page_widths[0] <= page_widths[1], page_widths
        check(page, "photo-field-at-200-percent")
    finally:
        context.close()


PINNED = {
    "zh": ["楼道灯不亮", "电梯坏了不能坐", "楼道、地下室漏水", "邻居在楼道里堆东西", "邻居家太吵，睡不好觉",
           "垃圾满了没人清运"],
    "en": ["The stairwell light is out", "The lift has stopped working",
           "Water leaking in the stairwell or basement", "A neighbour keeps things in the stairwell",
           "Neighbours are too noisy to sleep", "Rubbish bins full and not collected"],
}  # fmt: skip
SOMETHING_ELSE = {"zh": "其他问题", "en": "Something else"}
TWO_PHONE_SCREENS = 2 * 844


def test_the_first_screen_offers_the_usual_kinds_within_two_phone_screens(
    live_server, phone, check, language
):
    door = a_quiet_door(live_server)
    phone.goto(door)
    # A community with no reports yet: its district's pinned kinds come first, as big buttons.
    buttons = phone.locator(".first-choices button")
    assert buttons.all_inner_texts() == PINNED[language]
    assert all(box["height"] >= 44 for box in (b.bounding_box() for b in buttons.all()))
    height = phone.evaluate("document.documentElement.scrollHeight")
    assert height <= TWO_PHONE_SCREENS, height
    check(phone, "first-screen")

    buttons.first.click()
    expect(phone.locator("main")).to_contain_text(PINNED[language][0])
    expect(phone.locator("#description")).to_be_visible()

    phone.goto(door)
    phone.locator("#something-else").click()
    expect(phone.locator("main")).to_contain_text(SOMETHING_ELSE[language])
    expect(phone.locator("#description")).to_be_visible()

    # Every other kind is a screen away, its groups folded until one is opened.
    phone.goto(door)
    phone.locator("#every-kind").click()
    assert phone.locator(".choice-panel").count() > 10
    assert phone.locator(".choice-panel[open]").count() == 0
    check(phone, "every-kind")
    phone.locator(".choice-panel summary").nth(1).click()
    phone.locator(".choice-panel[open] .choice label").first.click()
    phone.locator("form .actions .button--large").click()
    expect(phone.locator("#description")).to_be_visible()
