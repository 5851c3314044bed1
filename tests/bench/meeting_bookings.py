"""Benchmark: a resident's legal service day booking, against a reference app doing only the
booking's durable work.

Budget (issue 19): the portal's booking POST reaches at least 60% of the requests per second
of the reference app (tests/bench/booking_reference.py: a bare Flask app with Flask-WTF's
CSRF on that, in one transaction, reads the signed-in user, locks the host's day, reads the
day's live bookings and writes the booking and its event row, then redirects), on SQLite and,
when it answers at PORTAL_TEST_DATABASE_URL, PostgreSQL. Both are given as a share of a bare
Flask hello-world too.

The district: 10 streets of 30 communities, each with one legal adviser whose legal schedule
(for the benchmark) receives every day 08:00–20:00 in 20-minute slots, 14 days ahead, so that
thousands of times are free; and RESIDENTS resident accounts (BENCH_RESIDENTS), their phones
proved. The tables are the portal's, migrated; the reference writes into them too.

All three are measured as a deployment serves them: gunicorn with 2 sync workers, loaded by
wrk with 50 connections (tests/bench/serving.py): hello-world, the reference's booking and the
portal's booking in turn, three rounds, each ratio taken to its own round's figures and the
median round reported (this machine's speed drifts from one minute to the next). What each
booking request is:

- POST /c/<community code>/legal/<schedule_id>/book, as the browser sends the booking form:
  the CSRF token, the chosen `start` (seconds since 1970) and the `about` text. Each request
  books a distinct free slot for a distinct signed-in resident: before each wrk run, as many
  (resident, free slot, address) as the run can use are taken from those not yet used, and
  each resident gets the session cookie a real sign-in leaves (portal.accounts.sessions'
  start_session, run for them in a request from their address, so Flask-Login's session
  identifier matches) with the CSRF secret a real GET of the booking page put in it, signed
  with the app's own session serializer. One real GET with such a cookie is checked to be
  answered signed in. The slots are taken adviser after adviser, so that requests that follow
  each other book with different advisers (as many residents at once would), each adviser's
  days from the soonest. Each cookie, slot and address is used once.
- Every request comes from its own address: the portal runs as README.md has it for several
  processes, behind one proxy (PORTAL_PROXY_COUNT=1, and wrk sends X-Forwarded-For), with the
  rate-limit counts in Redis (in memory if none answers) at their production values; none is
  reached, so none is raised for the benchmark. The reference counts no limits.
- The run fails unless every POST answered with a redirect and made a booking (the rows of
  meeting_bookings counted before and after each wrk run).

A profile of the portal's booking in this process follows (cProfile, Flask's test client, the
top 15 functions with their callees), so that the next person sees where the time goes.

Run with `make bench` (or `python -m tests.bench.meeting_bookings`). Needs wrk.
"""

from __future__ import annotations

import cProfile
import http.client
import itertools
import math
import os
import pstats
import random
import re
import shutil
import statistics
import tempfile
import time
import urllib.parse
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, session
from sqlalchemy import insert, select

from portal import create_app
from portal.accounts.models import RoleGrant, User, new_session_token
from portal.accounts.sessions import start_session
from portal.db import db, make_engine, utcnow
from portal.meetings import booking as engine
from portal.meetings import slots
from portal.meetings.models import Booking, MeetingKind, Schedule, Venue
from portal.migrations import upgrade
from portal.permissions import SYSTEM, Role
from portal.places import services as places
from tests.bench.appeals import count_rows, redis_available, served_config
from tests.bench.serving import CONNECTIONS, THREADS, Load, gunicorn, load
from tests.conftest import Database, dispose, make_test_app
from tests.postgres_available import postgres_available

STREETS, COMMUNITIES = 10, 30
EVERY_DAY = {str(day): [["08:00", "20:00"]] for day in range(7)}
HORIZON_DAYS = 14
RESIDENTS = int(os.environ.get("BENCH_RESIDENTS", 100_000))
ROUNDS = 3
BUDGET = 0.60
# Bookings profiled in this process, and the functions printed.
PROFILED = 300
TOP = 15
ABOUT = "房东不退押金，想咨询怎么办"
# Bounds on a run's requests per second, for the bookings prepared for it: the portal's booking
# is never quicker than the reference's, which does less; the reference, a transaction of a few
# statements, stays far under half the hello-world's. A run that uses up its bookings stops and
# says so.
PORTAL_BOUND = 2
REFERENCE_BOUND = 0.5


