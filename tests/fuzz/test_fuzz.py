"""Hostile requests to every route, as every role that reaches it: never a 5xx, never a
traceback in the log.

Every URL rule of the app is a test of its own. Its targets are what the portal's pages show
each role (tests/fuzz/conftest.py): the URL, the forms that post to it and the query
arguments its links carry; hypothesis then sends them hostile values (tests/fuzz/hostile.py)
with a valid session and CSRF token. A new feature is fuzzed by being routed: its pages are
found by opening every GET route, and a new URL argument only needs a value in make_world.

    make test                       derandomised, EXAMPLES requests a route, about a minute a database
    make fuzz                       randomised, FUZZ_SECONDS (default 600) a database, prints the
                                    share of requests per route that reached form validation
    FUZZ_REPORT=1 .venv/bin/python -m pytest --db=postgres -p no:cacheprovider tests/fuzz
                                    the derandomised run, printing that share too

Whatever `make fuzz` finds is pinned in tests/fuzz/pinned.py, under its route, as hypothesis
prints it ("Falsifying example: attempt(request=Request(...))"); every run then sends it first,
as an `@example`.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings

from tests.conftest import dispose, make_test_app
from tests.fuzz import hostile
from tests.fuzz.conftest import Fuzzer, route_keys
from tests.fuzz.hostile import Request
from tests.fuzz.pinned import PINNED

# Requests a route gets in `make test`, the same ones on every run.
EXAMPLES = 8
# Seconds a database gets in `make fuzz`, shared among the routes.
FUZZ_SECONDS = float(os.environ.get("FUZZ_SECONDS", "0"))

QUIET = {
    "deadline": None,
    "database": None,
    "suppress_health_check": list(HealthCheck),
    "print_blob": False,
}
# No shrinking in `make test`: a pinned or newly found failure is shown as found, quickly.
DERANDOMISED = settings(
    derandomize=True, max_examples=EXAMPLES, phases=[Phase.explicit, Phase.generate], **QUIET
)
RANDOMISED = settings(max_examples=100, **QUIET)


def served_routes() -> list[str]:
    with tempfile.TemporaryDirectory(prefix="portal-fuzz-") as workdir:
        app = make_test_app(f"sqlite:///{Path(workdir) / 'routes.sqlite'}")
        routes = route_keys(app)
        dispose(app)
    return routes


ROUTES = served_routes()


@pytest.mark.parametrize("route", ROUTES)
def test_no_hostile_request_gets_a_5xx_or_a_traceback(fuzzer: Fuzzer, route: str):
    @given(request=hostile.requests(fuzzer.targets_for(route)))
    def attempt(request: Request) -> None:
        fuzzer.send(route, request)

    for pinned in PINNED.get(route, ()):
        attempt = example(request=pinned)(attempt)
    if not FUZZ_SECONDS:
        DERANDOMISED(attempt)()
        return
    stop = time.monotonic() + FUZZ_SECONDS / len(ROUTES)
    while time.monotonic() < stop:
        RANDOMISED(attempt)()
