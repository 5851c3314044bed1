"""What the grid points rules take from the configuration, read where a view, the command line
or the worker calls a service: services never look at the app."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from portal.places.models import Place
from portal.points.accounts import district_of


@dataclass(frozen=True)
class PointsSettings:
    # Days an approved award stands on the public notice (POINTS_NOTICE_DAYS), and a
    # district's own days by its code (POINTS_NOTICE_DAYS_BY_DISTRICT: {"QX": 7}).
    notice_days: int = 5
    notice_days_by_district: Mapping[str, int] = field(default_factory=dict)
    # Days a reward ordered in the points shop waits to be picked up before the order is
    # cancelled and its points refunded (POINTS_COLLECT_DAYS).
    collect_days: int = 14
    # The codes of the districts whose unspent points expire at the end of each year, with an
    # SMS a month before (POINTS_EXPIRING_DISTRICTS; none by default).
    expiring_districts: frozenset[str] = frozenset()
    # Where the portal is reached (BASE_URL): links in SMS.
    base_url: str = ""

    def __post_init__(self) -> None:
        if min([self.notice_days, *self.notice_days_by_district.values()]) < 0:
            raise ValueError("POINTS_NOTICE_DAYS cannot be negative")
        if self.collect_days < 1:
            raise ValueError("POINTS_COLLECT_DAYS must be at least 1")

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> PointsSettings:
        return cls(
            notice_days=int(config.get("POINTS_NOTICE_DAYS", 5)),
            notice_days_by_district={
                code: int(days)
                for code, days in (config.get("POINTS_NOTICE_DAYS_BY_DISTRICT") or {}).items()
            },
            collect_days=int(config.get("POINTS_COLLECT_DAYS", 14)),
            expiring_districts=frozenset(config.get("POINTS_EXPIRING_DISTRICTS") or ()),
            base_url=str(config.get("BASE_URL", "")).rstrip("/"),
        )

    def notice_days_in(self, place: Place) -> int:
        """The days an approved award stands on notice in `place`'s district."""
        code = district_of(place).code
        return self.notice_days_by_district.get(code, self.notice_days)

    def expires_in(self, place: Place) -> bool:
        """Whether unspent points expire at the year's end in `place`'s district."""
        return district_of(place).code in self.expiring_districts
