"""Door posters: one A4 page a building, text a machine can read, a QR code a phone can."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.doors import posters
from portal.doors.services import poster_facts
from portal.errors import Forbidden
from portal.permissions import SYSTEM, Role
from tests import factories
from tests.qr import decode, pdf_page_images, pdf_pages, pdf_text

pytestmark = pytest.mark.usefixtures("app_context")
BASE = "https://grid.example.gov.cn"


@pytest.fixture
def tree(session):
    tree = factories.tree(session)
    tree.community.phone = "0755-2345 6601"
    tree.grid.phone = "13800138003"
    factories.user(session, Role.GRID_WORKER, tree.grid, name="王强")
    factories.building(session, tree.grid, "甲楼2栋")
    session.flush()
    return tree


def write(tmp_path: Path, doors, **options) -> Path:
    out = tmp_path / "posters.pdf"
    with out.open("wb") as file:
        assert posters.write_posters(file, doors, BASE, **options) == len(doors)
    return out


def test_each_building_gets_a_page_with_everything_a_resident_needs(session, tree, tmp_path):
    doors = poster_facts(session, SYSTEM, tree.community)
    pdf = write(tmp_path, doors)
    assert pdf_pages(pdf) == 2
    text = pdf_text(pdf, 1)
    for expected in (
        "扫码反映诉求", "Scan to report a problem", "甲楼1栋", "测试路1号甲楼1栋",
        "网格：甲社区第一网格", "王强", "138 0013 8003", "0755-2345 6601", f"grid.example.gov.cn/b/{doors[0].code}",
    ):  # fmt: skip
        assert expected in text, expected
    assert "扫码不会记录" in text


def test_the_qr_code_on_a_printed_page_reads_back_as_the_door_url(session, tree, tmp_path):
    doors = poster_facts(session, SYSTEM, tree.community)
    pdf = write(tmp_path, doors)
    pages = pdf_page_images(pdf, 1, 2)
    assert [decode(page) for page in pages] == [[f"{BASE}/b/{door.code}"] for door in doors]


def test_posters_come_street_by_street_then_community_grid_and_building(session, tree, tmp_path):
    factories.building(session, tree.other_grid, "乙楼0栋")
    session.flush()
    names = [door.name_zh for door in poster_facts(session, SYSTEM, tree.district)]
    assert names == ["甲楼1栋", "甲楼2栋", "乙楼0栋", "乙楼1栋"]


def test_a_pool_of_processes_gives_the_same_pages_in_the_same_order(
    session, tree, tmp_path, monkeypatch
):
    for number in range(30):
        factories.building(session, tree.other_grid, f"批量楼{number:02d}栋")
    session.flush()
    monkeypatch.setattr(posters, "PARALLEL_FROM", 10)
    doors = poster_facts(session, SYSTEM, tree.district)
    pdf = write(tmp_path, doors, processes=2)
    assert pdf_pages(pdf) == len(doors) == 33
    for page, door in zip(pdf_page_images(pdf, 1, 33), doors, strict=True):
        assert decode(page) == [f"{BASE}/b/{door.code}"]


def test_retired_buildings_get_no_poster_and_scope_is_checked(session, tree, now):
    tree.building.retired_at = now
    session.flush()
    assert tree.building.public_code not in {
        door.code for door in poster_facts(session, SYSTEM, tree.community)
    }
    secretary = factories.user(session, Role.SECRETARY, tree.other_community)
    with pytest.raises(Forbidden):
        poster_facts(session, secretary, tree.community)


def test_a_long_address_wraps_instead_of_shrinking_out_of_sight(session, tree, tmp_path):
    address = "明湖区凤凰街道塘尾社区塘尾路八十八号塘尾新村二期东区北门进入左转第三栋楼二单元到四单元之间的连廊旁边的那一栋楼（原名为老供销社宿舍楼）"
    factories.building(session, tree.grid, "长地址楼", address=address)
    session.flush()
    doors = [
        door for door in poster_facts(session, SYSTEM, tree.grid) if door.name_zh == "长地址楼"
    ]
    text = pdf_text(write(tmp_path, doors)).replace("\n", "")
    assert address in text


def test_names_of_a_grid_worker_without_a_phone_are_still_printed(session, tree, tmp_path):
    tree.grid.phone = ""
    session.flush()
    text = pdf_text(write(tmp_path, poster_facts(session, SYSTEM, tree.grid)))
    assert "网格员：王强" in text
