"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData, inspect, text

import portal.models  # noqa: F401  (every model registered on the metadata)
from portal.db import Base, make_engine
from portal.migrations import HERE, alembic_config, upgrade


def test_migrations_match_the_models(database):
    engine = make_engine(database.new_url())
    try:
        with engine.begin() as connection:
            upgrade(connection)
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
        assert differences == []
        assert {
            "users",
            "role_grants",
            "places",
            "buildings",
            "audit_events",
            "phone_codes",
        } <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_the_migration_history_is_one_straight_line(database):
    engine = make_engine(database.new_url())
    try:
        with engine.connect() as connection:
            script = ScriptDirectory.from_config(alembic_config(connection))
            assert len(script.get_heads()) == 1
            revisions = list(script.walk_revisions())
            assert revisions[-1].down_revision is None
            assert all(
                path.suffix in {".py", ".mako", ""} for path in HERE.iterdir() if path.is_file()
            )
    finally:
        engine.dispose()


def test_a_comparison_notices_a_missing_column(database):
    """Guard for the test above: the comparison must be able to fail."""
    changed = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["buildings"].append_column(Column("not_migrated", Integer))
    engine = make_engine(database.new_url())
    try:
        with engine.begin() as connection:
            upgrade(connection)
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, changed)
        assert [(diff[0], diff[3].name) for diff in differences] == [("add_column", "not_migrated")]
    finally:
        engine.dispose()


def test_upgrading_a_database_with_places_in_it(database):
    """Places saved before the door pages existed get empty contacts, on both databases."""
    engine = make_engine(database.new_url())
    try:
        with engine.begin() as connection:
            upgrade(connection, "0001")
            connection.execute(
                text(
                    "INSERT INTO places (kind, code, name_zh, name_en, path, created_at, updated_at) "
                    "VALUES ('district', 'OLD', '旧区', '', '/1/', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
        with engine.begin() as connection:
            upgrade(connection)
            row = connection.execute(
                text("SELECT phone, service_hours_zh FROM places WHERE code = 'OLD'")
            ).one()
        assert tuple(row) == ("", "")
    finally:
        engine.dispose()
