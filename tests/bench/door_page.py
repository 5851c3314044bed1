"""Benchmark: the door page /b/<code> under gunicorn against a bare Flask hello-world.

Budget (issue 3): the page's HTML and CSS at most 30 KB, no request to another host, and at
least 40% of the hello-world's requests per second, both served by gunicorn with 2 sync
workers and loaded by wrk with 50 connections in the same run, on the demo district. The
cold figure (every request renders the page: its door was not scanned in the last minute)
is printed too, since on a district of tens of thousands of doors most scans are cold.

Run with `make bench` (or `python -m tests.bench.door_page`); needs wrk (apt-get install wrk).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import urllib.request
from pathlib import Path

from sqlalchemy import select

from portal.db import db, utcnow
from portal.demo.services import seed_demo
from portal.migrations import upgrade
from portal.places.models import Building
from tests.bench.serving import CONNECTIONS, SECONDS, gunicorn, load
from tests.conftest import make_test_app


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
            hello = load(url + "/").rate
        env = {"PORTAL_DATABASE_URL": database, "PORTAL_SECRET_KEY": "benchmark"}
        with gunicorn("portal:create_app()", env) as url:
            page = urllib.request.urlopen(f"{url}/b/{code}").read()
            css_path = re.search(rb'href="(/static/css/[^"]+)"', page).group(1).decode()
            css = urllib.request.urlopen(url + css_path).read()
            outside = re.findall(rb'(?:src|href)="((?:https?:)?//[^"]+)"', page)
            door = load(f"{url}/b/{code}").rate
        # Every request a miss: the page rendered and its facts read from the database.
        with gunicorn("portal:create_app()", {**env, "PORTAL_PAGE_CACHE_SECONDS": "0"}) as url:
            cold = load(url, rotation).rate

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
