"""`make run PORT=…`: the port served and the address on posters, SMS and tracking pages agree.

The recipe runs for real, with stand-ins for the virtual environment's programs that write down
how they were called and with which PORTAL_BASE_URL.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Like the real worker, the stand-in for it runs until SIGTERM, then exits cleanly; the server's
# stand-in stops once the worker is ready for that signal.
STAND_IN = """#!/bin/sh
if [ "$*" = "--app portal worker" ]; then
    trap 'exit 0' TERM
    echo "$PORTAL_BASE_URL | $(basename "$0") $*" >> "{calls}"
    while :; do sleep 0.1; done
fi
echo "$PORTAL_BASE_URL | $(basename "$0") $*" >> "{calls}"
case "$*" in *" run "*)
    until grep -q "flask --app portal worker" "{calls}"; do sleep 0.1; done
esac
"""


def make_run(tmp_path: Path, *settings: str, environment: dict[str, str] | None = None):
    """Run `make run` on a stand-in virtual environment; return the calls it made."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    calls = tmp_path / "calls"
    for program in ("python", "pybabel", "flask"):
        stand_in = venv / "bin" / program
        stand_in.write_text(STAND_IN.format(calls=calls))
        stand_in.chmod(0o755)
    (venv / ".installed-run").touch()  # newer than pyproject.toml: nothing to install
    env = {k: v for k, v in os.environ.items() if k not in ("PORT", "PORTAL_BASE_URL")}
    env.update(environment or {})
    subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), "run", f"VENV={venv}", *settings],
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    return calls.read_text().splitlines()


@pytest.mark.parametrize(
    ("settings", "environment", "port", "base_url"),
    [
        ((), {}, "5000", "http://127.0.0.1:5000"),
        (("PORT=8123",), {}, "8123", "http://127.0.0.1:8123"),
        (("PORT=8123",), {"PORTAL_BASE_URL": "http://192.168.1.20:8123"}, "8123",
         "http://192.168.1.20:8123"),
    ],
)  # fmt: skip
def test_make_run_serves_the_port_that_the_base_url_names(
    tmp_path, settings, environment, port, base_url
):
    calls = make_run(tmp_path, *settings, environment=environment)

    served = f"{base_url} | flask --app portal run --host 127.0.0.1 --port {port}"
    assert served in calls
    # The demo seed prints the address, the worker's SMS carry it: every step sees the same.
    assert f"{base_url} | flask --app portal db upgrade" in calls
    assert f"{base_url} | flask --app portal demo seed" in calls
    assert f"{base_url} | flask --app portal worker" in calls
    assert all(call.startswith(f"{base_url} | ") for call in calls)
