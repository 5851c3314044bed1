"""Without an SMS gateway (nor the development pages) no SMS reaches anyone: the server and
the worker say so once as they start, in the command line's language; other commands, whose
output the warning would interrupt, do not."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.cli import FlaskGroup

from tests.conftest import Database, dispose, make_test_app

WARNING_ZH = "未配置短信网关"


@pytest.fixture
def chinese_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")


@pytest.fixture
def flask_command(database: Database) -> Iterator[Callable[..., Result]]:
    """Run `flask --app portal <args>` on one database without an SMS gateway, as a terminal
    does: each command builds its own app."""
    url = database.new_url()
    made: list[Flask] = []

    def build() -> Flask:
        made.append(make_test_app(url, DEV_PAGES=False))
        return made[-1]

    def run(*args: str) -> Result:
        command = FlaskGroup(create_app=build, load_dotenv=False, set_debug_flag=False)
        result = CliRunner().invoke(command, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result

    yield run
    for app in made:
        dispose(app)


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "portal.notifications"]


@pytest.mark.usefixtures("chinese_terminal")
def test_commands_that_serve_no_one_say_nothing_about_the_gateway(flask_command, caplog, tmp_path):
    caplog.set_level(logging.WARNING)
    upgraded = flask_command("db", "upgrade")
    seeded = flask_command("demo", "seed")
    printed = flask_command("qr", "posters", "--out", str(tmp_path / "posters.pdf"))

    assert warnings(caplog) == []
    assert "数据库结构已是最新" in upgraded.output
    assert "演示账号" in seeded.output and "gateway" not in seeded.output
    assert "gateway" not in printed.output


@pytest.mark.usefixtures("chinese_terminal")
def test_the_server_says_it_once_as_it_starts_in_the_command_lines_language(
    flask_command, caplog, monkeypatch
):
    served = []
    monkeypatch.setattr("flask.cli.run_simple", lambda *args, **kw: served.append(args))
    caplog.set_level(logging.WARNING)
    flask_command("db", "upgrade")
    flask_command("run", "--port", "8123")

    assert len(served) == 1
    (warning,) = warnings(caplog)
    assert WARNING_ZH in warning and "PORTAL_DEV_PAGES=true" in warning


@pytest.mark.usefixtures("chinese_terminal")
def test_a_server_built_outside_any_command_says_it_once(database, caplog):
    caplog.set_level(logging.WARNING)
    app = make_test_app(database.new_url(), DEV_PAGES=False)  # as gunicorn builds it
    dispose(app)
    (warning,) = warnings(caplog)
    assert WARNING_ZH in warning


def test_a_server_with_the_development_pages_says_nothing(database, caplog):
    caplog.set_level(logging.WARNING)
    dispose(make_test_app(database.new_url(), DEV_PAGES=True))
    assert warnings(caplog) == []


@pytest.mark.usefixtures("chinese_terminal")
def test_the_worker_says_it_once_as_it_starts(flask_command, caplog):
    caplog.set_level(logging.WARNING)
    flask_command("db", "upgrade")
    worked = flask_command("worker", "--once")

    (warning,) = warnings(caplog)
    assert WARNING_ZH in warning
    assert "短信" in worked.output
