"""The one parser for numbers that arrive as text: ids in addresses, query arguments and
form fields, page numbers, and the digits people type.

A Chinese keyboard in full-width mode types １３８, so what is typed is read through NFKC
first; after that only ASCII digits count (`int()` alone would take ² or ١٢, and compare
nothing safely). Numbers are bounded by the columns they are looked up in: PostgreSQL's
integer refuses more than 2**31 - 1, and SQLite's driver more than 2**63 - 1.
"""

from __future__ import annotations

import re
import unicodedata

# The largest id: every id column is a PostgreSQL integer.
ID_MAX = 2**31 - 1
# The largest page of a list anyone will open.
PAGE_MAX = 1_000_000

_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,12}")


def typed(raw: str | None) -> str:
    """What was typed, with full-width digits and signs made ASCII (NFKC): １２３４ → 1234."""
    return unicodedata.normalize("NFKC", raw or "")


def ascii_digits(raw: str | None) -> str | None:
    """The ASCII digits of what was typed, or None if it is not digits only (spaces around
    are dropped)."""
    text = typed(raw).strip()
    return text if text.isascii() and text.isdigit() else None


def parse_number(raw: str | int | None, *, low: int = -ID_MAX, high: int = ID_MAX) -> int:
    """The whole number written in `raw`, between `low` and `high`; ValueError otherwise.

    Usable as a WTForms `coerce` and as werkzeug's `request.args.get(..., type=...)`."""
    if isinstance(raw, bool) or not isinstance(raw, str | int | None):
        raise ValueError("not a number")
    if isinstance(raw, int):
        value = raw
    else:
        text = typed(raw).strip()
        if not _WHOLE_NUMBER.fullmatch(text):
            raise ValueError("not a whole number")
        value = int(text)
    if not low <= value <= high:
        raise ValueError("out of range")
    return value


def parse_id(raw: str | int | None) -> int:
    """An id as an address or a form gives it; ValueError when no row can have it."""
    return parse_number(raw, low=1, high=ID_MAX)


def optional_id(raw: str | int | None) -> int | None:
    """An id, or None for an empty choice; ValueError for anything else."""
    if raw is None or raw == "":
        return None
    return parse_id(raw)


def page_number(raw: str | None) -> int:
    """The page asked for, or the first one for anything that is not a page number."""
    try:
        return parse_number(raw, low=1, high=PAGE_MAX)
    except ValueError:
        return 1
