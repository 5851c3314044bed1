"""What happens in grid points that another part of it (or another feature) reacts to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.events import DomainEvent


@dataclass(frozen=True)
class RewardRestocked(DomainEvent):
    """A reward that had none left has some again (a coordinator added stock, or a cancelled
    order gave one back): residents who asked to be told are texted, once each."""

    reward_id: int
    now: datetime
