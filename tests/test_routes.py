"""Every URL the portal answers, and with which methods, is the one in tests/routes.txt.

A door's QR code, an SMS, a bookmark or the gateway's receipts may carry any of these addresses
for years, so a refactor must not move one. Endpoint names are left out on purpose: they are
the code's own business and may change. When a route is added, removed or moved on purpose,
regenerate the list and commit it with the change:

    .venv/bin/python -m tests.test_routes > tests/routes.txt
"""

from __future__ import annotations

import difflib
import tempfile
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from tests.conftest import dispose, make_test_app
from tests.gateway import SECRET

ROUTES_FILE = Path(__file__).with_name("routes.txt")
REGENERATE = "python -m tests.test_routes > tests/routes.txt"
# The SMS provider decides two blueprints, and no one app has both: the development pages
# (/dev/messages) only with the `log` provider and DEV_PAGES, as the tests' app is set up;
# the gateway's delivery receipts only with the `http` provider (as tests.gateway's
# http_settings sets it; the gateway is never called, so any address does).
CONFIGURATIONS: dict[str, dict] = {
    "log provider, development pages": {},
    "http provider, receipts": {
        "NOTIFICATIONS_PROVIDER": "http",
        "SMS_GATEWAY_URL": "http://127.0.0.1:9/send",
        "SMS_GATEWAY_SECRET": SECRET,
        "SMS_GATEWAY_TIMEOUT": 0.5,
    },
}
# Every rule answers these by itself; listing them would only add noise.
IMPLIED_METHODS = {"HEAD", "OPTIONS"}


def route_lines(apps: list[Flask]) -> list[str]:
    """`rule METHODS` for every rule of the apps, sorted, without duplicates."""
    lines = set()
    for app in apps:
        for rule in app.url_map.iter_rules():
            methods = ",".join(sorted(set(rule.methods or ()) - IMPLIED_METHODS))
            lines.add(f"{rule.rule} {methods}")
    return sorted(lines)


def routes_with(make_app: Callable[..., Flask]) -> list[str]:
    return route_lines([make_app(**overrides) for overrides in CONFIGURATIONS.values()])


def test_no_url_moves(fresh_app):
    expected = ROUTES_FILE.read_text(encoding="utf-8").splitlines()
    actual = routes_with(fresh_app)
    if actual != expected:
        diff = "\n".join(
            difflib.unified_diff(
                expected, actual, "tests/routes.txt", "the app's routes", lineterm=""
            )
        )
        raise AssertionError(
            "The portal's URLs differ from tests/routes.txt (- listed there, + served now):\n"
            f"{diff}\n"
            "A URL that was published must not move. If this change is meant, regenerate the "
            f"list with `{REGENERATE}` and commit it."
        )


def test_the_list_covers_both_providers_blueprints(fresh_app):
    lines = routes_with(fresh_app)
    assert any(line.startswith("/dev/") for line in lines)
    assert any("receipt" in line for line in lines)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="portal-routes-") as workdir:
        made = []

        def make(**overrides) -> Flask:
            url = f"sqlite:///{Path(workdir) / f'routes-{len(made)}.sqlite'}"
            made.append(make_test_app(url, **overrides))
            return made[-1]

        try:
            lines = routes_with(make)
        finally:
            for app in made:
                dispose(app)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
