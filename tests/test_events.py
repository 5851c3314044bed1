"""Domain events: a handler's writes commit or roll back with their cause."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.audit.services import record
from portal.db import utcnow
from portal.events import DomainEvent, handlers_of, handles, publish


@dataclass(frozen=True)
class SomethingHappened(DomainEvent):
    what: str


@dataclass(frozen=True)
class NobodyCares(DomainEvent):
    pass


@handles(SomethingHappened)
def _note_it(session, event: SomethingHappened) -> None:
    record(session, "tests.noted", actor=None, now=utcnow(), details={"what": event.what})


@dataclass(frozen=True)
class SomethingForbidden(DomainEvent):
    what: str


@handles(SomethingForbidden)
def _refuse(session, event: SomethingForbidden) -> None:
    raise ValueError(event.what)


def noted(session) -> int:
    return session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "tests.noted")
    )


def test_a_handler_writes_in_the_publishers_transaction(session):
    before = noted(session)
    savepoint = session.begin_nested()
    publish(session, SomethingHappened("a door was scanned"))
    session.flush()
    assert noted(session) == before + 1
    savepoint.rollback()
    assert noted(session) == before


def test_a_handler_that_refuses_stops_the_cause(session):
    with pytest.raises(ValueError, match="refused"):
        publish(session, SomethingForbidden("refused"))


def test_registering_twice_runs_a_handler_once_and_an_unhandled_event_does_nothing(session):
    handles(SomethingHappened)(_note_it)
    assert handlers_of(SomethingHappened).count(_note_it) == 1
    publish(session, NobodyCares())
