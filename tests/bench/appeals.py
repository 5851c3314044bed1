"""Benchmark: the staff queue over a district's year of appeals, and the report form.

Budget (issue 5): with 57,000 buildings and 1,000,000 appeals spread over a year, a staff
queue's first page and a filtered page answer in p95 ≤ 50 ms (timed in this process with the
Flask test client); the report form's GET and its submit POST reach at least 20% and 10% of a
bare Flask hello-world's requests per second. A screen's POST (its draft written) is shown
against the hello-world too, with no budget.

The form is measured as a deployment serves it: gunicorn with 2 sync workers, loaded by wrk
with 50 connections (tests/bench/serving.py), the hello-world under the same server in the same
run: hello-world, the reference send, GET, the details screen's POST and the send in turn,
three rounds, each ratio taken to its own round's hello-world (or reference) and the median
round reported. The send is also given as a share of the reference app's
(tests/bench/reference.py: a bare Flask app doing only the send's durable work in one POST that
brings every answer, served and loaded the same way); the floor is 60% on SQLite and 50% on
PostgreSQL. A profile of the send in this process follows (cProfile). With
BENCH_COMPARE_WITH=<a checkout older than the report's drafts> (its translations compiled, its
schema a subset of this one's), that checkout's send (one POST with every answer, as it was
then) is loaded in the same rounds, served by its own code, templates and translations, and
this one's given as a share of it. What each request is:

- GET /b/<code>/report: the first screen, for 1,000 doors in turn, by a client without a
  cookie, as on a first scan. It is rendered for every request (the portal keeps no copy of
  it); it carries no form to POST and starts no session: the second screen does.
- POST /b/<code>/report, the last screen's "Send the report", as the browser sends it: the
  CSRF token, step=check and the hidden field left empty, nothing else; the answers are in the
  report's draft (portal.drafts). Before each wrk run, as many reports as the run can use are
  filled in up to their last screen (drafts written in bulk, each with its own door and phone
  number), and wrk is given one session cookie for each: the cookie of a real GET, with the
  draft added and signed again. Each cookie is used once, so that each POST files a new appeal (every answer checked again,
  the rate limits counted, the appeal, its timeline and its SMS code queued, the draft closed,
  in one transaction) and is redirected to the code screen. Each POST comes from its own
  address, as from many residents: the portal runs as README.md has it for several processes,
  behind one proxy (PORTAL_PROXY_COUNT=1, and wrk sends X-Forwarded-For) with the rate-limit
  counts in Redis (in memory if none answers). The limits keep their production values and
  count every request; none is reached, so none is raised for the benchmark. The run fails
  unless every POST filed an appeal.
- POST /b/<code>/report with step=details (the second screen's Continue: the kind of problem
  and what happened, sent as the browser sends that screen, multipart), for 1,000 doors in
  turn, with the cookie of a real GET: as a browser's first Continue, each starts and writes a
  draft and is redirected to the next screen. It tells what a screen's draft write costs; the
  run fails unless every POST wrote a draft.

Run with `make bench` (or `python -m tests.bench.appeals`); PostgreSQL is used too when it
is reachable at PORTAL_TEST_DATABASE_URL. Needs wrk (apt-get install wrk).
"""

from __future__ import annotations

import cProfile
import itertools
import math
import os
import pstats
import random
import re
import secrets
import shutil
import socket
import statistics
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import ExitStack
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from portal import create_app
from portal.accounts.models import RoleGrant, User
from portal.accounts.passwords import hash_password
from portal.appeals.models import Appeal, AppealState
from portal.appeals.tracking import ALPHABET
from portal.appeals.views.report import PURPOSE, Answers
from portal.catalogue.models import CatalogueItem
from portal.catalogue.services import seed_catalogue
from portal.db import db, make_engine, utcnow
from portal.drafts.models import Draft
from portal.drafts.web import SESSION_KEY as DRAFTS_SESSION_KEY
from portal.migrations import upgrade
from portal.permissions import Role
from portal.places.models import Building, Place, PlaceKind
from tests.bench import district, reference
from tests.bench.serving import CONNECTIONS, SECONDS, THREADS, Load, gunicorn, load
from tests.conftest import Database, dispose, make_test_app
from tests.postgres_available import postgres_available