@dataclass(frozen=True)
class Attempt:
    """One booking to make: who (a resident), what (a free slot) and from where."""

    user_id: int
    token: str
    path: str
    start: int  # seconds since 1970
    address: str


def build(session, now) -> list[tuple[str, Schedule]]:
    """The district's communities and their advisers' legal schedules; returns each schedule
    with its community's code."""
    district = places.create_place(
        session, SYSTEM, None, code="L", name_zh="基准区", name_en="", now=now
    )
    made = []
    for s in range(STREETS):
        street = places.create_place(
            session, SYSTEM, district, code=f"L{s}", name_zh=f"第{s}街道", name_en="", now=now
        )
        for c in range(COMMUNITIES):
            community = places.create_place(session, SYSTEM, street, code=f"L{s}-{c}",
                                            name_zh=f"第{s}-{c}社区", name_en="", now=now)  # fmt: skip
            adviser = User(phone=f"139{len(made):08d}", display_name=f"律师{len(made)}",
                           created_at=now)  # fmt: skip
            adviser.grants.append(
                RoleGrant(role=Role.LEGAL_ADVISER, place=community, granted_at=now)
            )
            session.add(adviser)
            session.flush()
            schedule = Schedule(
                host_id=adviser.id, place_id=community.id, kind=MeetingKind.LEGAL,
                venue=Venue.CENTRE, weekly=EVERY_DAY, month_days=[], slot_minutes=20,
                buffer_minutes=0, daily_cap=None, horizon_days=HORIZON_DAYS,
            )  # fmt: skip
            session.add(schedule)
            made.append((community.code, schedule))
    session.flush()
    return made


def add_residents(session, now, count: int) -> list[tuple[int, str]]:
    """`count` residents with their phones proved, written in bulk; their ids and tokens."""
    rows = [
        {"phone": f"136{number:08d}", "display_name": "", "session_token": new_session_token(),
         "phone_verified_at": now, "created_at": now}
        for number in range(count)
    ]  # fmt: skip
    for first in range(0, count, 10_000):
        session.execute(insert(User), rows[first : first + 10_000])
    return list(
        session.execute(
            select(User.id, User.session_token).where(User.phone.like("136%")).order_by(User.id)
        )
    )


# Addresses (in 10.0.0.0/8) from a point of this benchmark's own: none is used twice, nor by
# two benchmarks one after the other.
_addresses = itertools.count(random.randrange(2**24))


def attempts_of(
    schedules: list[tuple[str, Schedule]], residents: list[tuple[int, str]], session, now
) -> list[Attempt]:
    """A resident, a free slot and an address for each booking to make. Slots from tomorrow
    (none runs out of notice during the benchmark), adviser after adviser."""
    free = engine.free_times_of(session, [schedule for _code, schedule in schedules], now)
    tomorrow = slots.local_date(now) + timedelta(days=1)
    by_adviser = [
        [(f"/c/{code}/legal/{schedule.id}/book", slot.start)
         for slot in free[schedule.id] if slots.local_date(slot.start) >= tomorrow]
        for code, schedule in schedules
    ]  # fmt: skip
    taken = (
        each for turn in itertools.zip_longest(*by_adviser) for each in turn if each is not None
    )
    made = []
    for (user_id, token), (path, start) in zip(residents, taken, strict=False):
        number = next(_addresses) % 2**24
        address = f"10.{number >> 16}.{number >> 8 & 255}.{number & 255}"
        made.append(Attempt(user_id, token, path, int(start.timestamp()), address))
    return made


class Pool:
    """The bookings not yet made; one run takes the first of them, and those it made leave."""

    def __init__(self, url: str, attempts: list[Attempt]):
        self.url = url
        self.waiting = attempts

    def settled(self) -> int:
        """How many bookings there are once the requests still in flight when wrk stopped are
        served (none made for a second); those made leave the pool."""
        made, before = booked_users(self.url), None
        while made != before:
            time.sleep(1)
            made, before = booked_users(self.url), made
        self.waiting = [attempt for attempt in self.waiting if attempt.user_id not in made]
        return count_rows(self.url, Booking)

    def take(self, count: int) -> list[Attempt]:
        self.settled()
        return self.waiting[:count]


def booked_users(url: str) -> set[int]:
    """The residents with a booking made (by the portal or the reference)."""
    database = make_engine(url)
    with database.connect() as connection:
        made = set(connection.scalars(select(Booking.user_id).where(Booking.user_id.is_not(None))))
    database.dispose()
    return made


