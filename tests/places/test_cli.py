"""`flask --app portal places import` on a database of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.db import db
from portal.places.models import Building
from tests import factories

pytestmark = pytest.mark.usefixtures("english_terminal")


@pytest.fixture
def cli_app(fresh_app):
    app = fresh_app(migrate=True)
    with app.app_context():
        app.tree = factories.tree(db.session)  # Its grid and community codes, for the files.
        app.grid_code, app.community_code = app.tree.grid.code, app.tree.community.code
        db.session.commit()
    return app


def count(app) -> int:
    with app.app_context():
        # The tree's own two buildings are there before any import.
        return db.session.scalar(select(func.count(Building.id))) - 2


def test_the_import_command_shows_progress_and_imports(cli_app, tmp_path: Path):
    file = tmp_path / "buildings.csv"
    rows = "".join(
        f"{cli_app.grid_code},楼{number}栋,路{number}号,{number},放心\r\n" for number in range(250)
    )
    file.write_bytes(("\ufeff网格编码,楼栋名称,地址,户数,风险等级\r\n" + rows).encode())
    result = cli_app.test_cli_runner().invoke(
        args=["places", "import", str(file), "--place", cli_app.community_code]
    )
    assert result.exit_code == 0, result.output
    assert "Importing buildings" in result.output
    assert "Import finished: 250 buildings added, 0 updated." in result.output
    assert count(cli_app) == 250


def test_a_bad_file_prints_each_problem_and_imports_nothing(cli_app, tmp_path: Path):
    file = tmp_path / "buildings.csv"
    file.write_bytes(
        f"网格编码,楼栋名称,地址\r\n{cli_app.grid_code},好楼,路\r\nG9,坏楼,路\r\n{cli_app.grid_code},,路\r\n".encode()
    )
    result = cli_app.test_cli_runner().invoke(args=["places", "import", str(file)])
    assert result.exit_code == 1
    assert "Line 3: There is no grid with the code G9." in result.output
    assert "Line 4: “楼栋名称” is empty." in result.output
    assert "Nothing was imported: 2 problems." in result.output
    assert count(cli_app) == 0


def test_an_unknown_place_is_refused(cli_app, tmp_path: Path):
    file = tmp_path / "buildings.csv"
    file.write_bytes(f"网格编码,楼栋名称,地址\r\n{cli_app.grid_code},好楼,路\r\n".encode())
    result = cli_app.test_cli_runner().invoke(
        args=["places", "import", str(file), "--place", "NOPE"]
    )
    assert result.exit_code == 1 and "no place with the code NOPE" in result.output
