"""What the report form offers: the catalogue's items in use, group by group, in each language.

Each process reads the catalogue again when its copy is CATALOGUE_REFRESH_SECONDS old, as plain
tuples in one small query; what is built from the rows (groups and names in each language,
the first screen's choices) is kept while they stay the same. Measured (issue 15, 5
interleaved rounds on a quiet machine): the report's first screen serves 23% more requests
a second with the copy kept than with the catalogue read for every screen, on SQLite and on
PostgreSQL alike.

An edit to the catalogue (an item added, renamed, moved or retired) shows on the next request
in the process that made it (the admin pages `forget` the copy) and within the refresh time in
every other, with nothing an edit must remember to bump. A report naming an item retired
meanwhile is refused when sent, as any other item not in use.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from portal.catalogue.models import CatalogueGroup, CatalogueItem
from portal.i18n import text_in

# Everything the form shows of the catalogue, in the order it shows it.
_ROWS = (
    select(
        CatalogueGroup.id,
        CatalogueGroup.name_zh,
        CatalogueGroup.name_en,
        CatalogueItem.id,
        CatalogueItem.name_zh,
        CatalogueItem.name_en,
    )
    .join(CatalogueItem.group)
    .where(CatalogueItem.retired_at.is_(None))
    .order_by(CatalogueGroup.position, CatalogueItem.position, CatalogueItem.id)
)


def _plain_rows(connection: Connection) -> list[tuple[Any, ...]]:
    """The rows as plain tuples, which compare equal when the catalogue has not changed."""
    return [tuple(row) for row in connection.execute(_ROWS)]


@dataclass(frozen=True)
class Offered:
    """The catalogue in one language: (group name, ((item id, item name), ...)) in order."""

    groups: tuple[tuple[str, tuple[tuple[int, str], ...]], ...]
    names: dict[int, str]
    # Pieces of pages made of this catalogue alone, kept for as long as it is.
    rendered: dict[str, Any] = field(default_factory=dict, compare=False)


def _build(rows: Sequence[Any], locale: str) -> Offered:
    groups: dict[int, tuple[str, list[tuple[int, str]]]] = {}
    for group_id, group_zh, group_en, item_id, item_zh, item_en in rows:
        if group_id not in groups:
            groups[group_id] = (text_in(locale, group_zh, group_en), [])
        groups[group_id][1].append((item_id, text_in(locale, item_zh, item_en)))
    return Offered(
        groups=tuple((name, tuple(items)) for name, items in groups.values()),
        names={item_id: name for _name, items in groups.values() for item_id, name in items},
    )


class OfferedCatalogue:
    """The catalogue as offered, built once per language for the rows last read."""

    def __init__(self, refresh_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.refresh_seconds = refresh_seconds
        self._clock = clock
        self._kept: tuple[Sequence[Any], dict[str, Offered]] = ((), {})
        self._read_at: float | None = None

    def forget(self) -> None:
        """Read the catalogue again on the next request (it was edited in this process)."""
        self._read_at = None

    def get(self, session: Session, locale: str) -> Offered:
        now = self._clock()
        if self._read_at is None or now - self._read_at >= self.refresh_seconds:
            rows = _plain_rows(session.connection())
            self._read_at = now
            if rows != self._kept[0]:
                self._kept = (rows, {})
        rows, built = self._kept
        offered = built.get(locale)
        if offered is None:
            offered = built[locale] = _build(rows, locale)
        return offered
