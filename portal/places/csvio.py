"""Buildings as CSV: the file administrators exchange with Excel.

UTF-8 with a byte-order mark and Chinese headers, so Excel opens it with the right characters.
Excel on Chinese Windows saves CSV as GB18030, so that encoding is read as well.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from portal.characters import has_control_characters
from portal.numbers import parse_number
from portal.places.codes import normalize_code
from portal.places.models import Building, RiskGrade
from portal.web.csvfile import csv_chunks, from_text

COL_CODE = "二维码编号"
COL_STREET = "街道"
COL_COMMUNITY = "社区"
COL_GRID_CODE = "网格编码"
COL_GRID = "网格"
COL_NAME_ZH = "楼栋名称"
COL_NAME_EN = "楼栋英文名称"
COL_ADDRESS = "地址"
COL_HOUSEHOLDS = "户数"
COL_RISK = "风险等级"

HEADERS = [
    COL_CODE,
    COL_STREET,
    COL_COMMUNITY,
    COL_GRID_CODE,
    COL_GRID,
    COL_NAME_ZH,
    COL_NAME_EN,
    COL_ADDRESS,
    COL_HOUSEHOLDS,
    COL_RISK,
]
REQUIRED = {COL_GRID_CODE, COL_NAME_ZH, COL_ADDRESS}
# Read back for the reader's convenience only; the grid code decides where a building goes.
INFORMATIONAL = {COL_STREET, COL_COMMUNITY, COL_GRID}

CSV_RISK_NAMES = {RiskGrade.SAFE: "放心", RiskGrade.ORDINARY: "一般", RiskGrade.WARNING: "警示"}
_RISK_BY_LABEL = {label: grade for grade, label in CSV_RISK_NAMES.items()} | {
    grade.value: grade for grade in RiskGrade
}
MAX_HOUSEHOLDS = 10_000


@dataclass
class BuildingRow:
    line: int
    public_code: str | None
    grid_code: str
    name_zh: str
    name_en: str
    address: str
    households: int
    risk_grade: RiskGrade


@dataclass
class RowError:
    line: int
    message: str

    def __post_init__(self) -> None:
        # Translated now, as a plain string: a lazy string would reach the page unescaped,
        # and these messages quote what the file contains.
        self.message = str(self.message)


class ImportFailed(Exception):
    """The file cannot be imported; nothing of it was saved."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problems")
        self.errors = sorted(errors, key=lambda error: error.line)


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ImportFailed(
            [RowError(1, _l("The file is not a CSV file in UTF-8 or GB18030 (GBK)."))]
        ) from None


def read_buildings(data: bytes) -> tuple[list[BuildingRow], list[RowError]]:
    """Parse a CSV file of buildings; every problem is reported with its line number."""
    reader = csv.reader(io.StringIO(decode(data), newline=""))
    try:
        header = [cell.strip() for cell in next(reader)]
    except (StopIteration, csv.Error):
        raise ImportFailed([RowError(1, _l("The file is empty."))]) from None
    problems = _header_problems(header)
    if problems:
        raise ImportFailed(problems)

    rows: list[BuildingRow] = []
    errors: list[RowError] = []
    line = 1
    try:
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            values = {
                name: from_text(cells[i].strip()) if i < len(cells) else ""
                for i, name in enumerate(header)
            }
            row = _read_row(start, values, errors)
            if row is not None:
                rows.append(row)
    except csv.Error:
        errors.append(
            RowError(line + 1, _l("This line is not valid CSV (check the quotation marks)."))
        )
    if not rows and not errors:
        errors.append(RowError(2, _l("The file has no buildings in it.")))
    return rows, errors


def _header_problems(header: list[str]) -> list[RowError]:
    known = set(HEADERS)
    problems = [
        RowError(
            1,
            _l(
                "Unknown column “%(name)s”. The columns are: %(columns)s.",
                name=name,
                columns="，".join(HEADERS),
            ),
        )
        for name in header
        if name and name not in known
    ]
    problems += [
        RowError(1, _l("The column “%(name)s” is missing.", name=name))
        for name in HEADERS
        if name in REQUIRED and name not in header
    ]
    duplicated = {name for name in header if name and header.count(name) > 1}
    problems += [
        RowError(1, _l("The column “%(name)s” appears twice.", name=name))
        for name in sorted(duplicated)
    ]
    return problems


def _read_row(line: int, values: dict[str, str], errors: list[RowError]) -> BuildingRow | None:
    found: list[RowError] = []

    def need(column: str, limit: int) -> str:
        value = values.get(column, "")
        if column in REQUIRED and not value:
            found.append(RowError(line, _l("“%(name)s” is empty.", name=column)))
        # A cell may span lines in a spreadsheet; the other control characters are refused.
        elif has_control_characters(value, multiline=True):
            found.append(
                RowError(
                    line, _l("“%(name)s” has invisible control characters in it.", name=column)
                )
            )
        elif len(value) > limit:
            found.append(
                RowError(
                    line,
                    _l("“%(name)s” is longer than %(count)d characters.", name=column, count=limit),
                )
            )
        return value

    grid_code = need(COL_GRID_CODE, 32)
    name_zh = need(COL_NAME_ZH, 100)
    name_en = need(COL_NAME_EN, 200)
    address = need(COL_ADDRESS, 255)

    public_code = None
    if values.get(COL_CODE):
        public_code = normalize_code(values[COL_CODE])
        if public_code is None:
            found.append(
                RowError(
                    line,
                    _l(
                        "“%(value)s” is not a QR code number of this portal.",
                        value=values[COL_CODE],
                    ),
                )
            )

    households = 0
    raw = values.get(COL_HOUSEHOLDS, "")
    if raw:
        try:
            households = parse_number(raw)
        except ValueError:
            households = -1
        if not 0 <= households <= MAX_HOUSEHOLDS:
            found.append(
                RowError(
                    line,
                    _l(
                        "“%(name)s” must be a whole number from 0 to %(max)d.",
                        name=COL_HOUSEHOLDS,
                        max=MAX_HOUSEHOLDS,
                    ),
                )
            )

    risk_grade = RiskGrade.SAFE
    raw = values.get(COL_RISK, "")
    if raw:
        grade = _RISK_BY_LABEL.get(raw) or _RISK_BY_LABEL.get(raw.lower())
        if grade is None:
            found.append(
                RowError(line, _l("“%(name)s” must be 放心, 一般 or 警示.", name=COL_RISK))
            )
        else:
            risk_grade = grade

    if found:
        errors.extend(found)
        return None
    return BuildingRow(
        line, public_code, grid_code, name_zh, name_en, address, households, risk_grade
    )


def write_buildings(buildings: Iterable[Building]) -> Iterator[str]:
    """The CSV text, chunk by chunk, for a streamed download (buildings with grids loaded)."""

    def rows() -> Iterator[list]:
        for building in buildings:
            grid = building.grid
            community = grid.parent
            street = community.parent if community else None
            yield [
                building.public_code,
                street.name_zh if street else "",
                community.name_zh if community else "",
                grid.code,
                grid.name_zh,
                building.name_zh,
                building.name_en,
                building.address,
                building.households,
                CSV_RISK_NAMES[building.risk_grade],
            ]

    return csv_chunks(HEADERS, rows())
