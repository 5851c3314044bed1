"""Domain errors: what services raise when a rule refuses an action.

Each carries a message for the user, translated into the user's language when raised, and
the HTTP status a view should answer with if it does not handle it itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


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
    """The values given break a rule (a duplicate code, a grid outside the user's area).

    `field` names the field it concerns. One Invalid may stand for the refusals of several
    fields at once (`Invalid.together`, or a `Problems` collected by a service), so that a
    form marks every mistake in one go: `problems` lists them, the first is its own message.
    """

    @property
    def problems(self) -> list[Invalid]:
        """Each refusal it stands for (itself alone when it is one)."""
        return list(self.details.get("problems", ())) or [self]

    @classmethod
    def together(cls, problems: list[Invalid]) -> Invalid:
        """One refusal standing for `problems` (at least one), the first one's message first."""
        first = problems[0]
        if len(problems) == 1:
            return first
        return cls(first.message, **{**first.details, "problems": problems})


class Problems:
    """The refusals a service finds in the values it was given, all of them, so that a form
    shows every one at once; `check()` runs one check, `refuse()` adds one, and
    `raise_any()` raises them as one Invalid (nothing when there are none)."""

    def __init__(self) -> None:
        self.found: list[Invalid] = []

    def check(self, rule: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """What `rule` returns, or None when it refuses (the refusal is kept)."""
        try:
            return rule(*args, **kwargs)
        except Invalid as error:
            self.found.extend(error.problems)
            return None

    def refuse(self, message: Any, **details: Any) -> None:
        self.found.append(Invalid(message, **details))

    def on(self, field: str) -> bool:
        """Whether a refusal concerns `field` already."""
        return any(each.details.get("field") == field for each in self.found)

    def raise_any(self) -> None:
        if self.found:
            raise Invalid.together(self.found)


class Forbidden(DomainError):
    """The acting user may not do this here."""

    status = 403


class NotFound(DomainError):
    """The thing asked for does not exist."""

    status = 404


class TooMany(DomainError):
    """Too many attempts; `retry_after` (seconds) says when to try again, when known."""

    status = 429