APPEALS = int(os.environ.get("BENCH_APPEALS", 1_000_000))
OPEN_SHARE = 0.02  # appeals still being handled at any moment
REQUESTS = 200
# Rounds of hello world, the reference send, form GET, details POST and submit POST, loaded in
# turn (see report_form).
ROUNDS = 3
# The send's requests per second at least this share of the reference app's.
SEND_FLOOR = {"sqlite": 0.60, "postgres": 0.50}
# Sends profiled in this process, and the functions printed.
PROFILED = 300
TOP = 15
DOORS = 1000
PASSWORD = "benchmark passphrase"


def tracking(number: int) -> str:
    tail = ""
    for _ in range(5):
        number, digit = divmod(number, len(ALPHABET))
        tail += ALPHABET[digit]
    return f"B{number:04d}-{tail}"


def seed_appeals(app) -> tuple[float, str]:
    """A year of appeals, written in bulk; returns the seconds taken and a secretary's phone."""
    started = time.perf_counter()
    now = utcnow()
    rng = random.Random(5)
    with app.app_context():
        session = db.session
        seed_catalogue(session)
        items = list(session.execute(select(CatalogueItem.id, CatalogueItem.default_level)))
        places = {p.id: p for p in session.scalars(select(Place))}
        buildings = list(session.execute(select(Building.id, Building.grid_id)))
        # The secretary of the first community works its queue.
        community = next(p for p in places.values() if p.kind == PlaceKind.COMMUNITY)
        secretary = User(phone="13900000001", display_name="基准书记",
                         password_hash=hash_password(PASSWORD), created_at=now)  # fmt: skip
        secretary.grants.append(RoleGrant(role=Role.SECRETARY, place=community, granted_at=now))
        session.add(secretary)
        session.commit()
        rows = []
        for number in range(APPEALS):
            building_id, grid_id = rng.choice(buildings)
            item_id, level = rng.choice(items)
            grid = places[grid_id]
            queue = {1: grid.id, 2: grid.parent_id, 3: places[grid.parent_id].parent_id}[level]
            created = now - timedelta(seconds=rng.randrange(365 * 24 * 3600))
            is_open = rng.random() < OPEN_SHARE
            state = rng.choice([AppealState.RECEIVED, AppealState.ACCEPTED]) if is_open else (
                AppealState.REVIEWED if rng.random() < 0.8 else AppealState.CLOSED)  # fmt: skip
            due = created + timedelta(days=rng.choice([1, 7, 15])) if is_open else None
            rows.append({
                "tracking": tracking(number), "submission_key": f"bench-{number}",
                "building_id": building_id, "item_id": item_id, "description": "楼道堆放杂物",
                "location": "", "phone": f"137{number % 10**8:08d}", "name": "", "locale": "zh_Hans_CN",
                "urgent": False, "wants_meeting": False, "state": state, "is_open": is_open,
                "level": level, "queue_place_id": queue, "due_at": due, "sweep_at": due, "reopen_count": 0,
                "escalations": 0, "created_at": created, "received_at": created,
                "accept_due_at": created + timedelta(minutes=10), "resolve_due_at": created + timedelta(days=7),
                "resolution_note": "", "needs_callback": False,
            })  # fmt: skip
            if len(rows) == 20_000:
                session.execute(insert(Appeal), rows)
                rows = []
        if rows:
            session.execute(insert(Appeal), rows)
        session.commit()
    return time.perf_counter() - started, secretary.phone


def timings(client, url: str) -> tuple[float, float]:
    """p50 and p95 of `url`, in milliseconds."""
    spent = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        spent.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    spent.sort()
    return statistics.median(spent), spent[int(len(spent) * 0.95) - 1]


# Every request a different door.
GET_SCRIPT = """
codes = {%(codes)s}
i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/b/" .. codes[i %% #codes + 1] .. "/report")
end
"""