def mint(app: Flask, attempts: list[Attempt], csrf_secret: str | None) -> list[str]:
    """The session cookie each attempt's resident has after signing in from its address (and,
    given `csrf_secret`, a GET of a form), signed as the app signs it."""
    serializer = app.session_interface.get_signing_serializer(app)
    cookies = []
    for attempt in attempts:
        resident = User(id=attempt.user_id, session_token=attempt.token)
        with app.test_request_context(headers={"X-Forwarded-For": attempt.address}):
            start_session(resident)
            signed_in = dict(session)
        if csrf_secret is not None:
            signed_in["csrf_token"] = csrf_secret
        cookies.append(serializer.dumps(signed_in))
    return cookies


def verify_sign_in(app: Flask, base: str, attempt: Attempt) -> tuple[str, str]:
    """A real GET of the booking page with a minted cookie: it must be answered signed in (the
    page, not the sign-in redirect). Returns the CSRF secret the GET put in the session and
    the form's token."""
    [cookie] = mint(app, [attempt], None)
    name = app.config["SESSION_COOKIE_NAME"]
    where = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=10)
    connection.request("GET", attempt.path, headers={
        "Cookie": f"{name}={cookie}", "X-Forwarded-For": attempt.address,
    })  # fmt: skip
    response = connection.getresponse()
    page = response.read().decode()
    connection.close()
    if response.status != 200:
        raise SystemExit(f"the minted cookie was not accepted: {response.status} "
                         f"{response.getheader('Location')}")  # fmt: skip
    [set_cookie] = [
        value.split(";", 1)[0].split("=", 1)[1]
        for header, value in response.getheaders()
        if header.lower() == "set-cookie" and value.startswith(f"{name}=")
    ]
    kept = app.session_interface.get_signing_serializer(app).loads(set_cookie)
    assert kept["_user_id"] == f"{attempt.user_id}:{attempt.token}", kept
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                      r'name="csrf_token" value="([^"]+)"', page)  # fmt: skip
    assert token, "no CSRF token on the booking page"
    return kept["csrf_token"], token.group(1) or token.group(2)


# The booking form as a browser sends it, each request with the next of the lines made for
# this run (see BookingRun): its path, address, cookie and chosen start. wrk's threads take
# every other line. A thread with none left asks for a page that is not there, which stops
# the run, and says why.
BOOK_SCRIPT = """
threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
attempts = {}
function init(args)
  local line = 0
  for each in io.lines("%(lines)s") do
    if line %% %(threads)d == id then
      local path, address, cookie, start = each:match("(%%S+) (%%S+) (%%S+) (%%S+)")
      table.insert(attempts, {path, address, cookie, start})
    end
    line = line + 1
  end
end
body = "%(body)s"
n = 0
request = function()
  n = n + 1
  local attempt = attempts[n]
  if attempt == nil then
    short = true
    return wrk.format("GET", "/out-of-bookings")
  end
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "%(cookie_name)s=" .. attempt[3],
    ["X-Forwarded-For"] = attempt[2],
  }
  return wrk.format("POST", attempt[1], headers, body .. "&start=" .. attempt[4])
end
function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    if thread:get("short") then
      print("out of bookings: more requests than bookings prepared (raise BENCH_RESIDENTS)")
      break
    end
  end
end
"""


def bookings(app: Flask, pool: Pool, url: str, csrf: tuple[str, str], folder: Path):
    """A function loading a server with booking POSTs, `rate` a bound on their requests per
    second; it returns wrk's figures once the bookings made are counted."""
    secret, token = csrf
    lines = folder / "bookings.txt"
    script = folder / "bookings.lua"
    script.write_text(BOOK_SCRIPT % {
        "lines": lines, "threads": THREADS, "cookie_name": app.config["SESSION_COOKIE_NAME"],
        "body": urllib.parse.urlencode({"csrf_token": token, "about": ABOUT}),
    })  # fmt: skip

    def run(name: str, server: str, rate: float) -> Load:
        sent = 0

        def prepared(seconds: int) -> Path:
            nonlocal sent
            # And one more for each connection, however slow the bound.
            taken = pool.take(math.ceil(rate * seconds) + CONNECTIONS)
            sent += len(taken)
            cookies = mint(app, taken, secret)
            lines.write_text("".join(f"{a.path} {a.address} {cookie} {a.start}\n"
                                     for a, cookie in zip(taken, cookies, strict=True)))  # fmt: skip
            return script

        before = pool.settled()
        loaded = load(server, prepared)
        # Every POST answered made a booking. Those still in flight when wrk stopped (or in
        # the server's backlog, or given up on by wrk) are made but not counted: more may be
        # made than answered, never more than were prepared.
        made = pool.settled() - before
        if not loaded.requests <= made <= sent:
            raise SystemExit(f"{name}: {loaded.requests} requests answered, {made} bookings made")
        if loaded.timeouts:
            print(f"  {name}: {loaded.timeouts} requests took over 2 s")
        return loaded

    return run


