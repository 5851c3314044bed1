"""Benchmark: the door page /b/<code> under gunicorn against a bare Flask hello-world.

Budget (issue 3): the page's HTML and CSS at most 30 KB, no request to another host, and at
least 40% of the hello-world's requests per second, both served by gunicorn with 2 sync
workers and loaded by wrk with 50 connections in the same run, on the demo district.

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


def wrk(url: str) -> float:
    subprocess.run(
        ["wrk", "-t2", "-c", str(CONNECTIONS), "-d", "2s", url], check=True, capture_output=True
    )
    output = subprocess.run(
        ["wrk", "-t2", "-c", str(CONNECTIONS), "-d", f"{SECONDS}s", "--latency", url],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} error responses\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


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
            code = db.session.scalar(select(Building.public_code).order_by(Building.id))
        app.extensions["portal.db"].engine.dispose()

        with gunicorn("tests.bench.hello:app", {}) as url:
            hello = wrk(url + "/")
        env = {"PORTAL_DATABASE_URL": database, "PORTAL_SECRET_KEY": "benchmark"}
        with gunicorn("portal:create_app()", env) as url:
            page = urllib.request.urlopen(f"{url}/b/{code}").read()
            css = urllib.request.urlopen(
                url + re.search(rb'href="(/static/css/[^"]+)"', page).group(1).decode()
            ).read()
            outside = re.findall(rb'(?:src|href)="((?:https?:)?//[^"]+)"', page)
            door = wrk(f"{url}/b/{code}")

    print(f"door page /b/{code}: {len(page) / 1024:.1f} KB HTML + {len(css) / 1024:.1f} KB CSS = "
          f"{(len(page) + len(css)) / 1024:.1f} KB (budget 30 KB); requests to other hosts: {len(outside)}")  # fmt: skip
    print(f"gunicorn, 2 workers, wrk {CONNECTIONS} connections, {SECONDS} s each:")
    print(f"  hello world: {hello:,.0f} requests/s")
    print(
        f"  door page:   {door:,.0f} requests/s = {door / hello:.0%} of hello world (budget: at least 40%)"
    )


if __name__ == "__main__":
    main()