# The last screen's "Send the report" as a browser sends it (a plain form: that screen has no
# file field), each request with the next of the session cookies made for this run (see
# prepare_sends), one line each in %(sends)s: its door, address and cookie. wrk's threads take
# every other line. A thread with none left asks for a page that is not there, which stops the
# run, and says why.
SEND_SCRIPT = """
threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
sends = {}
function init(args)
  local line = 0
  for each in io.lines("%(sends)s") do
    if line %% %(threads)d == id then
      local door, address, cookie = each:match("(%%S+) (%%S+) (%%S+)")
      table.insert(sends, {door, address, cookie})
    end
    line = line + 1
  end
end
body = "%(body)s"
n = 0
request = function()
  n = n + 1
  local send = sends[n]
  if send == nil then
    short = true
    return wrk.format("GET", "/out-of-drafts")
  end
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "%(cookie_name)s=" .. send[3],
    ["X-Forwarded-For"] = send[2],
  }
  return wrk.format("POST", "/b/" .. send[1] .. "/report", headers, body)
end
function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    if thread:get("short") then
      print("out of drafts: more sends than reports prepared for them")
      break
    end
  end
end
"""

# The second screen's Continue as a browser sends it (multipart: that screen has the photos
# field, sent empty), with the one cookie of a real GET, for every door in turn.
DETAILS_SCRIPT = """
codes = {%(codes)s}
local file = io.open("%(body)s", "rb")
body = file:read("*a")
file:close()
headers = {
  ["Content-Type"] = "multipart/form-data; boundary=%(boundary)s",
  ["Cookie"] = "%(cookie)s",
}
i = 0
request = function()
  i = i + 1
  return wrk.format("POST", "/b/" .. codes[i %% #codes + 1] .. "/report", headers, body)
end
"""

# The send as one request with every answer in its body: the reference app's, and that of a
# BENCH_COMPARE_WITH checkout older than the report's drafts (a later one files nothing from
# it, and the count in report_form stops the run). Numbers are made of this benchmark's own
# prefix, the run (warm-up, counted) and wrk's thread, so no two requests share a submission
# key, phone or address, nor do two benchmarks one after the other.
ONE_REQUEST_SCRIPT = """
codes = {%(codes)s}
threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
prefix = %(prefix)d
run = os.time() %% 10
fixed = "%(fixed)s"
n = 0
request = function()
  n = n + 1
  local serial = string.format("%%02d%%d%%d%%05d", prefix, run, id, n %% 100000)
  local body = fixed .. "&key=wrk-" .. serial .. "&phone=13" .. serial
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "%(cookie)s",
    ["X-Forwarded-For"] = string.format("10.%%d.%%d.%%d", prefix * 2 + id, run * 25 + math.floor(n / 256) %% 25, n %% 256),
  }
  return wrk.format("POST", "/b/" .. codes[(2 * n + id) %% #codes + 1] .. "/report", headers, body)
end
"""
DESCRIPTION = "三楼楼道堆满纸箱，挡住了路"
# A send is never quicker than the reference's, which does less: drafts for this many times
# the reference's rate are more than a run of sends can use.
DRAFTS_PER_REFERENCE_SEND = 2
# Residents filling in reports, numbered from a point of their own in each benchmark: each
# gets a phone number and an address (in 10.0.0.0/8) no other report of the benchmark has.
_residents = itertools.count(random.randrange(2**24))


def served_config(url: str, folder: Path, limits: str) -> dict[str, Any]:
    """The portal configured as README.md has it for several processes: behind one proxy, rate
    limits in Redis (in each process's memory when no Redis answers)."""
    return {
        "DATABASE_URL": url, "SECRET_KEY": "benchmark", "PROXY_COUNT": 1,
        "UPLOADS_DIR": str(folder), "RATELIMIT_STORAGE_URL": limits,
    }  # fmt: skip


