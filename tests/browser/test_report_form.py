"""The report form as an older resident meets it on a phone: with the text zoomed to 200%."""

from __future__ import annotations

from sqlalchemy import select

from portal.catalogue.models import CatalogueItem
from portal.db import db
from portal.places.models import Building
from tests.browser.conftest import LANGUAGES, WECHAT_ANDROID


def a_demo_door(live_server) -> str:
    """The report address of the demo district's first building."""
    with live_server.app.app_context():
        code = db.session.scalars(select(Building.public_code).order_by(Building.id)).first()
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