def served(url: str, folder: Path, limits: str) -> dict[str, Any]:
    return {
        **served_config(url, folder, limits),
        # This benchmark's own rate-limit counts: a phone or address of an earlier run's is
        # not counted against this one.
        "RATELIMIT_KEY_PREFIX": f"bookbench-{random.randrange(10**8)}",
    }


def measure(url: str, pool: Pool, verifier: Attempt, folder: Path) -> dict[str, Any]:
    """Requests per second of the hello-world, the reference's booking and the portal's, in
    turn, ROUNDS times."""
    limits = "redis://127.0.0.1:6379" if redis_available() else "memory://"
    config = served(url, folder, limits)
    env = {f"PORTAL_{name}": str(value) for name, value in config.items()}
    reference_env = {"REFERENCE_DATABASE_URL": url, "REFERENCE_SECRET_KEY": config["SECRET_KEY"]}
    # The portal as served, in this process: it signs the cookies.
    app = create_app({**config, "SCAN_FLUSH_SECONDS": None})
    rounds = []
    with ExitStack() as servers:
        hello = servers.enter_context(gunicorn("tests.bench.hello:app", {}))
        reference = servers.enter_context(
            gunicorn("tests.bench.booking_reference:create_app()", reference_env)
        )
        base = servers.enter_context(gunicorn("portal:create_app()", env))
        csrf = verify_sign_in(app, base, verifier)
        run = bookings(app, pool, url, csrf, folder)
        for _ in range(ROUNDS):
            each = {"hello": load(hello + "/").rate}
            each["reference"] = run("reference", reference, REFERENCE_BOUND * each["hello"]).rate
            portal = run("portal", base, PORTAL_BOUND * each["reference"])
            each["portal"], each["made"] = portal.rate, portal.requests
            rounds.append(each)
    dispose(app)
    return {
        "rounds": rounds, "made": sum(each["made"] for each in rounds), "csrf": csrf,
        "limits": "Redis" if limits.startswith("redis") else "memory (no Redis answered)",
        "of_reference": statistics.median(each["portal"] / each["reference"] for each in rounds),
        "of_hello": statistics.median(each["portal"] / each["hello"] for each in rounds),
        "reference_of_hello": statistics.median(
            each["reference"] / each["hello"] for each in rounds
        ),
    }  # fmt: skip