def prepare_sends(
    app, cookie: str, doors: list[str], item: int, count: int
) -> list[tuple[str, str, str]]:
    """`count` reports filled in up to their last screen, written as drafts in one insert, each
    at its own door (in turn) with its own phone number; for each, its door, the address it is
    sent from, and the session cookie `cookie` (a real GET's) holding its draft, signed again
    as the portal signs it."""
    now = utcnow()
    serializer = app.session_interface.get_signing_serializer(app)
    seen = serializer.loads(cookie.split("=", 1)[1])
    rows, sends = [], []
    for _ in range(count):
        resident = next(_residents) % 2**24
        door = doors[resident % len(doors)]
        answers = Answers(
            fields={"item": str(item), "description": DESCRIPTION, "phone": f"13{resident:09d}"},
            answered=["details", "contact"],
        )
        key = secrets.token_urlsafe(24)
        rows.append({"key": key, "purpose": PURPOSE, "answers": asdict(answers), "updated_at": now})
        # As portal.drafts.web remembers a draft: under "<purpose>:<door>".
        session = {**seen, DRAFTS_SESSION_KEY: {f"{PURPOSE}:{door}": key}}
        address = f"10.{resident >> 16}.{resident >> 8 & 255}.{resident & 255}"
        sends.append((door, address, serializer.dumps(session)))
    with app.app_context():
        db.session.execute(insert(Draft), rows)
        db.session.commit()
    return sends


def checked(name: str, loaded: Load, done: int, what: str) -> Load:
    """`loaded` if the requests answered and the things they made (`done`) agree."""
    # Requests still in flight when wrk stops (twice: warm-up and run), and those it gave up
    # on after 2 s, are served but not counted by wrk.
    most = loaded.requests + loaded.timeouts + 2 * CONNECTIONS
    if not loaded.requests <= done <= most:
        raise SystemExit(f"{name}: {loaded.requests} requests answered, {done} {what}")
    if loaded.timeouts:
        print(f"  {name}: {loaded.timeouts} requests took over 2 s")
    return loaded


def redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def count_rows(url: str, model) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(model))
    engine.dispose()
    return count


def appeal_count(url: str) -> int:
    return count_rows(url, Appeal)


def multipart(fields: dict[str, Any], boundary: str) -> bytes:
    """A form as a browser sends it with enctype multipart/form-data; an empty file field as
    a browser sends a file input with no file chosen."""
    parts = []
    for name, value in fields.items():
        if value is None:
            head = f'name="{name}"; filename=""\r\nContent-Type: application/octet-stream'
            value = ""
        else:
            head = f'name="{name}"'
        parts.append(f"--{boundary}\r\nContent-Disposition: form-data; {head}\r\n\r\n{value}\r\n")
    return ("".join(parts) + f"--{boundary}--\r\n").encode()


def browser(base: str, path: str) -> tuple[str, str]:
    """A resident's browser after a GET of `path`: its session cookie and the form's CSRF token."""
    with urllib.request.urlopen(base + path) as response:
        page = response.read()
        [cookie] = [
            each.split(";", 1)[0]
            for each in response.headers.get_all("Set-Cookie")
            if each.startswith("portal_session=")
        ]
    return cookie, re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()


def other_checkout() -> Path | None:
    """BENCH_COMPARE_WITH: another checkout (an older commit, say) whose POST is loaded too."""
    path = os.environ.get("BENCH_COMPARE_WITH")
    if not path:
        return None
    other = Path(path).resolve()
    if not any((other / "translations").glob("*/LC_MESSAGES/messages.mo")):
        raise SystemExit(f"{other}: run `make translations` there first")
    return other


