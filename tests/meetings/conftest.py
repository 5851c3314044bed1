"""A community secretary receiving residents: weekdays 09:00–11:30 and 14:00–17:00, in
20-minute meetings with 10 minutes between them, at most five a day."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portal.meetings.models import MeetingKind, Schedule, Venue
from portal.permissions import Role
from tests import factories

# Monday 7 December 2026, 08:00 in Shanghai: the week ahead is an ordinary working week.
MONDAY_8AM = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
WEEKDAYS = {str(day): [["09:00", "11:30"], ["14:00", "17:00"]] for day in range(5)}


def shanghai(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of December 2026 given in Shanghai time, in UTC."""
    return datetime(2026, 12, day, hour - 8, minute, tzinfo=UTC)


def schedule_for(session, host, place, **fields) -> Schedule:
    values = {
        "kind": MeetingKind.SECRETARY,
        "venue": Venue.CENTRE,
        "weekly": WEEKDAYS,
        "slot_minutes": 20,
        "buffer_minutes": 10,
        "daily_cap": 5,
    } | fields
    made = Schedule(host_id=host.id, place_id=place.id, **values)
    session.add(made)
    session.flush()
    return made


@pytest.fixture
def tree(session):
    made = factories.tree(session)
    session.flush()
    return made


@pytest.fixture
def secretary(session, tree):
    return factories.user(session, Role.SECRETARY, tree.community, name="王书记")


@pytest.fixture
def schedule(session, tree, secretary):
    return schedule_for(session, secretary, tree.community)
