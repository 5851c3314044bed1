"""The report form's first choices: the kinds of problem most reported at a building's
community in the last 90 days, made up to six with the kinds its district pins (catalogue
pins), so that an older resident finds theirs without reading the whole catalogue.

The first screen is what every scan opens, so each process keeps what it needs (KeptChoices):
a community's usual kinds, counted over 90 days of its reports, change slowly and are counted
again every USUAL_KINDS_REFRESH_SECONDS; a district's pins, which its administrators edit, are
read again every CATALOGUE_REFRESH_SECONDS, as the catalogue is.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from datetime import datetime, timedelta
from typing import Generic, NamedTuple, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from portal.appeals.models import Appeal
from portal.catalogue.pins import MAX_PINNED, district_id_of, other_item_id, pinned_ids
from portal.places.models import Building, Place

WINDOW = timedelta(days=90)
# A kind is usual in a community from this many reports in the window: one report says
# little about the neighbours.
USUAL = 2
# Entries one process keeps at most of each kind (a district has tens of thousands of
# buildings).
KEPT_MAX = 5_000


class FirstChoices(NamedTuple):
    """The item ids offered first, and the item "something else" is filed under (if any)."""

    items: tuple[int, ...]
    other: int | None


class Where(NamedTuple):
    community_id: int
    district_id: int


class Pins(NamedTuple):
    items: tuple[int, ...]
    other: int | None


def where(session: Session, building_id: int) -> Where:
    """The community and district a building lies in."""
    community_id, path = session.execute(
        select(Place.parent_id, Place.path)
        .join(Building, Building.grid_id == Place.id)
        .where(Building.id == building_id)
    ).one()
    return Where(community_id, district_id_of(path))


def usual_kinds(session: Session, community_id: int, now: datetime) -> tuple[int, ...]:
    """The kinds reported at least USUAL times in the community in the last 90 days, most
    reported first; "something else" is never one of them."""
    grid = aliased(Place)
    reports = func.count(Appeal.id)
    query = (
        select(Appeal.item_id)
        .join(Building, Building.id == Appeal.building_id)
        .join(grid, grid.id == Building.grid_id)
        .where(grid.parent_id == community_id, Appeal.received_at >= now - WINDOW)
    )
    other = other_item_id(session)
    if other is not None:
        query = query.where(Appeal.item_id != other)
    return tuple(
        session.scalars(
            query.group_by(Appeal.item_id)
            .having(reports >= USUAL)
            .order_by(reports.desc(), Appeal.item_id)
            .limit(MAX_PINNED)
        )
    )


def district_pins(session: Session, district_id: int) -> Pins:
    return Pins(tuple(pinned_ids(session, district_id)), other_item_id(session))


def combine(usual: tuple[int, ...], pins: Pins) -> FirstChoices:
    """The usual kinds first, then the pins up to MAX_PINNED; "something else" apart."""
    chosen = dict.fromkeys(usual)
    for item_id in pins.items:
        if len(chosen) >= MAX_PINNED:
            break
        if item_id != pins.other:
            chosen.setdefault(item_id)
    return FirstChoices(tuple(chosen), pins.other)


def first_choices(session: Session, building_id: int, now: datetime) -> FirstChoices:
    """What to offer first at `building_id`: its community's usual kinds, most reported
    first, then its district's pins; "something else" apart, never among them."""
    place = where(session, building_id)
    return combine(
        usual_kinds(session, place.community_id, now), district_pins(session, place.district_id)
    )


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Aging(Generic[K, V]):
    """Values kept by key and read again once they are `seconds` old; emptied when full."""

    def __init__(self, seconds: float, clock: Callable[[], float]):
        self.seconds = seconds
        self._clock = clock
        self._kept: dict[K, tuple[float, V]] = {}

    def get(self, key: K, read: Callable[[], V]) -> V:
        moment = self._clock()
        kept = self._kept.get(key)
        if kept is None or moment - kept[0] >= self.seconds:
            if len(self._kept) >= KEPT_MAX:
                self._kept.clear()
            kept = self._kept[key] = (moment, read())
        return kept[1]


class KeptChoices:
    """Each building's first choices, from parts each kept as long as it may age: where the
    building lies and its community's usual kinds for `usual_seconds`, its district's pins
    for `refresh_seconds`."""

    def __init__(
        self,
        refresh_seconds: float,
        usual_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._where: _Aging[int, Where] = _Aging(usual_seconds, clock)
        self._usual: _Aging[int, tuple[int, ...]] = _Aging(usual_seconds, clock)
        self._pins: _Aging[int, Pins] = _Aging(refresh_seconds, clock)

    def get(self, session: Session, building_id: int, now: datetime) -> FirstChoices:
        place = self._where.get(building_id, lambda: where(session, building_id))
        usual = self._usual.get(
            place.community_id, lambda: usual_kinds(session, place.community_id, now)
        )
        pins = self._pins.get(place.district_id, lambda: district_pins(session, place.district_id))
        return combine(usual, pins)
