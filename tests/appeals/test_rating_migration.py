"""Migration 0010: the ratings appeals held before it are kept, each with its comment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import MetaData, Table, select

from portal.db import make_engine
from portal.migrations import upgrade
from tests import factories

RATED_AT = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def _appeal(tracking: str, building_id: int, item_id: int, **values) -> dict:
    return {
        "tracking": tracking, "submission_key": tracking, "building_id": building_id,
        "item_id": item_id, "description": "楼道堆物", "location": "", "phone": "13800138000",
        "name": "", "locale": "zh_Hans_CN", "urgent": False, "wants_meeting": False,
        "is_open": False, "level": 1, "reopen_count": 0, "escalations": 0,
        "created_at": RATED_AT - timedelta(days=1), "resolution_note": "",
        "needs_callback": False, **values,
    }  # fmt: skip


def _rated(appeal_id: int, at: datetime, rating: str) -> dict:
    return {
        "appeal_id": appeal_id, "at": at, "kind": "reviewed", "actor_id": None,
        "state": "resolved", "level": 1, "note": "", "details": {"rating": rating},
    }  # fmt: skip


def test_ratings_and_comments_given_before_the_upgrade_are_kept(database):
    engine = make_engine(database.new_url())
    try:
        with engine.begin() as connection:
            tree, item_id = factories.tree_at_revision(connection, "0009")
            tables = MetaData()
            appeals = Table("appeals", tables, autoload_with=connection)
            events = Table("appeal_events", tables, autoload_with=connection)
            ids = {}
            for tracking, values in {
                # Rated 满意 once, with a comment.
                "A2611-0001": {"state": "reviewed", "rating": "satisfied", "review_comment": "谢谢"},
                # Rated 不满意 (comment lost on reopening), then 不满意 again with a comment.
                "A2611-0002": {
                    "state": "reviewed", "rating": "dissatisfied", "reopen_count": 1,
                    "review_comment": "还是堆着",
                },
                # Reopened and not rated again yet: its rating went with the reopening.
                "A2611-0003": {"state": "reopened", "rating": None, "review_comment": "",
                               "reopen_count": 1, "is_open": True, "level": 2},
            }.items():  # fmt: skip
                ids[tracking] = connection.execute(
                    appeals.insert().returning(appeals.c.id),
                    _appeal(tracking, tree.building.id, item_id, **values),
                ).scalar_one()
            connection.execute(
                events.insert(),
                [
                    _rated(ids["A2611-0001"], RATED_AT, "satisfied"),
                    _rated(ids["A2611-0002"], RATED_AT, "dissatisfied"),
                    _rated(ids["A2611-0002"], RATED_AT + timedelta(days=2), "dissatisfied"),
                    _rated(ids["A2611-0003"], RATED_AT, "dissatisfied"),
                ],
            )
        with engine.begin() as connection:
            upgrade(connection)
            tables = MetaData()
            ratings = Table("appeal_ratings", tables, autoload_with=connection)
            events = Table("appeal_events", tables, autoload_with=connection)
            kept = connection.execute(
                select(
                    ratings.c.id, ratings.c.appeal_id, ratings.c.rating, ratings.c.comment
                ).order_by(ratings.c.appeal_id, ratings.c.rated_at)
            ).all()
            pointers = connection.execute(
                select(events.c.details).order_by(events.c.appeal_id, events.c.at)
            ).scalars()
            rating_ids = [details["rating_id"] for details in pointers]
            assert "review_comment" not in {
                c.name for c in Table("appeals", tables, autoload_with=connection).c
            }
        assert [(row.appeal_id, row.rating, row.comment) for row in kept] == [
            (ids["A2611-0001"], "satisfied", "谢谢"),
            (ids["A2611-0002"], "dissatisfied", ""),
            (ids["A2611-0002"], "dissatisfied", "还是堆着"),
            (ids["A2611-0003"], "dissatisfied", ""),
        ]
        # Each timeline step points to its rating, so staff read the comment there.
        assert rating_ids == [row.id for row in kept]
    finally:
        engine.dispose()
