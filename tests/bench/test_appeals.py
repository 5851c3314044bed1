"""The benchmark's sends (tests/bench/appeals.py) are the portal's own: a report prepared the
way the benchmark prepares it is filed by the last screen's POST alone, with its cookie."""

from __future__ import annotations

from sqlalchemy import select

from portal.appeals.models import Appeal
from portal.catalogue.models import CatalogueItem
from portal.catalogue.services import seed_catalogue
from tests import factories
from tests.bench import appeals


def test_each_prepared_report_is_filed_by_its_own_cookie_and_the_send_alone(app, client, session):
    tree = factories.tree(session)
    seed_catalogue(session)
    session.commit()
    item = session.scalar(
        select(CatalogueItem.id).where(CatalogueItem.code == "rubbish-in-corridor")
    )
    doors = [tree.building.public_code, tree.other_building.public_code]
    name = app.config["SESSION_COOKIE_NAME"]
    client.get(f"/b/{doors[0]}/report?step=item&item={item}")
    seen = client.get_cookie(name)

    prepared = appeals.prepare_sends(app, f"{name}={seen.value}", doors, item, 2)

    for door, address, cookie in prepared:
        client.set_cookie(name, cookie)
        sent = client.post(
            f"/b/{door}/report",
            data={"step": "check", "website": ""},
            headers={"X-Forwarded-For": address},
        )
        assert sent.status_code == 302
        assert "/confirm" in sent.location
    filed = session.scalars(select(Appeal).order_by(Appeal.id)).all()
    assert [appeal.building.public_code for appeal in filed] == [door for door, _, _ in prepared]
    assert {appeal.description for appeal in filed} == {appeals.DESCRIPTION}
    assert len({appeal.phone for appeal in filed}) == 2
