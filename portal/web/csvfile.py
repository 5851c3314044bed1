"""CSV files people open in Excel: UTF-8 with a byte-order mark (so that Excel on Chinese
Windows reads the Chinese right), streamed in chunks, and no cell Excel would run as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

# A cell starting with one of these is a formula to Excel; a quote in front keeps it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def from_text(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


def csv_chunks(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], *, every: int = 500
) -> Iterator[str]:
    """The file's text, `every` rows a chunk, for a streamed download. Text cells are made
    safe from formulas; numbers are written as they are."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    buffer.write("\ufeff")
    writer.writerow(headers)
    for count, row in enumerate(rows, start=1):
        writer.writerow([as_text(cell) if isinstance(cell, str) else cell for cell in row])
        if count % every == 0:
            yield flush()
    yield flush()
