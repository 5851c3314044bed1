"""Serving for benchmarks: the portal (or the hello-world yardstick) under gunicorn, loaded by wrk.

Both are measured the way a deployment sees them: gunicorn with 2 sync workers, wrk with 50
connections on 2 threads, a two-second warm-up, then ten seconds counted.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT_DIR

SECONDS = 10
CONNECTIONS = 50
THREADS = 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str], cwd: Path = ROOT_DIR):
    """Serve `app_spec` (imported from `cwd`) on a free port; yields its base URL once it answers."""
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
        "--no-control-socket", "--log-level", "warning", app_spec,
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=cwd, env={**os.environ, **env})
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/", timeout=1).close()
                break
            except OSError as error:
                if getattr(error, "code", None):  # Any HTTP answer means it is up.
                    break
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@dataclass(frozen=True)
class Load:
    rate: float  # requests per second over the counted run
    requests: int  # responses received, warm-up included
    # Requests wrk gave up on after its 2 s timeout (the server may still have served them).
    timeouts: int = 0


def load(url: str, script: Path | Callable[[int], Path] | None = None) -> Load:
    """Load `url` with wrk after a two-second warm-up; any error response stops the run.

    `script` is wrk's Lua script, or a function of a run's seconds that makes the script for
    that run: for requests that each use up something made for them (a report's draft)."""
    command = ["wrk", f"-t{THREADS}", "-c", str(CONNECTIONS)]
    requests = timeouts = 0
    for seconds in (2, SECONDS):
        made = script(seconds) if callable(script) else script
        run = subprocess.run(
            [*command, *(["-s", str(made)] if made else []), "-d", f"{seconds}s", url],
            check=True,
            capture_output=True,
            text=True,
        )
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", run.stdout)
        if errors:
            raise SystemExit(f"{url}: {errors.group(1)} error responses\n{run.stdout}")
        requests += int(re.search(r"(\d+) requests in", run.stdout).group(1))
        late = re.search(r"timeout (\d+)", run.stdout)
        timeouts += int(late.group(1)) if late else 0
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", run.stdout).group(1))
    return Load(rate, requests, timeouts)
