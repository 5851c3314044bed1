"""`flask --app portal users create` and `db upgrade` on a database of their own."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.db import db
from portal.permissions import Role
from tests import factories

pytestmark = pytest.mark.usefixtures("english_terminal")


@pytest.fixture
def cli_app(fresh_app):
    app = fresh_app()
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return app


def test_the_first_admin_is_created_from_the_command_line(cli_app):
    runner = cli_app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "--phone", "138 0013 8000", "--role", "admin", "--name", "周静"],
        input="a long admin passphrase\na long admin passphrase\n",
    )
    assert result.exit_code == 0, result.output
    with cli_app.app_context():
        admin = db.session.scalar(select(User).where(User.phone == "13800138000"))
        assert admin.roles == {Role.ADMIN}
        assert admin.must_change_password is False
        origins = db.session.scalars(select(AuditEvent.origin)).all()
        assert origins == ["cli", "cli"]


def test_a_weak_password_or_a_wrong_place_is_refused(cli_app):
    runner = cli_app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--phone",
            "13800138000",
            "--role",
            "admin",
            "--password",
            "1234567890",
        ]
    )
    assert result.exit_code == 1 and "too common" in result.output
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--phone",
            "13800138001",
            "--role",
            "secretary",
            "--place",
            "NOPE",
            "--password",
            "a long passphrase",
        ]
    )
    assert result.exit_code == 1 and "no place with this code" in result.output
    with cli_app.app_context():
        assert db.session.scalars(select(User)).all() == []


def test_a_deputy_secretary_is_created_on_a_community_not_on_a_grid(cli_app):
    with cli_app.app_context():
        tree = factories.tree(db.session)
        db.session.commit()
        community, grid = tree.community.code, tree.grid.code
    runner = cli_app.test_cli_runner()

    def create(phone: str, place: str):
        return runner.invoke(
            args=["users", "create", "--phone", phone, "--role", "deputy_secretary",
                  "--place", place, "--name", "郑海燕", "--password", "a long passphrase"],
        )  # fmt: skip

    refused = create("13800138024", grid)
    assert refused.exit_code == 1 and "cannot be granted on this kind of place" in refused.output
    made = create("13800138024", community)
    assert made.exit_code == 0, made.output
    assert "now has the role Deputy secretary" in made.output
    with cli_app.app_context():
        deputy = db.session.scalar(select(User).where(User.phone == "13800138024"))
        assert deputy.roles == {Role.DEPUTY_SECRETARY} and deputy.is_staff


def test_a_resident_account_needs_no_password(cli_app):
    result = cli_app.test_cli_runner().invoke(
        args=["users", "create", "--phone", "13800138002", "--role", "resident"]
    )
    assert result.exit_code == 0, result.output


def test_upgrading_twice_is_harmless(cli_app):
    result = cli_app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0 and "up to date" in result.output


def test_a_chinese_terminal_gets_chinese_output(cli_app, monkeypatch):
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    result = cli_app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0 and "数据库" in result.output
