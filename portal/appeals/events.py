"""What appeals tell other features (portal/events.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.appeals.models import Appeal, Rating
from portal.events import DomainEvent


@dataclass(frozen=True)
class MeetingWanted(DomainEvent):
    """A report that entered the loop asks to talk to the community secretary. A feature
    that arranges such meetings takes it up with `services.meeting_requested`."""

    appeal: Appeal
    now: datetime


@dataclass(frozen=True)
class AppealRated(DomainEvent):
    """The resident rated the result of an appeal (every rating, 不满意 too: a handler decides
    what a rating earns). Published after the rating is kept and the appeal moved on."""

    appeal: Appeal
    rating: Rating
    now: datetime
