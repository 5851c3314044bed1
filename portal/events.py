"""Domain events: one feature reacts to what happened in another, in the same transaction.

A feature that makes something happen defines the event (a frozen dataclass subclassing
DomainEvent, in its own package) and publishes it from its service, after the change is
made: `publish(session, AppealClosed(...))`. A feature that cares handles it with a function
decorated `@handles(AppealClosed)`, in a module its init_app imports. Handlers run at once, in
the order they were registered, with the publisher's session: what they write commits or
rolls back with the cause (grid points are earned in the transaction that closes an appeal,
or not at all). A handler that raises undoes the cause with it, so a handler refuses only
what must stop the cause; anything else it logs.

Handlers are code, registered when their module is imported, so every app in a process (the
tests make several) has the same ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session


class DomainEvent:
    """Something that happened, told to whichever features handle it."""


Event = TypeVar("Event", bound=DomainEvent)
Handler = Callable[[Session, Any], None]

_handlers: dict[type[DomainEvent], list[Handler]] = {}


def handles(kind: type[Event]) -> Callable[[Callable[[Session, Event], None]], Callable]:
    """Register the decorated function to run whenever an event of `kind` is published."""

    def register(handler: Callable[[Session, Event], None]) -> Callable[[Session, Event], None]:
        registered = _handlers.setdefault(kind, [])
        if handler not in registered:
            registered.append(handler)
        return handler

    return register


def handlers_of(kind: type[DomainEvent]) -> list[Handler]:
    return list(_handlers.get(kind, ()))


def publish(session: Session, event: DomainEvent) -> None:
    """Run every handler of the event's kind, in this transaction."""
    for handler in _handlers.get(type(event), ()):
        handler(session, event)
