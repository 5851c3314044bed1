"""The points shop's desk over HTTP: a coordinator lists a reward with its picture, edits it,
adds stock, retires it and brings it back; a bad form is refused beside its fields keeping
what was typed; another community's coordinator, a resident and someone signed out are
turned away as the points desk turns them away."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from portal.points.models import Reward
from portal.uploads.models import Upload
from tests.accounts.test_views import EN, page, sign_in_by_sms
from tests.outbox import Outbox
from tests.points.test_views import another, as_staff
from tests.points.world import make_world

FORM = {
    "kind": "goods", "name_zh": "食用油", "name_en": "Cooking oil", "price": "500",
    "stock": "10", "per_person": "1", "pickup_zh": "社区服务中心一楼",
    "pickup_en": "Community centre, ground floor", "about_zh": "", "about_en": "",
}  # fmt: skip


@pytest.fixture
def world(session, app):
    with app.test_request_context(headers=EN):
        made = make_world(session)
    session.commit()
    return made


def jpeg() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (230, 190, 40)).save(out, "JPEG")
    out.seek(0)
    return out


def rewards_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Reward))


def test_a_coordinator_lists_edits_restocks_and_retires_a_reward(app, session, world):
    desk = as_staff(app, session, world.coordinator)
    code = world.tree.community.code
    assert f"/points/desk/shop?community={code}" in page(desk, "/points/desk")
    assert "Nothing is in the shop yet." in page(desk, "/points/desk/shop")
    form = page(desk, f"/points/desk/shop/new?community={code}")
    assert 'enctype="multipart/form-data"' in form and 'inputmode="numeric"' in form
    response = desk.post(
        f"/points/desk/shop/new?community={code}",
        data={**FORM, "picture": (jpeg(), "油.jpg")},
        content_type="multipart/form-data", headers=EN,
    )  # fmt: skip
    assert response.status_code == 302
    made = session.scalars(select(Reward)).one()
    assert (made.name_zh, made.price, made.stock, made.per_person) == ("食用油", 500, 10, 1)
    picture = session.get(Upload, made.picture_id)
    assert picture.owner == f"points_rewards:{made.id}" and picture.purpose == "points.reward"
    listing = page(desk, f"/points/desk/shop?community={code}")
    url = f"/points/rewards/{made.id}/picture/{picture.name}"
    assert f'src="{url}" alt="Cooking oil"' in listing
    assert "In stock: 10" in listing and "Waiting to be picked up: 0" in listing
    with another(app, session).get(url) as shown:
        assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    assert another(app, session).get(f"/points/rewards/{made.id + 1}/picture/{picture.name}")\
        .status_code == 404  # fmt: skip

    edit = page(desk, f"/points/desk/shop/{made.id}")
    assert 'value="500"' in edit and f'src="{url}"' in edit and 'name="stock"' not in edit
    response = desk.post(f"/points/desk/shop/{made.id}",
                         data={**FORM, "price": "450", "stock": "999"}, headers=EN)  # fmt: skip
    assert response.status_code == 302
    assert (made.price, made.stock, made.picture_id) == (450, 10, picture.id)

    response = desk.post(f"/points/desk/shop/{made.id}/restock",
                         data={f"s{made.id}-amount": "５"}, headers=EN)  # fmt: skip
    assert response.status_code == 302 and made.stock == 15
    response = desk.post(f"/points/desk/shop/{made.id}/restock",
                         data={f"s{made.id}-amount": "0"}, headers=EN)  # fmt: skip
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "Add a whole number from 1 to 100,000." in body
    assert 'value="0"' in body and made.stock == 15

    assert desk.post(f"/points/desk/shop/{made.id}/retire", headers=EN).status_code == 302
    assert made.retired_at is not None
    assert "Put it back in the shop" in page(desk, f"/points/desk/shop?community={code}")
    assert desk.post(f"/points/desk/shop/{made.id}/restore", headers=EN).status_code == 302
    assert made.retired_at is None


def test_a_bad_reward_is_refused_beside_each_field_keeping_what_was_typed(app, session, world):
    desk = as_staff(app, session, world.coordinator)
    response = desk.post(
        f"/points/desk/shop/new?community={world.tree.community.code}",
        data={**FORM, "price": "0", "name_en": "", "pickup_zh": "社区服务中心三楼",
              "stock": "十", "picture": (jpeg(), "油.jpg")},
        content_type="multipart/form-data", headers=EN,
    )  # fmt: skip
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in (
        "The price is a whole number of points from 1 to 100,000.",
        "Name the reward in English.",
        "The stock is a whole number from 0 to 100,000.",
        "Choose the picture again",
    ):
        assert message in body
    assert 'value="食用油"' in body and 'value="社区服务中心三楼"' in body and 'value="十"' in body
    assert rewards_count(session) == 0
    assert session.scalar(select(func.count()).select_from(Upload)) == 0


def test_another_communitys_coordinator_a_resident_and_a_stranger_are_turned_away(
    app, session, world
):
    desk = as_staff(app, session, world.coordinator)
    desk.post(f"/points/desk/shop/new?community={world.tree.community.code}", data=FORM)
    made = session.scalars(select(Reward)).one()
    code, base = world.tree.community.code, f"/points/desk/shop/{made.id}"
    stranger = as_staff(app, session, world.stranger)
    assert stranger.get(f"/points/desk/shop?community={code}").status_code == 403
    assert stranger.post(f"/points/desk/shop/new?community={code}", data=FORM).status_code == 403
    assert stranger.get(base).status_code == 403
    assert stranger.post(base, data={**FORM, "price": "1"}).status_code == 403
    assert stranger.post(f"{base}/restock", data={f"s{made.id}-amount": "5"}).status_code == 403
    assert stranger.post(f"{base}/retire").status_code == 403
    assert "Nothing is in the shop yet." in page(stranger, "/points/desk/shop")
    resident = another(app, session)
    sign_in_by_sms(resident, Outbox(session), world.resident.phone)
    assert resident.get("/points/desk/shop").status_code == 403
    assert resident.post(f"{base}/restock", data={f"s{made.id}-amount": "5"}).status_code == 403
    anonymous = another(app, session)
    response = anonymous.get(f"/points/desk/shop?community={code}")
    assert response.status_code == 302 and "sign-in" in response.location
    assert anonymous.post(f"{base}/retire").status_code in (302, 400)
    assert (made.price, made.stock, made.retired_at) == (500, 10, None)
    assert another(app, session).get(f"/points/desk/shop/{made.id + 1}").status_code == 302
    assert desk.get(f"/points/desk/shop/{made.id + 1}").status_code == 404
