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
from tests.fuzz.conftest import GATEWAY_SETTINGS, Fuzzer, route_keys
from tests.fuzz.hostile import Request
from tests.fuzz.pinned import PINNED

# Requests in `make test`, the same ones on every run: a route gets at least EXAMPLES, and
# every role that reaches it at least EXAMPLES_PER_ROLE of them.
EXAMPLES = 6
EXAMPLES_PER_ROLE = 2
# Seconds a database gets in `make fuzz`, shared among the routes.
FUZZ_SECONDS = float(os.environ.get("FUZZ_SECONDS", "0"))

QUIET = {
    "deadline": None,
    "database": None,
    "suppress_health_check": list(HealthCheck),
    "print_blob": False,
}
# No shrinking: a failure is shown as found. Shrinking a request that failed takes hundreds
# more, half a minute or more each, which neither run has to spare; the requests print short
# enough to read and to pin as they are.
FOUND_AS_IS = [Phase.explicit, Phase.generate]
DERANDOMISED = settings(derandomize=True, phases=FOUND_AS_IS, **QUIET)
# Short runs, so that a route overruns its share of FUZZ_SECONDS by a second at most.
RANDOMISED = settings(max_examples=20, phases=FOUND_AS_IS, **QUIET)


def served_routes() -> list[str]:
    """Every route of the portal: those of the app as tests run it, and the SMS gateway's."""
    with tempfile.TemporaryDirectory(prefix="portal-fuzz-") as workdir:
        url = f"sqlite:///{Path(workdir) / 'routes.sqlite'}"
        apps = [make_test_app(url), make_test_app(url, **GATEWAY_SETTINGS)]
        routes = sorted({route for app in apps for route in route_keys(app)})
        for app in apps:
            dispose(app)
    return routes


ROUTES = served_routes()


@pytest.mark.parametrize("route", ROUTES)
def test_no_hostile_request_gets_a_5xx_or_a_traceback(fuzzer: Fuzzer, route: str):
    targets = fuzzer.targets_for(route)
    pinned = PINNED.get(route, [])
    if FUZZ_SECONDS:
        # Runs of RANDOMISED.max_examples requests, each from a new seed, until the route's
        # share of FUZZ_SECONDS is spent.
        attempts = RANDOMISED(fuzzing(fuzzer, route, targets, pinned))
        stop = time.monotonic() + FUZZ_SECONDS / len(ROUTES)
        while time.monotonic() < stop:
            attempts()
        return
    # Every role that reaches the route, in every run; a pinned request with its role.
    roles = sorted({target.role for target in targets})
    each = max(EXAMPLES_PER_ROLE, -(-EXAMPLES // len(roles)))
    for role in roles:
        own = [target for target in targets if target.role == role]
        own_pinned = [
            request
            for request in pinned
            if request.role == role or (role == roles[0] and request.role not in roles)
        ]
        settings(DERANDOMISED, max_examples=each)(fuzzing(fuzzer, route, own, own_pinned))()


def fuzzing(fuzzer: Fuzzer, route: str, targets: list[hostile.Target], pinned: list[Request]):
    """A hypothesis test of `route` at `targets`, that sends the `pinned` requests first."""

    @given(request=hostile.requests(targets))
    def attempt(request: Request) -> None:
        fuzzer.send(route, request, counted=request not in pinned)

    for request in pinned:
        attempt = example(request=request)(attempt)
    return attempt
