"""Domain errors: what services raise when a rule refuses an action.

Each carries a message for the user, translated into the user's language when raised, and
the HTTP status a view should answer with if it does not handle it itself.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """An action refused by a rule of the portal; `message` is shown to the user."""

    status = 400

    def __init__(self, message: Any, **details: Any) -> None:
        # A plain string, never a lazy one: Flask-Babel's lazy strings tell Jinja they are
        # safe HTML, so one carrying something the user typed would reach the page unescaped.
        self.message = str(message)
        super().__init__(self.message)
        self.details = details


class Invalid(DomainError):
    """The values given break a rule (a duplicate code, a grid outside the user's area)."""


class Forbidden(DomainError):
    """The acting user may not do this here."""

    status = 403


class NotFound(DomainError):
    """The thing asked for does not exist."""

    status = 404


class TooMany(DomainError):
    """Too many attempts; `retry_after` (seconds) says when to try again, when known."""

    status = 429
