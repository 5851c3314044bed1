"""What meetings tell other features (portal/events.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.events import DomainEvent
from portal.meetings.models import Booking


@dataclass(frozen=True)
class MeetingAttended(DomainEvent):
    """The host marked a meeting held: the resident came (a secretary meeting or a legal
    service day, by the booking's kind). Published in the transaction that marks it."""

    booking: Booking
    now: datetime
