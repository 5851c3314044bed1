"""The kinds each district pins first on the report form: the starting list, administrators
changing it, and everyone else kept out."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.catalogue import pins
from portal.catalogue.models import CatalogueItem
from portal.catalogue.services import set_item_retired
from portal.errors import Forbidden, Invalid
from portal.permissions import SYSTEM, Role
from tests import factories
from tests.accounts.test_views import EN, page, sign_in_staff
from tests.appeals.conftest import item

STARTING = ["楼道灯不亮", "电梯坏了不能坐", "楼道、地下室漏水", "邻居在楼道里堆东西", "邻居家太吵，睡不好觉",
            "垃圾满了没人清运"]  # fmt: skip


def names(session, ids) -> list[str]:
    return [session.get(CatalogueItem, item_id).name_zh for item_id in ids]


def test_a_district_that_pinned_nothing_offers_the_starting_list(session, tree):
    assert names(session, pins.pinned_ids(session, tree.district.id)) == STARTING
    assert session.get(CatalogueItem, pins.other_item_id(session)).default_level == 2


def test_an_administrator_pins_kinds_in_order_and_retired_ones_drop_out(session, tree, now):
    admin = factories.user(session, Role.ADMIN, tree.district)
    lift, leak = item(session, "lift-stopped"), item(session, "common-area-leak")
    pins.pin_items(session, admin, tree.district, [leak.id, lift.id, leak.id], now=now)
    assert pins.pinned_ids(session, tree.district.id) == [leak.id, lift.id]
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "appeals.pin_catalogue_items" and event.details == {
        "items": [leak.id, lift.id]
    }
    set_item_retired(session, SYSTEM, leak, True, now=now)
    assert pins.pinned_ids(session, tree.district.id) == [lift.id]
    pins.pin_items(session, admin, tree.district, [], now=now)
    assert names(session, pins.pinned_ids(session, tree.district.id)) == [
        name for name in STARTING if name != leak.name_zh
    ]


def test_pins_are_refused_past_six_or_for_kinds_not_in_use(session, tree, now):
    ids = list(session.scalars(select(CatalogueItem.id).order_by(CatalogueItem.id).limit(7)))
    with pytest.raises(Invalid, match="at most 6"):
        pins.pin_items(session, SYSTEM, tree.district, ids, now=now)
    retired = item(session, "dog-mess")
    set_item_retired(session, SYSTEM, retired, True, now=now)
    with pytest.raises(Invalid, match="in use"):
        pins.pin_items(session, SYSTEM, tree.district, [retired.id], now=now)
    with pytest.raises(Invalid, match="in use"):
        pins.pin_items(session, SYSTEM, tree.district, [10**6], now=now)


def test_only_administrators_of_the_district_pin(session, tree, staff, now):
    elsewhere = factories.place(session, None, "另一区")
    others = factories.user(session, Role.ADMIN, elsewhere)
    lift = item(session, "lift-stopped")
    for actor in (others, staff.secretary, staff.district_officer):
        with pytest.raises(Forbidden):
            pins.pin_items(session, actor, tree.district, [lift.id], now=now)
        with pytest.raises(Forbidden):
            pins.get_district(session, actor, tree.district.id)
    assert pins.pin_districts(session, others) == [elsewhere]
    assert pins.pin_districts(session, SYSTEM) == [tree.district, elsewhere]


# Over HTTP


def test_an_administrator_changes_the_first_choices(client, session, tree):
    admin = factories.user(session, Role.ADMIN, tree.district)
    session.commit()
    sign_in_staff(client, admin)
    assert client.get("/admin/catalogue/first-choices").headers["Location"] == (
        f"/admin/catalogue/first-choices/{tree.district.id}"
    )
    url = f"/admin/catalogue/first-choices/{tree.district.id}"
    body = page(client, url)
    starting = pins.pinned_ids(session, tree.district.id)
    assert f'<option selected value="{starting[0]}">' in body
    assert "The stairwell light is out" in body

    lift, dog = item(session, "lift-stopped"), item(session, "dog-mess")
    saved = client.post(url, data={"items-0": str(lift.id), "items-1": ""}, headers=EN)
    assert saved.headers["Location"] == url
    assert "The report form shows these kinds first from now on." in page(client, url)
    assert pins.pinned_ids(session, tree.district.id) == [lift.id]

    set_item_retired(session, SYSTEM, dog, True, now=factories.EPOCH)
    session.commit()
    refused = client.post(url, data={"items-0": str(dog.id), "items-1": str(lift.id)}, headers=EN)
    body = refused.get_data(as_text=True)
    assert "Choose kinds of problem that are in use." in body
    assert f'<option selected value="{lift.id}">' in body, "the choices stay as sent"
    assert pins.pinned_ids(session, tree.district.id) == [lift.id]


def test_others_cannot_open_the_first_choices(client, session, tree, staff):
    sign_in_staff(client, staff.secretary)
    assert client.get(f"/admin/catalogue/first-choices/{tree.district.id}").status_code == 403
    assert client.get("/admin/catalogue/first-choices").status_code == 403
    assert (
        client.post(
            f"/admin/catalogue/first-choices/{tree.district.id}", data={"items-0": "1"}
        ).status_code
        == 403
    )
    assert pins.pinned_ids(session, tree.district.id) == pins._live_ids(session, pins.PINNED)
