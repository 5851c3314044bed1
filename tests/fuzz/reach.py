"""Per route, the share of fuzzed requests that reached form validation.

A request that is turned away before its form is read (no session, a wrong CSRF token, a
404 for its URL) tests nothing of the form; the fuzzer is only worth its time when most of
its requests get as far as `validate`. `Reach.watching()` wraps WTForms' `Field.validate`
(which every form's `validate` calls, and views that check a form a screen at a time call
themselves), in this test run only, to notice when a request got there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from wtforms import Field

# What the issue asks of every route that takes a form.
WANTED_SHARE = 0.8


class Reach:
    def __init__(self) -> None:
        self.sent: Counter[str] = Counter()
        self.validated: Counter[str] = Counter()
        self.roles: dict[str, set[str]] = {}
        self._seen_validate = False

    @contextmanager
    def watching(self) -> Iterator[None]:
        """Notice every validation of a form field while the block runs."""
        validate = Field.validate

        def noticed(field: Field, *args, **kwargs) -> bool:
            self._seen_validate = True
            return validate(field, *args, **kwargs)

        Field.validate = noticed
        try:
            yield
        finally:
            Field.validate = validate

    def start(self) -> None:
        """Before a request: it has not reached a form yet."""
        self._seen_validate = False

    @property
    def seen(self) -> bool:
        """Whether the request since `start` reached a form's validation."""
        return self._seen_validate

    def count(self, route: str, role: str) -> None:
        """After a request to `route`: count it, and whether it reached a form's validation."""
        self.sent[route] += 1
        self.validated[route] += self._seen_validate
        self.roles.setdefault(route, set()).add(role)

    def share(self, route: str) -> float:
        return self.validated[route] / self.sent[route] if self.sent[route] else 0.0

    def report(self) -> str:
        """A table: per route, requests sent, how many reached validation, the share, the
        roles that sent them; routes with a form under WANTED_SHARE are marked with '<'."""
        lines = [f"{'route':<52} {'sent':>6} {'valid.':>6} {'share':>6}  roles"]
        for route in sorted(self.sent):
            share, validated = self.share(route), self.validated[route]
            mark = "<" if validated and share < WANTED_SHARE else " "
            lines.append(
                f"{route:<52} {self.sent[route]:>6} {validated:>6} {share:>6.0%}{mark} "
                + ",".join(sorted(self.roles[route]))
            )
        total, validated = sum(self.sent.values()), sum(self.validated.values())
        with_form = [route for route in self.sent if self.validated[route]]
        low = [route for route in with_form if self.share(route) < WANTED_SHARE]
        lines.append(
            f"{total} requests to {len(self.sent)} routes; {validated} reached validation; "
            f"{len(with_form)} routes took a form, {len(low)} of them under {WANTED_SHARE:.0%}"
        )
        return "\n".join(lines)
