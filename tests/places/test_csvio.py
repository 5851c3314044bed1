"""Reading and writing the buildings CSV file."""

import pytest

from portal.places.csvio import HEADERS, ImportFailed, read_buildings
from portal.places.models import RiskGrade

pytestmark = pytest.mark.usefixtures("app_context")

HEADER = "网格编码,楼栋名称,地址,户数,风险等级\r\n"


def messages(errors) -> list[tuple[int, str]]:
    return [(error.line, str(error.message)) for error in errors]


def test_a_utf8_file_with_a_bom_is_read():
    rows, errors = read_buildings(
        ("\ufeff" + HEADER + "G01,翠湖花园1栋,翠湖路1号,48,警示\r\n").encode()
    )
    assert errors == []
    assert len(rows) == 1
    row = rows[0]
    assert (row.line, row.grid_code, row.name_zh, row.address, row.households, row.risk_grade) == (
        2, "G01", "翠湖花园1栋", "翠湖路1号", 48, RiskGrade.WARNING,
    )  # fmt: skip


def test_a_gb18030_file_from_excel_on_chinese_windows_is_read():
    rows, errors = read_buildings((HEADER + "G01,翠湖花园1栋,翠湖路1号,,\r\n").encode("gb18030"))
    assert errors == []
    assert rows[0].name_zh == "翠湖花园1栋"
    assert (rows[0].households, rows[0].risk_grade) == (0, RiskGrade.SAFE)


def test_every_bad_row_is_reported_with_its_line():
    text = HEADER + "\r\n".join(
        [
            "G01,好楼,好路1号,10,放心",
            ",无网格楼,某路,10,放心",
            "G01,,某路,10,放心",
            "G01,坏户数楼,某路,很多,放心",
            "G01,坏等级楼,某路,10,危险",
            "G01,负户数楼,某路,-3,放心",
        ]
    )
    rows, errors = read_buildings(text.encode())
    assert [row.name_zh for row in rows] == ["好楼"]
    assert messages(errors) == [
        (3, "“网格编码” is empty."),
        (4, "“楼栋名称” is empty."),
        (5, "“户数” must be a whole number from 0 to 10000."),
        (6, "“风险等级” must be 放心, 一般 or 警示."),
        (7, "“户数” must be a whole number from 0 to 10000."),
    ]


def test_line_numbers_count_lines_inside_quoted_cells():
    text = HEADER + 'G01,"两行\r\n的名字",某路,10,放心\r\nG01,,某路,10,放心\r\n'
    _rows, errors = read_buildings(text.encode())
    assert messages(errors) == [(4, "“楼栋名称” is empty.")]


def test_blank_lines_are_skipped():
    rows, errors = read_buildings((HEADER + "\r\n,,,,\r\nG01,楼,路,1,一般\r\n").encode())
    assert errors == [] and rows[0].line == 4 and rows[0].risk_grade == RiskGrade.ORDINARY


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("网格编码,楼栋名称\r\n", "The column “地址” is missing."),
        ("网格编码,楼栋名称,地址,楼层\r\n", "Unknown column “楼层”"),
        ("网格编码,楼栋名称,地址,地址\r\n", "The column “地址” appears twice."),
    ],
)
def test_a_wrong_header_stops_the_import(header, message):
    with pytest.raises(ImportFailed) as failure:
        read_buildings(header.encode())
    assert message in str(failure.value.errors[0].message)


def test_an_empty_file_and_a_file_without_rows_are_explained():
    with pytest.raises(ImportFailed, match="1 problems"):
        read_buildings(b"")
    _rows, errors = read_buildings(HEADER.encode())
    assert messages(errors) == [(2, "The file has no buildings in it.")]


def test_a_file_that_is_not_text_is_explained():
    with pytest.raises(ImportFailed) as failure:
        read_buildings(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x81")
    assert "UTF-8 or GB18030" in str(failure.value.errors[0].message)


def test_a_quoted_formula_guard_is_removed_on_import():
    rows, _ = read_buildings((HEADER + "G01,'=SUM(A1),路,1,放心\r\n").encode())
    assert rows[0].name_zh == "=SUM(A1)"


def test_the_export_headers_are_all_accepted_on_import():
    header = ",".join(HEADERS) + "\r\n"
    rows, errors = read_buildings((header + "ABCDEF,街道,社区,G01,网格,楼,,路,3,放心\r\n").encode())
    assert errors == [] and rows[0].public_code == "ABCDEF"
