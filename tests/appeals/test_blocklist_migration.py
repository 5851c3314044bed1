"""Migration 0013: numbers blocked before it are blocked for a district, which keeps them
holding the reports they held there, kept by its staff."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import MetaData, Table, select
from sqlalchemy.orm import Session

from portal.db import make_engine
from portal.migrations import upgrade
from portal.permissions import Role
from tests import factories

BLOCKED_AT = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def _entries_after_upgrade(database, *, second_district: bool) -> tuple[dict, object]:
    """Block three numbers at 0012 (by a secretary, by an administrator of the whole portal,
    by an account since gone), upgrade, and return each number's place and the tree."""
    engine = make_engine(database.new_url())
    try:
        with engine.begin() as connection:
            tree, _item_id = factories.tree_at_revision(connection, "0012")
            if second_district:
                # Written as 0012's places were: today's services write columns it lacks.
                places = Table("places", MetaData(), autoload_with=connection)
                connection.execute(
                    places.insert(),
                    {"kind": "district", "code": "T-OTHER", "name_zh": "另一个区", "name_en": "",
                     "path": "/0/", "created_at": BLOCKED_AT, "updated_at": BLOCKED_AT},
                )  # fmt: skip
            session = Session(bind=connection)
            secretary = factories.user(session, Role.SECRETARY, tree.community, name="书记")
            admin = factories.user(session, Role.ADMIN, None, name="管理员")
            session.flush()
            authors = {"13700000001": secretary.id, "13700000002": admin.id, "13700000003": None}
            session.close()
            blocked = Table("blocked_phones", MetaData(), autoload_with=connection)
            connection.execute(
                blocked.insert(),
                [
                    {"phone": phone, "reason": "骚扰", "blocked_by_id": author,
                     "blocked_at": BLOCKED_AT}
                    for phone, author in authors.items()
                ],
            )  # fmt: skip
        with engine.begin() as connection:
            upgrade(connection)
            blocked = Table("blocked_phones", MetaData(), autoload_with=connection)
            rows = connection.execute(select(blocked.c.phone, blocked.c.place_id)).all()
        return dict(rows), tree
    finally:
        engine.dispose()


def test_numbers_blocked_before_the_upgrade_are_blocked_for_the_district(database):
    places, tree = _entries_after_upgrade(database, second_district=False)
    assert places == {
        "13700000001": tree.district.id,
        "13700000002": tree.district.id,
        "13700000003": tree.district.id,
    }


def test_with_several_districts_each_entry_keeps_its_authors_district_or_everywhere(database):
    places, tree = _entries_after_upgrade(database, second_district=True)
    assert places == {
        "13700000001": tree.district.id,
        # An administrator of the whole portal, or nobody known: held everywhere, as before.
        "13700000002": None,
        "13700000003": None,
    }