def report_form(url: str, codes: list[str], item: int, folder: Path) -> dict[str, Any]:
    """Requests per second of the hello-world, the reference app's send (tests/bench/reference.py),
    the form's first screen, its second screen's POST and its send, and the send of
    BENCH_COMPARE_WITH's checkout.

    They are loaded in turn, ROUNDS times, and each round's ratios are kept: this machine's
    speed drifts by a tenth or more from one minute to the next, and a hello-world measured
    minutes apart would carry that drift into the ratio. The median round is reported."""
    listed = ",".join(f'"{code}"' for code in codes)
    get_script = Path(folder) / "report-get.lua"
    get_script.write_text(GET_SCRIPT % {"codes": listed})
    limits = "redis://127.0.0.1:6379" if redis_available() else "memory://"
    config = served_config(url, folder, limits)
    env = {f"PORTAL_{name}": str(value) for name, value in config.items()}
    reference.create_tables(url)
    reference_env = {
        "REFERENCE_DATABASE_URL": url,
        "REFERENCE_LIMITS_URL": limits,
        "REFERENCE_KEY_PREFIX": f"reference-{random.randrange(10**8)}",
    }
    other = other_checkout()
    # Each one-request load its own prefix: no two share a submission key, phone or address.
    prefixes = iter(random.sample(range(100), 3 * ROUNDS))
    # The portal as served, in this process: it writes the drafts and signs the cookies.
    app = create_app({**config, "SCAN_FLUSH_SECONDS": None})
    rounds = []
    with ExitStack() as servers:
        hello = servers.enter_context(gunicorn("tests.bench.hello:app", {}))
        ref = servers.enter_context(gunicorn("tests.bench.reference:create_app()", reference_env))
        base = servers.enter_context(gunicorn("portal:create_app()", env))
        posts = {"post": base, "reference": ref}
        if other is not None:
            # Its own code, templates and translations (its folder first on the import path),
            # and its own rate-limit counts.
            posts["other"] = servers.enter_context(
                gunicorn(
                    "portal:create_app()",
                    {**env, "PYTHONPATH": str(other), "PORTAL_RATELIMIT_KEY_PREFIX": "other"},
                    cwd=other,
                )
            )
        # A resident's browser on each: the form with its CSRF token and the session cookie
        # holding it, as the second screen (the first screen's answer) gives them.
        browsers = {
            name: browser(server, f"/b/{codes[0]}/report?step=item&item={item}")
            for name, server in posts.items()
        }
        # The weight is the first screen's, the heaviest (every kind of problem is on it).
        with urllib.request.urlopen(f"{base}/b/{codes[0]}/report") as response:
            first = response.read()
        css = re.findall(rb'href="(/static/[^"]+)"', first) + re.findall(
            rb'src="(/static/[^"]+)"', first
        )
        weight = len(first) + sum(
            len(urllib.request.urlopen(base + path.decode()).read()) for path in css
        )

        cookie, token = browsers["post"]
        boundary = "----benchmarkFormBoundary7MA4YWxk"
        details_body = Path(folder) / "report-details.body"
        details_body.write_bytes(multipart({
            "csrf_token": token, "step": "details", "item": item, "website": "",
            "description": DESCRIPTION, "location": "", "photos": None,
        }, boundary))  # fmt: skip
        details_script = Path(folder) / "report-details.lua"
        details_script.write_text(
            DETAILS_SCRIPT
            % {"codes": listed, "body": details_body, "boundary": boundary, "cookie": cookie}
        )

        def details() -> Load:
            before = count_rows(url, Draft)
            loaded = load(base, details_script)
            return checked("details", loaded, count_rows(url, Draft) - before, "drafts written")

        def send(rate: float) -> Load:
            """This checkout's sends, each with a draft of its own; `rate` is a bound on their
            requests per second."""
            sends_file = Path(folder) / "report-sends.txt"
            script = Path(folder) / "report-send.lua"
            script.write_text(SEND_SCRIPT % {
                "sends": sends_file, "threads": THREADS, "cookie_name": cookie.split("=", 1)[0],
                "body": urllib.parse.urlencode({"csrf_token": token, "step": "check", "website": ""}),
            })  # fmt: skip

            def prepared(seconds: int) -> Path:
                # And one more for each connection, however slow the bound.
                count = math.ceil(rate * seconds) + CONNECTIONS
                sends = prepare_sends(app, cookie, codes, item, count)
                sends_file.write_text("".join(f"{door} {address} {signed}\n"
                                              for door, address, signed in sends))  # fmt: skip
                return script

            before = appeal_count(url)
            loaded = load(base, prepared)
            return checked("post", loaded, appeal_count(url) - before, "appeals filed")

        def send_in_one(name: str) -> Load:
            """The send in one request with every answer (see ONE_REQUEST_SCRIPT)."""
            cookie, token = browsers[name]
            fixed = urllib.parse.urlencode({
                "csrf_token": token, "step": "check", "photos_kept": "", "item": item,
                "description": DESCRIPTION, "website": "",
            })  # fmt: skip
            script = Path(folder) / f"report-post-{name}.lua"
            script.write_text(
                ONE_REQUEST_SCRIPT
                % {"codes": listed, "fixed": fixed, "cookie": cookie, "prefix": next(prefixes)}
            )
            count = reference.count_appeals if name == "reference" else appeal_count
            before = count(url)
            loaded = load(posts[name], script)
            return checked(name, loaded, count(url) - before, "appeals filed")

        # The two checkouts' sends one after the other, in turns: first one, then the other.
        sends = ["post", "other"] if other is not None else ["post"]
        for number in range(ROUNDS):
            each = {"hello": load(hello + "/").rate, "reference": send_in_one("reference").rate}
            each["get"] = load(base, get_script).rate
            each["details"] = details().rate
            for name in sends if number % 2 == 0 else sends[::-1]:
                if name == "post":
                    submit = send(DRAFTS_PER_REFERENCE_SEND * each["reference"])
                    each["filed"] = submit.requests
                else:
                    submit = send_in_one(name)
                each[name] = submit.rate
            rounds.append(each)
    dispose(app)
    middle = {
        figure: statistics.median(each[figure] / each["hello"] for each in rounds)
        for figure in ("get", "details", "post", "reference")
    }
    middle["send"] = statistics.median(each["post"] / each["reference"] for each in rounds)
    if other is not None:
        middle["other"] = statistics.median(each["post"] / each["other"] for each in rounds)
    return {
        "rounds": rounds, "ratios": middle, "weight": weight, "other": other,
        "filed": sum(each["filed"] for each in rounds),
        "limits": "Redis" if limits.startswith("redis") else "memory (no Redis answered)",
    }  # fmt: skip


