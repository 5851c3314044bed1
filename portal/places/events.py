"""Events of the places feature, for the features that react to them (portal/events.py)."""

from __future__ import annotations

from dataclasses import dataclass

from portal.events import DomainEvent


@dataclass(frozen=True)
class PublicPhoneChosen(DomainEvent):
    """A number is about to be printed on posters or shown in full as a place's or a unit's
    public phone. A handler raises Invalid (field "phone") to refuse it."""

    # As typed; `digits` holds only its digits.
    phone: str
    digits: str
