"""Two administrators saving a district's first choices at the same moment, on SQLite and
PostgreSQL: one list wins whole, never a mix of both nor an error."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.catalogue import pins
from portal.catalogue.models import CatalogueItem
from portal.catalogue.services import seed_catalogue
from portal.db import db, utcnow
from portal.permissions import Role
from tests import factories
from tests.accounts.test_concurrency import together


@pytest.fixture
def app(fresh_app):
    return fresh_app(migrate=True)


def test_two_administrators_pinning_at_once_leave_one_whole_list(app):
    with app.app_context():
        tree = factories.tree(db.session)
        seed_catalogue(db.session)
        admins = [factories.user(db.session, Role.ADMIN, tree.district) for _ in range(2)]
        ids = list(db.session.scalars(select(CatalogueItem.id).order_by(CatalogueItem.id)))
        db.session.commit()
        district_id, admin_ids = tree.district.id, [admin.id for admin in admins]
    lists = [ids[0:6], ids[3:9]]

    def pin(index: int) -> None:
        district = db.session.get(type(tree.district), district_id)
        admin = db.session.get(type(admins[0]), admin_ids[index])
        pins.pin_items(db.session, admin, district, lists[index], now=utcnow())

    results = together(app, 2, pin)
    assert [outcome for outcome, _message in results] == ["ok", "ok"]
    with app.app_context():
        assert pins.pinned_ids(db.session, district_id) in lists
