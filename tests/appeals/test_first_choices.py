"""The report's first screen: the kinds most reported at the building's community in the
last 90 days as big buttons, the district's pins after them, "something else", and every
other kind a screen away."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.appeals.popular import KeptChoices, first_choices
from portal.catalogue import pins
from portal.permissions import SYSTEM
from tests import factories
from tests.accounts.test_views import EN
from tests.appeals.conftest import NEIGHBOUR, file_appeal, item

pytestmark = pytest.mark.usefixtures("app_context")


def report(session, building, code, now, times=1, phone=NEIGHBOUR):
    for _ in range(times):
        file_appeal(session, building, now, item_id=item(session, code).id, phone=phone)


def test_a_community_without_reports_offers_its_districts_pins(session, tree, now):
    chosen = first_choices(session, tree.building.id, now)
    assert list(chosen.items) == pins.pinned_ids(session, tree.district.id)
    assert chosen.other == item(session, "other").id


def test_the_communitys_usual_kinds_come_first_then_the_pins(session, tree, now):
    report(session, tree.building, "dog-mess", now, times=3)
    report(session, tree.building, "no-heating", now - timedelta(days=89), times=2)
    report(session, tree.building, "gas-smell", now)  # once: not usual yet
    report(session, tree.building, "power-outage", now - timedelta(days=91), times=3)
    report(session, tree.other_building, "water-outage", now, times=3)  # another community
    report(session, tree.building, "other", now, times=4)  # apart, never a big button
    chosen = first_choices(session, tree.building.id, now)
    pinned = pins.pinned_ids(session, tree.district.id)
    usual = [item(session, "dog-mess").id, item(session, "no-heating").id]
    assert list(chosen.items) == [*usual, *pinned[:4]]
    # The pins already among the usual kinds are not offered twice.
    report(session, tree.building, "lift-stopped", now, times=2)
    again = first_choices(session, tree.building.id, now)
    assert len(again.items) == len(set(again.items)) == 6
    assert again.items[:3] == (
        item(session, "dog-mess").id, item(session, "lift-stopped").id,
        item(session, "no-heating").id,
    )  # fmt: skip


def test_each_process_counts_the_usual_kinds_again_slowly_and_reads_the_pins_again_soon(
    session, tree, now
):
    clock = [0.0]
    kept = KeptChoices(5, 600, clock=lambda: clock[0])
    before = kept.get(session, tree.building.id, now)
    report(session, tree.building, "dog-mess", now, times=2)
    lift = item(session, "lift-stopped")
    pins.pin_items(session, SYSTEM, tree.district, [lift.id], now=now)
    assert kept.get(session, tree.building.id, now) == before
    clock[0] = 5
    # The pins are read again; the community's counts are not yet.
    assert kept.get(session, tree.building.id, now).items == (lift.id,)
    clock[0] = 600
    dog = item(session, "dog-mess").id
    assert kept.get(session, tree.building.id, now).items == (dog, lift.id)
    # Another building of the same community shares the count.
    neighbours = factories.building(session, tree.grid, "甲楼2栋")
    report(session, tree.building, "no-heating", now, times=2)
    assert kept.get(session, neighbours.id, now).items == (dog, lift.id)


def test_the_first_screen_shows_big_buttons_and_every_kind_a_screen_away(client, session, tree):
    url = f"/b/{tree.building.public_code}/report"
    body = client.get(url, headers=EN).get_data(as_text=True)
    light = item(session, "stairwell-light-out")
    assert f'name="item" value="{light.id}">The stairwell light is out</button>' in body
    other = item(session, "other").id
    assert f'value="{other}" id="something-else">Something else: say it in your own words' in body
    assert 'type="radio"' not in body and f'href="{url}?all=1"' in body

    every = client.get(f"{url}?all=1", headers=EN).get_data(as_text=True)
    assert every.count('<details class="choice-panel">') == 12 and "Continue" in every
    assert '<input type="hidden" name="all" value="1">' in every
    missing = client.get(f"{url}?step=item&all=1", headers=EN).get_data(as_text=True)
    assert "Choose what kind of problem it is." in missing and "choice-panel" in missing

    chosen = client.get(f"{url}?step=item&item={other}", headers=EN).get_data(as_text=True)
    assert "What happened?" in chosen and "Something else" in chosen


def test_back_on_the_first_screen_opens_the_group_of_the_kind_chosen(client, session, tree):
    from tests.appeals.test_views import answers, post

    dog = item(session, "dog-mess").id
    back = post(client, tree.building, "details", answers(session, item=str(dog)), back="1")
    assert back.headers["Location"] == f"/b/{tree.building.public_code}/report?all=1"
    body = client.get(back.headers["Location"], headers=EN).get_data(as_text=True)
    assert body.count("<details") == 12 and body.count('<details class="choice-panel" open>') == 1
    assert f'id="item-{dog}" value="{dog}" checked' in body
    assert "first-choices" not in body, "the screen of every kind has no big buttons"
    # A kind among the big buttons leads back to them.
    light = item(session, "stairwell-light-out").id
    back = post(client, tree.building, "details", answers(session, item=str(light)), back="1")
    assert back.headers["Location"] == f"/b/{tree.building.public_code}/report"
