"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData, Table, inspect, select, text
from sqlalchemy.orm import Session

import portal.models  # noqa: F401  (every model registered on the metadata)
from portal.accounts import services as accounts
from portal.appeals import appeal_settings
from portal.appeals import services as appeals
from portal.appeals.models import Appeal, AppealState
from portal.db import Base, db, make_engine
from portal.errors import Invalid
from portal.migrations import HERE, alembic_config, upgrade
from portal.volunteering import volunteers
from portal.volunteering.models import Volunteer
from tests import factories
from tests.conftest import dispose, make_test_app
from tests.factories import CODE_SECRET, EPOCH


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
                text(
                    "SELECT phone, service_hours_zh, service_centre_zh, service_centre_en "
                    "FROM places WHERE code = 'OLD'"
                )
            ).one()
        assert tuple(row) == ("", "", "", "")
    finally:
        engine.dispose()


def test_service_centres_go_back_down_and_up_with_the_places_kept(database):
    engine = make_engine(database.new_url())
    try:
        with engine.begin() as connection:
            upgrade(connection)
            connection.execute(
                text(
                    "INSERT INTO places (kind, code, name_zh, name_en, path, phone, "
                    "service_hours_zh, service_hours_en, service_centre_zh, service_centre_en, "
                    "created_at, updated_at) VALUES ('community', 'C', '光明社区', '', '/1/', '', "
                    "'', '', '光明社区党群服务中心', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0013")
            columns = {column["name"] for column in inspect(connection).get_columns("places")}
            assert "service_centre_zh" not in columns
            upgrade(connection)
            row = connection.execute(
                text("SELECT name_zh, service_centre_zh FROM places WHERE code = 'C'")
            ).one()
        assert tuple(row) == ("光明社区", "")
    finally:
        engine.dispose()


PHONE, TRACKING, CODE = "13800138000", "A2612-7K3Q", "246810"


def upgraded_with_codes_waiting(database, appeal_tries: int) -> str:
    """A database at 0005 with a sign-in code and a report's code waiting (CODE, digested as
    0005's services did, with `appeal_tries` wrong tries made), upgraded to the newest."""
    url = database.new_url()
    engine = make_engine(url)
    sent_at = datetime.now(UTC) - timedelta(minutes=2)
    try:
        with engine.begin() as connection:
            tree, item_id = factories.tree_at_revision(connection, "0005")
            digest = hmac.new(CODE_SECRET, f"{PHONE}:{CODE}".encode(), hashlib.sha256)
            connection.execute(
                Table("sign_in_codes", MetaData(), autoload_with=connection).insert(),
                {"phone": PHONE, "code_hash": digest.hexdigest(), "created_at": sent_at,
                 "expires_at": sent_at + timedelta(minutes=5), "attempts": 1},
            )  # fmt: skip
            digest = hmac.new(CODE_SECRET, f"appeal:{TRACKING}:{CODE}".encode(), hashlib.sha256)
            connection.execute(
                Table("appeals", MetaData(), autoload_with=connection).insert(),
                {"tracking": TRACKING, "submission_key": "old-form", "building_id": tree.building.id,
                 "item_id": item_id, "description": "楼道灯坏了", "location": "", "phone": PHONE,
                 "name": "", "locale": "en", "urgent": False, "wants_meeting": False,
                 "state": "unconfirmed", "is_open": False, "level": 1, "reopen_count": 0,
                 "escalations": 0, "code_hash": digest.hexdigest(), "code_sent_at": sent_at,
                 "code_tries": appeal_tries, "created_at": sent_at,
                 "due_at": sent_at + timedelta(days=1), "resolution_note": "",
                 "review_comment": "", "needs_callback": False},
            )  # fmt: skip
        with engine.begin() as connection:
            upgrade(connection)
    finally:
        engine.dispose()
    return url


def test_codes_sent_before_the_phone_codes_work_after_the_upgrade(database):
    app = make_test_app(upgraded_with_codes_waiting(database, appeal_tries=4))
    try:
        with app.test_request_context(headers={"Accept-Language": "en"}):
            now = datetime.now(UTC)
            user = accounts.verify_sign_in_code(
                db.session, PHONE, CODE, secret=CODE_SECRET, locale="en", now=now
            )
            assert user.phone == PHONE
            appeal = db.session.scalars(select(Appeal).where(Appeal.tracking == TRACKING)).one()
            # Four wrong tries were made before: one is left, and it is the right code.
            appeals.confirm(db.session, appeal, CODE, now=now, settings=appeal_settings(app))
            assert appeal.state == AppealState.RECEIVED
            db.session.commit()
    finally:
        dispose(app)


def test_a_report_code_with_its_tries_spent_stays_spent_after_the_upgrade(database):
    """Guard for the test above: the tries made before the upgrade still count."""
    app = make_test_app(upgraded_with_codes_waiting(database, appeal_tries=5))
    try:
        with app.test_request_context(headers={"Accept-Language": "en"}):
            appeal = db.session.scalars(select(Appeal)).one()
            with pytest.raises(Invalid, match="too many times"):
                appeals.confirm(
                    db.session, appeal, CODE, now=datetime.now(UTC), settings=appeal_settings(app)
                )
    finally:
        dispose(app)


def database_with_a_plain_id_number(database) -> tuple[str, str]:
    """A database at 0020 with a volunteer whose 身份证 number is kept in plain text, as it
    was then: its URL and the number."""
    url = database.new_url()
    engine = make_engine(url)
    number = factories.id_number(date(1960, 5, 1))
    try:
        with engine.begin() as connection:
            upgrade(connection)
            session = Session(bind=connection, expire_on_commit=False)
            tree = factories.tree(session)
            person = factories.user(session, name="李秀英")
            session.flush()
            community_id, user_id = tree.community.id, person.id
            session.close()
            command.downgrade(alembic_config(connection), "0020")
            connection.execute(
                Table("volunteers", MetaData(), autoload_with=connection).insert(),
                {"user_id": user_id, "community_id": community_id, "real_name": "李秀英",
                 "id_number": number, "id_number_hash": "0" * 64, "id_consent_at": EPOCH,
                 "birth_date": date(1960, 5, 1), "services": ["company"], "state": "approved",
                 "applied_at": EPOCH, "decided_at": EPOCH},
            )  # fmt: skip
    finally:
        engine.dispose()
    return url, number


def test_plain_id_numbers_are_sealed_by_the_upgrade_and_the_plain_column_goes(database):
    url, number = database_with_a_plain_id_number(database)
    # `flask --app portal db upgrade`, which seals with the app's own key (its SECRET_KEY).
    app = make_test_app(url)
    try:
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            connection = db.session.connection()
            columns = {column["name"] for column in inspect(connection).get_columns("volunteers")}
            row = connection.execute(text("SELECT * FROM volunteers")).mappings().one()
            assert "id_number" not in columns
            assert row["id_number_masked"] == f"{number[:4]}**********{number[-4:]}"
            assert not [value for value in row.values() if number in str(value)]
        # The app opens it again for its owner.
        with app.test_request_context(headers={"Accept-Language": "en"}):
            volunteer = db.session.get(Volunteer, row["id"])
            whole = volunteers.reveal_id_number(db.session, volunteer.user, volunteer, now=EPOCH)
            assert whole == number
    finally:
        dispose(app)


def test_sealed_id_numbers_go_back_to_plain_on_a_downgrade(database):
    url, number = database_with_a_plain_id_number(database)
    engine = make_engine(url)
    key = {"VOLUNTEER_ID_KEY": "a production key"}
    try:
        with engine.begin() as connection:
            upgrade(connection, app_config=key)
            command.downgrade(alembic_config(connection, app_config=key), "0020")
            plain = connection.execute(text("SELECT id_number FROM volunteers")).scalar_one()
    finally:
        engine.dispose()
    assert plain == number


def test_without_the_apps_key_the_upgrade_stops_rather_than_guess(database):
    url, number = database_with_a_plain_id_number(database)
    engine = make_engine(url)
    try:
        with pytest.raises(RuntimeError, match="VOLUNTEER_ID_KEY"), engine.begin() as connection:
            upgrade(connection)
        with engine.connect() as connection:
            plain = connection.execute(text("SELECT id_number FROM volunteers")).scalar_one()
    finally:
        engine.dispose()
    assert plain == number
