"""What volunteering tells other features (portal/events.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.accounts.models import User
from portal.events import DomainEvent
from portal.places.models import Place


@dataclass(frozen=True)
class HoursConfirmed(DomainEvent):
    """A coordinator confirmed a volunteer's service: their hours at an activity, or help they
    gave an older resident. Published once for each record confirmed, in the transaction that
    confirms it (grid points count confirmed hours)."""

    volunteer: User
    minutes: int
    community: Place
    # The record confirmed, as other features key what they do for it once:
    # "service:<sign-up id>" for an activity, "help:<help request id>" for help given.
    record: str
    # What the service was, as a short line: the activity's title, the kind of help.
    about: str
    now: datetime


@dataclass(frozen=True)
class HoursUnconfirmed(DomainEvent):
    """A coordinator undid a wrong confirmation: the record waits to be confirmed again
    (grid points take back what the hours earned, where the points are still held)."""

    # The record, as HoursConfirmed named it: "service:<sign-up id>".
    record: str
    reason: str
    now: datetime
