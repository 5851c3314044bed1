"""Benchmark: the door page /b/<code> under gunicorn against a bare Flask hello-world.

Budget (issue 3): the page's HTML and CSS at most 30 KB, no request to another host, and at
least 40% of the hello-world's requests per second, both served by gunicorn with 2 sync
workers and loaded by wrk with 50 connections in the same run, on the demo district. The
cold figure (every request renders the page: its door was not scanned in the last minute)
is printed too, since on a district of tens of thousands of doors most scans are cold.

Run with `make bench` (or `python -m tests.bench.door_page`); needs wrk (apt-get install wrk).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select

from portal.db import db, utcnow
from portal.demo.services import seed_demo
from portal.migrations import upgrade
from portal.places.models import Building
from tests.conftest import ROOT_DIR, make_test_app

SECONDS = 10
CONNECTIONS = 50


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str]):
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
        "--no-control-socket", "--log-level", "warning", app_spec,
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT_DIR, env={**os.environ, **env})
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


def wrk(url: str, script: Path | None = None) -> float:
    """Requests per second after a two-second warm-up; any error response stops the run."""
    command = ["wrk", "-t2", "-c", str(CONNECTIONS)] + (["-s", str(script)] if script else [])
    subprocess.run([*command, "-d", "2s", url], check=True, capture_output=True)
    run = subprocess.run(
        [*command, "-d", f"{SECONDS}s", url], check=True, capture_output=True, text=True
    )
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", run.stdout)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} error responses\n{run.stdout}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", run.stdout).group(1))


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as folder:
        database = f"sqlite:///{folder}/door.db"
        app = make_test_app(database)
        with app.app_context():
            with db.engine.begin() as connection:
                upgrade(connection)
            seed_demo(db.session, now=utcnow())
            db.session.commit()
            codes = list(db.session.scalars(select(Building.public_code).order_by(Building.id)))
        app.extensions["portal.db"].engine.dispose()
        code = codes[0]
        # A wrk script that asks for every building's door in turn.
        rotation = Path(folder) / "rotate.lua"
        rotation.write_text(
            "codes = {" + ",".join(f'"{each}"' for each in codes) + "}\n"
            "i = 0\n"
            'request = function() i = i + 1; return wrk.format("GET", "/b/" .. codes[i % #codes + 1]) end\n'
        )

        with gunicorn("tests.bench.hello:app", {}) as url:
            hello = wrk(url + "/")
        env = {"PORTAL_DATABASE_URL": database, "PORTAL_SECRET_KEY": "benchmark"}
        with gunicorn("portal:create_app()", env) as url:
            page = urllib.request.urlopen(f"{url}/b/{code}").read()
            css_path = re.search(rb'href="(/static/css/[^"]+)"', page).group(1).decode()
            css = urllib.request.urlopen(url + css_path).read()
            outside = re.findall(rb'(?:src|href)="((?:https?:)?//[^"]+)"', page)
            door = wrk(f"{url}/b/{code}")
        # Every request a miss: the page rendered and its facts read from the database.
        with gunicorn("portal:create_app()", {**env, "PORTAL_PAGE_CACHE_SECONDS": "0"}) as url:
            cold = wrk(url, rotation)

    weight = len(page) + len(css)
    print(f"door page /b/{code}: {len(page) / 1024:.1f} KB HTML + {len(css) / 1024:.1f} KB CSS = "
          f"{weight / 1024:.1f} KB (budget 30 KB); requests to other hosts: {len(outside)}")  # fmt: skip
    print(f"gunicorn, 2 workers, wrk {CONNECTIONS} connections, {SECONDS} s each:")
    print(f"  hello world: {hello:,.0f} requests/s")
    print(
        f"  door page:   {door:,.0f} requests/s = {door / hello:.0%} of hello world (budget: at least 40%)"
    )
    print(f"  door page rendered every time, {len(codes)} doors in turn: {cold:,.0f} requests/s = "
          f"{cold / hello:.0%} of hello world (the cost of a door not scanned in the last minute)")  # fmt: skip
    if door / hello < 0.40 or weight > 30 * 1024 or outside:
        raise SystemExit("door page: OVER BUDGET")


if __name__ == "__main__":
    main()
