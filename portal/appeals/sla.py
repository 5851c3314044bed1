"""The service clocks of an appeal: pure arithmetic on times, no database.

The promise residents are given: a handler accepts within 10 minutes of confirmation; when
the resident marked it urgent or asked to meet the secretary, someone contacts them within
30 minutes; resolving takes no longer than the item's handling class (the 12345 hotline's
classes). A district may change any of these in its configuration (APPEAL_CLOCKS).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from portal.catalogue.models import DEFAULT_HANDLING, HandlingClass


@dataclass(frozen=True)
class Clocks:
    accept: timedelta = timedelta(minutes=10)
    contact: timedelta = timedelta(minutes=30)
    handling: dict[HandlingClass, timedelta] = field(default_factory=lambda: dict(DEFAULT_HANDLING))
    # An appeal nobody confirmed by SMS code is dropped after this long.
    confirm: timedelta = timedelta(hours=24)
    # A resolved appeal nobody reviewed closes as "not reviewed" after this long.
    review: timedelta = timedelta(days=7)
    # After a second 不满意, the street office calls the resident back within this long.
    callback: timedelta = timedelta(days=3)

    @classmethod
    def from_config(cls, values: dict[str, Any] | None) -> Clocks:
        """Clocks from a mapping of minutes, e.g. {"accept": 10, "handling": {"general": 10080}}."""
        values = dict(values or {})
        handling = dict(DEFAULT_HANDLING)
        for name, minutes in (values.pop("handling", None) or {}).items():
            handling[HandlingClass(name)] = _positive_minutes(f"handling.{name}", minutes)
        changed = {name: _positive_minutes(name, minutes) for name, minutes in values.items()}
        unknown = set(changed) - {"accept", "contact", "confirm", "review", "callback"}
        if unknown:
            raise ValueError(f"APPEAL_CLOCKS: unknown clock {sorted(unknown)}")
        return cls(handling=handling, **changed)


def _positive_minutes(name: str, minutes: Any) -> timedelta:
    if not isinstance(minutes, int | float) or isinstance(minutes, bool) or minutes <= 0:
        raise ValueError(f"APPEAL_CLOCKS: {name} must be a positive number of minutes")
    return timedelta(minutes=minutes)


@dataclass(frozen=True)
class Deadlines:
    accept: datetime
    contact: datetime | None
    resolve: datetime


def deadlines(
    clocks: Clocks,
    start: datetime,
    handling: HandlingClass,
    *,
    needs_contact: bool,
    resolve_in: timedelta | None = None,
) -> Deadlines:
    """The deadlines of an appeal whose clocks start at `start` (confirmation or reopening);
    `resolve_in`, when given, is the item's own time and overrides its handling class."""
    return Deadlines(
        accept=start + clocks.accept,
        contact=start + clocks.contact if needs_contact else None,
        resolve=start + (resolve_in or clocks.handling[handling]),
    )
