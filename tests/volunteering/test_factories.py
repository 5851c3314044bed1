"""The volunteering test data obeys the database's rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from stdnum.cn import ric

from portal.volunteering.models import Activity
from tests import factories


def test_made_volunteers_have_valid_distinct_id_numbers(session):
    tree = factories.tree(session)
    first = factories.volunteer(session, tree.community)
    second = factories.volunteer(session, tree.community)
    assert ric.is_valid(factories.whole_id_number(first)) and ric.is_valid(
        factories.whole_id_number(second)
    )
    assert first.id_number_hash != second.id_number_hash


def test_an_activity_refuses_a_seat_more_than_it_has(session):
    tree = factories.tree(session)
    made = factories.activity(
        session, tree.community, starts_at=datetime(2026, 12, 5, 1, tzinfo=UTC), seats=2
    )
    session.execute(update(Activity).where(Activity.id == made.id).values(seats_taken=2))
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(update(Activity).where(Activity.id == made.id).values(seats_taken=3))