def profile_send(url: str, codes: list[str], item: int, folder: Path) -> None:
    """Where the send's time goes: PROFILED sends in this process (Flask's test client, the
    portal configured as served), under cProfile; the functions taking the most time, callees
    included (cProfile slows Python code more than waiting, so the shares are rough). Each
    send is the last screen's, with a session cookie of its own holding its draft, as under
    wrk."""
    limits = "redis://127.0.0.1:6379" if redis_available() else "memory://"
    app = create_app({
        **served_config(url, folder, limits),
        "RATELIMIT_KEY_PREFIX": f"profile-{random.randrange(10**8)}", "SCAN_FLUSH_SECONDS": None,
    })  # fmt: skip
    client = app.test_client()
    page = client.get(f"/b/{codes[0]}/report?step=item&item={item}").data
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    # Twenty doors in turn: their facts are kept from the warm-up on, as under wrk, where each
    # door comes back within seconds.
    prepared = prepare_sends(
        app, f"{cookie.key}={cookie.value}", codes[:20], item, 50 + 2 * PROFILED
    )

    def sends(first: int, count: int) -> None:
        for door, address, signed in prepared[first : first + count]:
            client.set_cookie(app.config["SESSION_COOKIE_NAME"], signed)
            response = client.post(
                f"/b/{door}/report",
                data={"csrf_token": token, "step": "check", "website": ""},
                headers={"X-Forwarded-For": address},
            )
            assert response.status_code == 302, response.status_code
            assert "/confirm" in response.location, response.location

    sends(0, 50)  # warm-up: statements compiled, connections made
    started = time.perf_counter()
    sends(50, PROFILED)
    plain = (time.perf_counter() - started) / PROFILED
    profiler = cProfile.Profile()
    profiler.runcall(sends, 50 + PROFILED, PROFILED)
    dispose(app)
    # (file, line, function) -> (calls, calls, own time, time with callees, callers)
    entries = pstats.Stats(profiler).stats
    total = max(entry[3] for entry in entries.values())
    # The test client's frames are not the send's. Of a function called by the one before it
    # and taking nearly all its time (a wrapper and what it wraps), the callee is shown.
    top: list[tuple[float, tuple[str, int, str]]] = []
    for spent, key in sorted(((entry[3], key) for key, entry in entries.items()), reverse=True):
        if any(outside in key[0] for outside in ("werkzeug/test.py", "flask/testing.py", "bench/")):
            continue
        if top and spent > 0.97 * top[-1][0] and top[-1][1] in entries[key][4]:
            top[-1] = (spent, key)
        elif len(top) < TOP:
            top.append((spent, key))
    print(f"  where the send's time goes: {PROFILED} sends in this process, {plain * 1000:.2f} ms "
          f"each unprofiled; the {TOP} functions taking most, callees included (cProfile; of a "
          f"wrapper the function it wraps):")  # fmt: skip
    for spent, (file, line, function) in top:
        where = re.sub(r".*/(site-packages|tests|portal)/", r"\1/", file)
        print(f"    {spent / total:6.1%}  {function} ({where}:{line})")


