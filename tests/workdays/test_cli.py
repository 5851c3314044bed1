"""`flask --app portal workdays show|enter` on a database of its own."""

from __future__ import annotations

from datetime import date

import pytest

from portal.db import db
from portal.workdays import services as workdays
from tests.workdays.conftest import NATIONAL_DAY_2027

pytestmark = pytest.mark.usefixtures("english_terminal")


@pytest.fixture
def cli_app(fresh_app):
    return fresh_app(migrate=True)


def run(app, *args: str, input: str | None = None):
    return app.test_cli_runner().invoke(args=["workdays", *args], input=input)


def test_show_says_where_a_years_days_come_from(cli_app):
    result = run(cli_app, "show", "2026")
    assert result.exit_code == 0, result.output
    assert "2026: The State Council's published arrangement" in result.output
    assert "2026-10-10 补班 国庆节 National Day" in result.output

    result = run(cli_app, "show", "2030")
    assert result.output.splitlines() == [
        "2030: Not known yet: Monday to Friday",
        "The holidays of 2030 have not been entered yet: working days are counted as Monday to Friday for now.",
    ]
    assert run(cli_app, "show", "1999").exit_code == 1


def test_enter_reads_the_lines_of_a_year_and_refuses_wrong_ones(cli_app):
    result = run(cli_app, "enter", "2027", "-", input=NATIONAL_DAY_2027)
    assert result.exit_code == 0, result.output
    assert "The days of 2027 are saved: 8 in all." in result.output
    with cli_app.app_context():
        assert not workdays.is_working_day(db.session, date(2027, 10, 4))
    assert "2027: Entered by an administrator" in run(cli_app, "show", "2027").output

    result = run(cli_app, "enter", "2027", "-", input="2027-02-30 春节")
    assert result.exit_code == 1
    assert "Line 1: there is no day 2027-02-30." in result.output
    with cli_app.app_context():
        assert not workdays.is_working_day(db.session, date(2027, 10, 4))
