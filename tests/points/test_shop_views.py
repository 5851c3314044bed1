"""The points shop over HTTP: anyone browses a community's shelf; a signed-in resident orders,
sees the pick-up code and a QR that a phone reads as the hand-over address, cancels, or asks
to be told when a reward is back; a coordinator hands the reward over by its code. A refusal
is said beside the reward or the code; another resident's order is not found."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from portal.db import utcnow
from portal.points.models import OrderState, RestockWish, RewardOrder
from portal.uploads import services as uploads
from portal.uploads.web import store
from tests.accounts.test_views import EN, page, sign_in_by_sms
from tests.points.shop_world import balance_of, fund, reward
from tests.points.test_views import another, as_staff
from tests.points.world import make_world
from tests.volunteering.test_attendance_views import code_on


@pytest.fixture
def world(session, app):
    with app.test_request_context(headers=EN):
        made = make_world(session)
        fund(session, made.resident, made.tree.community, 1000, now=utcnow())
        made.rice = reward(session, made.tree.community)
        made.towel = reward(session, made.tree.community, name_zh="毛巾", name_en="Towel",
                            price=100, stock=0)  # fmt: skip
    session.commit()
    return made


def resident(app, session, sms, phone="13800138000"):
    browser = another(app, session)
    sign_in_by_sms(browser, sms, phone)
    return browser


def shop_url(world) -> str:
    return f"/points/shop/{world.tree.community.code}"


def ordered(app, session, sms, world, browser=None):
    browser = browser or resident(app, session, sms)
    response = browser.post(f"/points/shop/rewards/{world.rice.id}/order", headers=EN)
    assert response.status_code == 302
    made = session.scalars(select(RewardOrder)).one()
    assert response.headers["Location"].endswith(f"/points/orders/{made.id}")
    return browser, made


def test_anyone_browses_the_shelf_and_is_asked_to_sign_in_to_order(app, session, world):
    upload = uploads.receive(session, store(app), io.BytesIO(_jpeg()), purpose="points.reward",
                             address=None, now=utcnow())  # fmt: skip
    uploads.attach(session, [upload], f"points_rewards:{world.rice.id}")
    world.rice.picture_id = upload.id
    session.commit()
    browser = another(app, session)
    body = page(browser, shop_url(world).lower())
    assert f'id="reward-{world.rice.id}"' in body and "Rice, 2.5 kg" in body
    assert "300 points" in body and "20 left" in body and "All gone" in body
    assert "Community centre, ground floor" in body
    assert "/sign-in?next=" in body and "/order" not in body
    picture = f"/points/shop/rewards/{world.rice.id}/pictures/{upload.name}"
    assert f'src="{picture}"' in body and 'alt="Rice, 2.5 kg"' in body
    with browser.get(picture) as shown:
        assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    assert (
        browser.get(f"/points/shop/rewards/{world.towel.id}/pictures/{upload.name}").status_code
        == 404
    )
    assert browser.get("/points/shop/NOSUCH").status_code == 404
    assert browser.post(f"/points/shop/rewards/{world.rice.id}/order").status_code == 302
    assert session.scalars(select(RewardOrder)).all() == []


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), "gold").save(out, "JPEG")
    return out.getvalue()


def test_a_resident_orders_and_sees_the_code_and_a_qr_of_the_hand_over_address(
    app, session, world, sms
):
    browser = resident(app, session, sms)
    body = page(browser, shop_url(world))
    assert "You hold 1,000 points." in body and "Order for 300 points" in body
    browser, made = ordered(app, session, sms, world, browser)
    assert made.state is OrderState.PLACED and balance_of(session, world.resident) == 700
    body = page(browser, f"/points/orders/{made.id}")
    assert f"{made.code[:4]} {made.code[4:]}" in body and "Community centre" in body
    assert code_on(body) == f"{app.config['BASE_URL']}/points/desk/handover?code={made.code}"
    listed = page(browser, "/points/orders")
    assert "Rice, 2.5 kg" in listed and "Waiting for you: pick it up by" in listed
    assert "Points shop: Rice, 2.5 kg" in page(browser, "/points/")
    assert sms.recent(world.resident.phone)[0].kind == "points_ordered"


def test_another_resident_finds_no_order_there(app, session, world, sms):
    _owner, made = ordered(app, session, sms, world)
    neighbour = resident(app, session, sms, "13911112222")
    assert neighbour.get(f"/points/orders/{made.id}").status_code == 404
    assert neighbour.post(f"/points/orders/{made.id}/cancel").status_code == 404
    assert another(app, session).get(f"/points/orders/{made.id}").status_code == 302
    assert made.state is OrderState.PLACED


def test_the_resident_cancels_after_being_asked_and_the_points_come_back(app, session, world, sms):
    browser, made = ordered(app, session, sms, world)
    asked = page(browser, f"/points/orders/{made.id}/cancel")
    assert "Cancel the order?" in asked and "No, keep the order" in asked
    assert made.state is OrderState.PLACED
    response = browser.post(f"/points/orders/{made.id}/cancel", headers=EN)
    assert response.status_code == 302
    assert made.state is OrderState.CANCELLED and balance_of(session, world.resident) == 1000
    body = page(browser, f"/points/orders/{made.id}")
    assert "Cancelled: " in body and "Cancel the order" not in body
    # Asked again, once cancelled, it goes back to the order; the history names the reward.
    assert browser.get(f"/points/orders/{made.id}/cancel").status_code == 302
    history = page(browser, "/points/")
    assert "Points shop: Rice, 2.5 kg" in history and "Refunded: Rice, 2.5 kg" in history


def test_a_refusal_is_said_at_the_top_and_beside_the_reward(app, session, world, sms):
    browser = resident(app, session, sms)
    world.rice.price = 5000
    session.commit()
    shelf = page(browser, shop_url(world))
    assert "You need 4,000 more points for this." in shelf
    assert f"/points/shop/rewards/{world.rice.id}/order" not in shelf
    # A tap from a shelf read before the price changed:
    response = browser.post(f"/points/shop/rewards/{world.rice.id}/order", headers=EN)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "<title>Error:" in body
    assert (
        f'<a href="#reward-{world.rice.id}">Rice, 2.5 kg: You hold 1,000 points; this costs 5,000.'
        in body
    )
    response = browser.post(f"/points/shop/rewards/{world.towel.id}/order", headers=EN)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "All gone: none of this is left." in body
    assert "Text me when it is back" in body
    assert session.scalars(select(RewardOrder)).all() == []


def test_notify_me_is_kept_once_and_said_on_the_shelf(app, session, world, sms):
    browser = resident(app, session, sms)
    url = f"/points/shop/rewards/{world.towel.id}/notify"
    for _ in range(2):
        response = browser.post(url, headers=EN)
        assert response.status_code == 302 and response.headers["Location"].endswith(
            f"#reward-{world.towel.id}"
        )
    assert len(session.scalars(select(RestockWish)).all()) == 1
    assert "We will text you when it is back." in page(browser, shop_url(world))
    response = browser.post(f"/points/shop/rewards/{world.rice.id}/notify", headers=EN)
    assert response.status_code == 400 and "There is some left" in response.get_data(True)


def test_a_coordinator_hands_over_by_the_code(app, session, world, sms):
    _browser, made = ordered(app, session, sms, world)
    desk = as_staff(app, session, world.coordinator)
    assert "/points/desk/handover" in page(desk, "/points/desk")
    form = page(desk, "/points/desk/handover")
    assert 'inputmode="numeric"' in form and 'name="code"' in form
    body = page(desk, f"/points/desk/handover?code={made.code}")
    assert "Rice, 2.5 kg" in body and "张*丰" in body and "138****8000" in body
    assert "13800138000" not in body and "张三丰" not in body
    response = desk.post("/points/desk/handover", data={"code": made.code}, headers=EN)
    assert response.status_code == 302
    assert made.state is OrderState.COLLECTED and made.handed_over_by_id == world.coordinator.id
    response = desk.post("/points/desk/handover", data={"code": made.code}, headers=EN)
    assert response.status_code == 400 and "Handed over already, on" in response.get_data(True)
    assert f'value="{made.code}"' in response.get_data(as_text=True)


def test_a_wrong_code_or_another_communitys_is_no_such_code(app, session, world, sms):
    _browser, made = ordered(app, session, sms, world)
    desk = as_staff(app, session, world.coordinator)
    response = desk.get("/points/desk/handover?code=1234", headers=EN)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "A pick-up code is 8 digits." in body
    assert 'value="1234"' in body
    wrong = "1" * 8 if made.code != "1" * 8 else "2" * 8
    response = desk.get(f"/points/desk/handover?code={wrong}", headers=EN)
    assert response.status_code == 400 and "There is no order with this code." in response.text
    stranger = as_staff(app, session, world.stranger)
    for response in (
        stranger.get(f"/points/desk/handover?code={made.code}", headers=EN),
        stranger.post("/points/desk/handover", data={"code": made.code}, headers=EN),
    ):
        body = response.get_data(as_text=True)
        assert response.status_code == 400 and "There is no order with this code." in body
        assert "Rice" not in body
    assert made.state is OrderState.PLACED


def test_residents_and_the_signed_out_do_not_hand_over(app, session, world, sms):
    _browser, made = ordered(app, session, sms, world)
    neighbour = resident(app, session, sms, "13911112222")
    # A resident who scans an order's QR is told to show it to the staff.
    scanned = neighbour.get(f"/points/desk/handover?code={made.code}", headers=EN)
    assert scanned.status_code == 403 and "Show this code to the staff" in scanned.text
    assert "Rice, 2.5 kg" not in scanned.text and "138****8000" not in scanned.text
    assert neighbour.post("/points/desk/handover", data={"code": made.code}).status_code == 403
    admin = as_staff(app, session, world.admin)
    assert admin.get(f"/points/desk/handover?code={made.code}").status_code == 403
    signed_out = another(app, session)
    shown = signed_out.get(f"/points/desk/handover?code={made.code}", headers=EN)
    assert shown.status_code == 403 and "Show this code to the staff" in shown.text
    assert "/staff/sign-in?next=" in shown.text and "Rice, 2.5 kg" not in shown.text
    assert signed_out.post("/points/desk/handover", data={"code": made.code}).status_code == 302
    assert made.state is OrderState.PLACED


def test_the_door_and_the_points_page_lead_to_the_shop(app, session, world, sms):
    body = page(another(app, session), f"/b/{world.tree.building.public_code}")
    assert shop_url(world) in body
    browser = resident(app, session, sms)
    mine = page(browser, "/points/")
    assert "/points/orders" in mine
    assert re.search(r'href="/points/shop/\w+"', mine) is None  # no award nor order yet
    ordered(app, session, sms, world, browser)
    assert f'href="{shop_url(world)}"' in page(browser, "/points/")
