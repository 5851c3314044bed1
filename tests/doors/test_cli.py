"""`flask --app portal qr posters`: any scope, as one PDF or a zip of SVGs."""

from __future__ import annotations

import zipfile

import pytest

from portal.db import db
from tests import factories
from tests.qr import decode, pdf_page_images, pdf_pages

pytestmark = pytest.mark.usefixtures("english_terminal")


@pytest.fixture
def cli_app(fresh_app):
    """A street of two communities, three buildings in each."""
    app = fresh_app(migrate=True, BASE_URL="https://grid.example.gov.cn")
    with app.app_context():
        tree = factories.tree(db.session)
        for grid in (tree.grid, tree.other_grid):
            for number in range(2):
                factories.building(db.session, grid, f"{grid.name_zh}楼{number}")
        app.street_code, app.community_code = tree.street.code, tree.community.code
        db.session.commit()
    return app


def test_posters_of_one_community(cli_app, tmp_path):
    out = tmp_path / "c1.pdf"
    result = cli_app.test_cli_runner().invoke(
        args=["qr", "posters", "--place", cli_app.community_code, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "3 buildings" in result.output and "Making posters" in result.output
    assert pdf_pages(out) == 3
    assert decode(pdf_page_images(out, 1, 1)[0])[0].startswith("https://grid.example.gov.cn/b/")


def test_posters_of_everything_in_one_file_made_by_a_pool(cli_app, tmp_path, monkeypatch):
    from portal.doors import posters

    monkeypatch.setattr(posters, "PARALLEL_FROM", 2)
    out = tmp_path / "all.pdf"
    result = cli_app.test_cli_runner().invoke(
        args=["qr", "posters", "--out", str(out), "--processes", "2"]
    )
    assert result.exit_code == 0, result.output
    assert pdf_pages(out) == 6


def test_a_zip_of_svgs_for_sign_makers(cli_app, tmp_path):
    out = tmp_path / "svgs.zip"
    result = cli_app.test_cli_runner().invoke(
        args=["qr", "posters", "--place", cli_app.street_code, "--out", str(out), "--format", "zip"]
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        svgs = [name for name in names if name.endswith(".svg")]
        assert len(svgs) == 6 and "manifest.csv" in names
        manifest = archive.read("manifest.csv").decode("utf-8-sig").splitlines()
        assert manifest[0].startswith("二维码编号,文件,社区,网格,楼栋名称")
        assert sorted(line.split(",")[1] for line in manifest[1:]) == sorted(svgs)
        assert 'width="130mm"' in archive.read(svgs[0]).decode()


def test_a_run_that_fails_leaves_no_half_written_file(cli_app, tmp_path, monkeypatch):
    from portal.doors import cli

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(cli, "write_posters", broken)
    out = tmp_path / "posters.pdf"
    result = cli_app.test_cli_runner().invoke(args=["qr", "posters", "--out", str(out)])
    assert result.exit_code != 0
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_place_is_refused(cli_app, tmp_path):
    result = cli_app.test_cli_runner().invoke(
        args=["qr", "posters", "--place", "NOPE", "--out", str(tmp_path / "x.pdf")]
    )
    assert result.exit_code == 1 and "no place with the code NOPE" in result.output
