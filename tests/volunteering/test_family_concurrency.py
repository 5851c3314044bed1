"""Two coordinators adding the same family member for one older resident at the same moment,
on SQLite and PostgreSQL: one entry (the index allows one active entry per elder and person),
and the other told they may ask already.

Each thread has its own session and commits as a view does; they start together at a barrier.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.db import db
from portal.permissions import Role
from portal.volunteering import family
from portal.volunteering.models import Elder, FamilyMember
from tests import factories
from tests.accounts.test_concurrency import outcomes, together

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


@pytest.fixture
def app(fresh_app):
    return fresh_app(migrate=True)


def test_two_coordinators_adding_one_family_member_at_once_add_them_once(app):
    with app.app_context():
        tree = factories.tree(db.session)
        coordinators = [
            factories.user(db.session, Role.COORDINATOR, tree.community, name=f"协调员{i}").id
            for i in range(2)
        ]
        elder_id = factories.elder(db.session, tree.community, born=date(1950, 1, 1)).id
        db.session.commit()

    def add(index: int) -> None:
        family.add_family_member(
            db.session, db.session.get(User, coordinators[index]),
            db.session.get(Elder, elder_id), phone="13712345670", name="李建国", tie="parent",
            elder_agreed=True, now=NOW,
        )  # fmt: skip

    results = together(app, 2, add)
    assert outcomes(results) == {"ok": 1, "Invalid": 1}
    assert {message for outcome, message in results if outcome == "Invalid"} == {
        str(family.ALREADY)
    }
    with app.app_context():
        (made,) = db.session.scalars(select(FamilyMember)).all()
        assert made.user.phone == "13712345670" and made.removed_at is None
        assert db.session.scalars(select(User).where(User.phone == "13712345670")).all() == [
            made.user
        ]