def run(name: str, url: str, folder: Path) -> None:
    app = make_test_app(url, RATELIMIT_STORAGE_URL="memory://", WTF_CSRF_ENABLED=False)
    with app.app_context(), db.engine.begin() as connection:
        upgrade(connection)
    built = district.build(app)
    seeded, secretary = seed_appeals(app)
    print(f"{name}: district {built['places'] + built['import']:.0f} s, "
          f"{APPEALS:,} appeals {seeded:.0f} s")  # fmt: skip

    client = app.test_client()
    response = client.post("/staff/sign-in", data={"phone": secretary, "password": PASSWORD})
    assert response.status_code == 302
    first = timings(client, "/staff/appeals")
    filtered = timings(client, "/staff/appeals?level=2&overdue=1")
    print(
        f"  staff queue, first page:    p50 {first[0]:.1f} ms, p95 {first[1]:.1f} ms (budget p95 ≤ 50 ms)"
    )
    print(f"  staff queue, filtered page: p50 {filtered[0]:.1f} ms, p95 {filtered[1]:.1f} ms")  # fmt: skip

    with app.app_context():
        codes = list(
            db.session.scalars(select(Building.public_code).order_by(Building.id).limit(DOORS))
        )
        item = db.session.scalar(
            select(CatalogueItem.id).where(CatalogueItem.code == "rubbish-in-corridor")
        )
    dispose(app)

    figures = report_form(url, codes, item, folder)
    ratios = figures["ratios"]
    other = figures["other"]
    print(f"  report form, gunicorn 2 workers, wrk {CONNECTIONS} connections, {SECONDS} s each, "
          f"{ROUNDS} rounds of hello world, reference send, form GET, details POST and submit "
          f"POST{' and the other checkout' if other else ''} in turn:")  # fmt: skip
    for number, each in enumerate(figures["rounds"], 1):
        print(f"    round {number}: hello world {each['hello']:,.0f}/s, "
              f"reference {each['reference']:,.0f}/s, form GET {each['get']:,.0f}/s, "
              f"details POST {each['details']:,.0f}/s, "
              f"submit POST {each['post']:,.0f}/s = {each['post'] / each['reference']:.1%} of the "
              f"reference" + (f", other checkout's POST {each['other']:,.0f}/s" if other else ""))  # fmt: skip
    print(f"    form GET:           {ratios['get']:.1%} of hello world, median of the rounds "
          f"(budget ≥ 20%); {DOORS:,} doors in turn, no cookie")  # fmt: skip
    print(f"    details POST:       {ratios['details']:.1%} of hello world, median of the rounds; "
          f"the second screen sent, a new draft written each time, redirected to the next")  # fmt: skip
    print(f"    submit POST:        {ratios['post']:.1%} of hello world, median of the rounds "
          f"(budget ≥ 10%); {figures['filed']:,} appeals filed, each from its own draft, address "
          f"and phone; rate limits as in production, counted in {figures['limits']}")  # fmt: skip
    floor = SEND_FLOOR[name]
    print(f"    submit POST:        {ratios['send']:.1%} of the reference app's send "
          f"(tests/bench/reference.py), median of the rounds (floor ≥ {floor:.0%}); "
          f"the reference is {ratios['reference']:.1%} of hello world")  # fmt: skip
    if other:
        print(f"    submit POST:        {ratios['other']:.1%} of {other}'s, median of the rounds")
    print(f"    form page weight:   {figures['weight'] / 1024:.1f} KB HTML+CSS+JS (budget 60 KB)")
    profile_send(url, codes, item, folder)
    if ratios["send"] < floor:
        print(
            f"  submit POST: UNDER THE FLOOR ({ratios['send']:.1%} of the reference, floor {floor:.0%})"
        )


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    kinds = ["sqlite"] + (["postgres"] if postgres_available() else [])
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as folder:
        for kind in kinds:
            database = Database(kind, Path(folder))
            try:
                run(kind, database.new_url(), Path(folder))
            finally:
                database.drop_all()


if __name__ == "__main__":
    main()
