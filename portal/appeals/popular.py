"""The report form's first choices: the kinds of problem most reported at a building's
community in the last 90 days, made up to six with the kinds its district pins (catalogue
pins), so that an older resident finds theirs without reading the whole catalogue.

Each process keeps a building's choices for CATALOGUE_REFRESH_SECONDS, as it keeps the
catalogue: the first screen is what every scan opens.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from portal.appeals.models import Appeal
from portal.catalogue.pins import MAX_PINNED, district_id_of, other_item_id, pinned_ids
from portal.places.models import Building, Place

WINDOW = timedelta(days=90)
# A kind is usual in a community from this many reports in the window: one report says
# little about the neighbours.
USUAL = 2
# Buildings whose choices one process keeps at most (a district has tens of thousands).
KEPT_MAX = 5_000


class FirstChoices(NamedTuple):
    """The item ids offered first, and the item "something else" is filed under (if any)."""

    items: tuple[int, ...]
    other: int | None


def first_choices(session: Session, building_id: int, now: datetime) -> FirstChoices:
    """What to offer first at `building_id`: its community's usual kinds, most reported
    first, then its district's pins; "something else" apart, never among them."""
    grid = aliased(Place)
    community_id, path = session.execute(
        select(grid.parent_id, grid.path)
        .join(Building, Building.grid_id == grid.id)
        .where(Building.id == building_id)
    ).one()
    other = other_item_id(session)
    reports = func.count(Appeal.id)
    query = (
        select(Appeal.item_id)
        .join(Building, Building.id == Appeal.building_id)
        .join(grid, grid.id == Building.grid_id)
        .where(grid.parent_id == community_id, Appeal.received_at >= now - WINDOW)
    )
    if other is not None:
        query = query.where(Appeal.item_id != other)
    usual = session.scalars(
        query.group_by(Appeal.item_id)
        .having(reports >= USUAL)
        .order_by(reports.desc(), Appeal.item_id)
        .limit(MAX_PINNED)
    )
    chosen = dict.fromkeys(usual)
    for item_id in pinned_ids(session, district_id_of(path)):
        if len(chosen) >= MAX_PINNED:
            break
        if item_id != other:
            chosen.setdefault(item_id)
    return FirstChoices(tuple(chosen), other)


class KeptChoices:
    """Each building's first choices, read again when they are `refresh_seconds` old."""

    def __init__(self, refresh_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.refresh_seconds = refresh_seconds
        self._clock = clock
        self._kept: dict[int, tuple[float, FirstChoices]] = {}

    def get(self, session: Session, building_id: int, now: datetime) -> FirstChoices:
        moment = self._clock()
        kept = self._kept.get(building_id)
        if kept is None or moment - kept[0] >= self.refresh_seconds:
            if len(self._kept) >= KEPT_MAX:
                self._kept.clear()
            kept = self._kept[building_id] = (moment, first_choices(session, building_id, now))
        return kept[1]