def profile_booking(url: str, pool: Pool, csrf: tuple[str, str], folder: Path) -> None:
    """Where the booking's time goes: PROFILED bookings in this process (Flask's test client,
    the portal configured as served), under cProfile; the functions taking the most time,
    callees included (cProfile slows Python code more than waiting, so the shares are rough).
    Each is a distinct resident's, signed in, booking a distinct free slot, as under wrk."""
    limits = "redis://127.0.0.1:6379" if redis_available() else "memory://"
    app = create_app({**served(url, folder, limits), "SCAN_FLUSH_SECONDS": None})
    client = app.test_client()
    secret, token = csrf
    prepared = pool.take(50 + 2 * PROFILED)
    if len(prepared) < 50 + 2 * PROFILED:
        raise SystemExit("out of bookings to profile (raise BENCH_RESIDENTS)")
    cookies = mint(app, prepared, secret)
    name = app.config["SESSION_COOKIE_NAME"]

    def book(first: int, count: int) -> None:
        for attempt, cookie in zip(prepared[first : first + count],
                                   cookies[first : first + count], strict=True):  # fmt: skip
            client.set_cookie(name, cookie)
            response = client.post(
                attempt.path,
                data={"csrf_token": token, "about": ABOUT, "start": attempt.start},
                headers={"X-Forwarded-For": attempt.address},
            )
            assert response.status_code == 302, response.status_code
            assert "/m/" in response.location, response.location

    book(0, 50)  # warm-up: statements compiled, connections made
    started = time.perf_counter()
    book(50, PROFILED)
    plain = (time.perf_counter() - started) / PROFILED
    profiler = cProfile.Profile()
    profiler.runcall(book, 50 + PROFILED, PROFILED)
    dispose(app)
    # (file, line, function) -> (calls, calls, own time, time with callees, callers)
    entries = pstats.Stats(profiler).stats
    total = max(entry[3] for entry in entries.values())
    # The test client's frames are not the booking's. Of a function called by the one before
    # it and taking nearly all its time (a wrapper and what it wraps), the callee is shown.
    top: list[tuple[float, tuple[str, int, str]]] = []
    for spent, key in sorted(((entry[3], key) for key, entry in entries.items()), reverse=True):
        if any(
            outside in key[0]
            for outside in ("werkzeug/test.py", "flask/testing.py", "tests/bench/")
        ):
            continue
        if top and spent > 0.97 * top[-1][0] and top[-1][1] in entries[key][4]:
            top[-1] = (spent, key)
        elif len(top) < TOP:
            top.append((spent, key))
    print(f"  where the booking's time goes: {PROFILED} bookings in this process, "
          f"{plain * 1000:.2f} ms each unprofiled; the {TOP} functions taking most, callees "
          f"included (cProfile; of a wrapper the function it wraps):")  # fmt: skip
    for spent, (file, line, function) in top:
        print(f"    {spent / total:6.1%}  {function} ({shown(file)}:{line})")
    own = sorted(
        ((entry[3], key) for key, entry in entries.items() if f"{os.sep}portal{os.sep}" in key[0]),
        reverse=True,
    )
    print("  the portal's own functions taking most, callees included:")
    for spent, (file, line, function) in own[:TOP]:
        print(f"    {spent / total:6.1%}  {function} ({shown(file)}:{line})")


def shown(file: str) -> str:
    return re.sub(r".*/(site-packages|tests|portal)/", r"\1/", file)


def run(name: str, url: str, folder: Path) -> None:
    app = make_test_app(url)
    with app.app_context(), db.engine.begin() as connection:
        upgrade(connection)
    with app.app_context():
        started = time.perf_counter()
        now = utcnow()
        schedules = build(db.session, now)
        residents = add_residents(db.session, now, RESIDENTS + 1)
        db.session.commit()
        attempts = attempts_of(schedules, residents[1:], db.session, now)
        db.session.rollback()
        # The first resident only opens the booking page, to check the cookies are accepted.
        verifier = Attempt(*residents[0], attempts[0].path, attempts[0].start, "192.0.2.1")
    dispose(app)
    print(f"{name}: {STREETS * COMMUNITIES} communities, one legal adviser each receiving every "
          f"day 08:00–20:00 in 20-minute slots, {HORIZON_DAYS} days ahead; {len(attempts):,} "
          f"free slots from tomorrow paired with as many of {len(residents):,} residents; built "
          f"in {time.perf_counter() - started:.0f} s")  # fmt: skip
    pool = Pool(url, attempts)
    figures = measure(url, pool, verifier, folder)
    print(f"  legal booking POST, gunicorn 2 workers, wrk {CONNECTIONS} connections, {ROUNDS} "
          f"rounds of hello world, reference booking and portal booking in turn:")  # fmt: skip
    for number, each in enumerate(figures["rounds"], 1):
        print(f"    round {number}: hello world {each['hello']:,.0f}/s, "
              f"reference {each['reference']:,.0f}/s, portal {each['portal']:,.0f}/s = "
              f"{each['portal'] / each['reference']:.1%} of the reference, "
              f"{each['portal'] / each['hello']:.1%} of hello world")  # fmt: skip
    print(f"    portal booking: {figures['of_reference']:.1%} of the reference app's booking "
          f"(tests/bench/booking_reference.py), median of the rounds (budget ≥ {BUDGET:.0%}); "
          f"{figures['of_hello']:.1%} of hello world; the reference is "
          f"{figures['reference_of_hello']:.1%} of hello world")  # fmt: skip
    print(f"    {figures['made']:,} bookings made by the portal, each a distinct signed-in "
          f"resident's, slot's and address's; rate limits as in production, counted in "
          f"{figures['limits']}")  # fmt: skip
    profile_booking(url, pool, figures["csrf"], folder)
    if figures["of_reference"] < BUDGET:
        print(f"  booking POST: UNDER THE BUDGET ({figures['of_reference']:.1%} of the "
              f"reference, budget {BUDGET:.0%})")  # fmt: skip


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
