"""The migration to the upload store keeps every appeal photo: each becomes an upload under the
same name, held by its appeal, and the way back restores the photos as they were."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import Boolean, DateTime, Integer, MetaData, String, Text, insert, text

from portal.db import make_engine
from portal.migrations import alembic_config, upgrade

AT = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
NAMES = ("a" * 32 + ".jpg", "b" * 32 + ".jpg")
# The rows an appeal photo needs under it, parents first.
TABLES = ("places", "buildings", "catalogue_groups", "catalogue_items", "appeals")


def filler(column):
    """A value for a required column with no default (every id a row points to is 1)."""
    if column.foreign_keys or isinstance(column.type, Integer):
        return 1
    if isinstance(column.type, Boolean):
        return False
    if isinstance(column.type, DateTime):
        return AT
    if isinstance(column.type, String | Text):
        length = getattr(column.type, "length", None) or 8
        return "x"[:length] if column.name != "state" else "received"
    raise AssertionError(f"no value for {column}")


def add_row(connection, metadata: MetaData, table: str, **values) -> None:
    columns = metadata.tables[table].columns
    row = {
        column.name: filler(column)
        for column in columns
        if not column.nullable and column.server_default is None
    }
    connection.execute(insert(metadata.tables[table]), [row | values])


def test_appeal_photos_become_uploads_their_appeal_holds_and_back(database):
    engine = make_engine(database.new_url())
    try:
        with engine.begin() as connection:
            upgrade(connection, "0005")
            metadata = MetaData()
            metadata.reflect(connection)
            for table in TABLES:
                add_row(connection, metadata, table, id=1)
            for n, (name, stage) in enumerate(zip(NAMES, ("report", "resolution"), strict=True), 1):
                add_row(connection, metadata, "appeal_photos", id=n, file_name=name, stage=stage)

        with engine.begin() as connection:
            upgrade(connection, "0008")
            rows = connection.execute(
                text(
                    "SELECT p.id, p.stage, u.name, u.kind, u.purpose, u.owner, u.created_at "
                    "FROM appeal_photos p JOIN uploads u ON u.id = p.upload_id ORDER BY p.id"
                )
            ).all()
        assert [tuple(row)[:6] for row in rows] == [
            (1, "report", NAMES[0], "image", "appeals.report", "appeals:1"),
            (2, "resolution", NAMES[1], "image", "appeals.resolution", "appeals:1"),
        ]

        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0005")
            back = connection.execute(
                text("SELECT id, file_name, stage FROM appeal_photos ORDER BY id")
            ).all()
        assert [tuple(row) for row in back] == [
            (1, NAMES[0], "report"),
            (2, NAMES[1], "resolution"),
        ]
    finally:
        engine.dispose()
