"""Ten residents booking the same time of a legal service day at the same moment, on SQLite
and PostgreSQL: one gets it, the others are offered the nearest free times."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from portal.db import db
from portal.meetings import booking as engine
from portal.meetings import legal
from portal.meetings.models import Booking
from portal.permissions import Role
from tests import factories
from tests.accounts.test_concurrency import together
from tests.meetings.conftest import MONDAY_8AM, shanghai
from tests.meetings.test_legal import legal_schedule_for


@pytest.fixture
def app(fresh_app):
    return fresh_app(migrate=True)


@pytest.fixture
def schedule_id(app) -> int:
    with app.app_context():
        tree = factories.tree(db.session)
        adviser = factories.user(db.session, Role.LEGAL_ADVISER, tree.community)
        made = legal_schedule_for(db.session, adviser, tree.community)
        db.session.commit()
        return made.id


def test_ten_residents_booking_one_legal_time_leave_one_booking(app, schedule_id):
    wanted = shanghai(8, 10)
    offers: list[list] = []

    def book(index: int) -> None:
        try:
            legal.book(db.session, engine.Booker(phone=f"138{index:08d}"), schedule_id, wanted,
                       about="劳动合同纠纷", now=MONDAY_8AM)  # fmt: skip
        except engine.Unavailable as refused:
            offers.append([slot.start for slot in refused.offers])
            raise

    results = together(app, 10, book)
    assert Counter(outcome for outcome, _ in results) == {"ok": 1, "Unavailable": 9}
    assert len(offers) == 9 and all(wanted not in each and len(each) == 3 for each in offers)
    with app.app_context():
        live = list(db.session.scalars(select(Booking).where(Booking.cancelled_at.is_(None))))
    assert [(b.starts_at, b.about) for b in live] == [(wanted, "劳动合同纠纷")]
