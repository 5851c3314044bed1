"""Benchmark: the time bank with a district's worth of volunteers and hours (issue 20).

Budgets: a volunteer's pages answer in p95 ≤ 30 ms; the coordinator's attendance pages of a
200-person activity in p95 ≤ 50 ms; confirming a 200-person activity "as recorded" in one
action (the POST, its commit included) in ≤ 1 s on PostgreSQL. Timed in this process through
Flask's test client, on SQLite and, when it answers at PORTAL_TEST_DATABASE_URL, PostgreSQL.

The district: 10 streets of 30 communities, each with its secretary; VOLUNTEERS approved
volunteers (BENCH_VOLUNTEERS, 100,000), each with a valid, distinct 身份证 number and its keyed
hash; ACTIVITIES past activities serving the elderly, about 20 volunteers each (volunteers sign
up across the district); TRANSFERS confirmed attendances (BENCH_TRANSFERS, 1,000,000), each
banked by a two-legged "hours.banked" transfer from the district's issuing account to the
volunteer's, so 2,000,000 movements whose balance_after runs in step, in time order. Most
volunteers have 1–19 bankings; TYPICAL of them have 40, and one, the heavy volunteer, 2,000 (of
half an hour each, so under the 1,500-hour cap). Written with bulk INSERTs, not through the
services, then (on PostgreSQL) vacuumed and analysed as autovacuum leaves a district's tables,
then checked as the ledger's own test checks it: every kept balance equals the sum of its
movements, every transfer sums to zero, no balance over its cap.

Printed: the build's time; the volunteer's pages (their home with its panels, their certificate
and, when the app has it, their hours) for the typical volunteers in turn and for the heavy
one; the coordinator's check-in and confirm pages of a 200-person activity whose volunteers
all checked in and out; confirming such an activity as recorded, CONFIRM_RUNS times on fresh
activities, each run and the median. Last, on PostgreSQL, every distinct query the timed pages
and the coordinator's lists (volunteers, activities, roster, help requests) ran is EXPLAINed
with the parameters of its first and its last run (a typical volunteer's and the heavy one's),
and a sequential scan of a large table is named.

Run with `make bench` (or `python -m tests.bench.volunteering`; BENCH_DATABASES=postgres for
one database).
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Iterator
from datetime import date, timedelta

from flask import Flask
from flask import session as cookie
from sqlalchemy import event, func, insert, select, text
from stdnum.cn import ric

from portal.accounts.models import RoleGrant, User, new_session_token
from portal.accounts.sessions import start_session
from portal.db import Base, db, utcnow
from portal.idnumbers import key_from, keyed_hash, mask
from portal.ledger import services as ledger
from portal.ledger.models import LedgerAccount, LedgerMovement, LedgerTransfer
from portal.migrations import upgrade
from portal.permissions import SYSTEM, Role
from portal.places import services as places
from portal.volunteering import idseal, timebank
from portal.volunteering.models import Activity, ServiceKind, SignUp, Volunteer
from tests.bench.databases import on_each_database
from tests.conftest import dispose, make_test_app

STREETS, COMMUNITIES = 10, 30
VOLUNTEERS = int(os.environ.get("BENCH_VOLUNTEERS", 100_000))
TRANSFERS = int(os.environ.get("BENCH_TRANSFERS", 1_000_000))
ACTIVITIES = max(TRANSFERS // 20, 2_000)
TYPICAL, TYPICAL_BANKINGS, HEAVY_BANKINGS = 20, 40, 2_000
ROSTER = 200
CONFIRM_RUNS = 5
REQUESTS, WARM_UP = 200, 20
VOLUNTEER_BUDGET_MS, COORDINATOR_BUDGET_MS, CONFIRM_BUDGET_S = 30, 50, 1.0
CHUNK = 20_000
AREAS = ["110105", "320102", "440106", "310115", "510104"]
# Tables this large are never to be read whole by a page.
LARGE = 10_000


def _chunks(rows: Iterator[dict] | list[dict], size: int = CHUNK) -> Iterator[list[dict]]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _write(session, model, rows) -> None:
    for batch in _chunks(rows):
        session.execute(insert(model), batch)


def id_number(serial: int) -> str:
    """The serial-th of distinct valid 身份证 numbers: a birth day and a sequence number
    each serial has alone (born 1950–1999)."""
    born = date(1950, 1, 1) + timedelta(days=serial % 18_000)
    body = f"{AREAS[serial % len(AREAS)]}{born:%Y%m%d}{serial // 18_000:03d}"
    return body + ric.calc_check_digit(body + "0")


class World:
    """What the benchmark needs to find again once the district is built."""

    def __init__(self) -> None:
        self.district_id = 0
        self.communities: list[int] = []
        self.secretaries: list[int] = []
        self.volunteer_users: list[int] = []  # by volunteer index
        self.volunteer_ids: list[int] = []
        self.typical: list[int] = []  # volunteer indexes
        self.heavy = 0
        self.light: list[int] = []  # volunteer indexes with few bankings, for the rosters
        self.kind_id = 0
        self.issuer_id = 0
        self.cap = 0


def build(app: Flask, session) -> World:
    """The district, its volunteers, activities, attendances and the ledger's 2M movements."""
    world = World()
    now = utcnow()
    rng = random.Random(20)
    district = places.create_place(
        session, SYSTEM, None, code="V", name_zh="基准区", name_en="", now=now
    )
    world.district_id = district.id
    for s in range(STREETS):
        street = places.create_place(
            session, SYSTEM, district, code=f"V{s}", name_zh=f"第{s}街道", name_en="", now=now
        )
        for c in range(COMMUNITIES):
            community = places.create_place(session, SYSTEM, street, code=f"V{s}-{c}",
                                            name_zh=f"第{s}-{c}社区", name_en="", now=now)  # fmt: skip
            secretary = User(phone=f"139{len(world.secretaries):08d}",
                             display_name=f"书记{len(world.secretaries)}", created_at=now)  # fmt: skip
            secretary.grants.append(RoleGrant(role=Role.SECRETARY, place=community, granted_at=now))
            session.add(secretary)
            session.flush()
            world.communities.append(community.id)
            world.secretaries.append(secretary.id)
    world.kind_id = session.scalar(select(ServiceKind.id).where(ServiceKind.code == "company"))
    world.cap = app.extensions[timebank.RULES].cap_minutes
    ncom = len(world.communities)

    # Users and volunteers, with ids of our own choosing (set on the sequences afterwards).
    first_user = (session.scalar(select(func.max(User.id))) or 0) + 1
    key = key_from(app.config)
    seal_key = idseal.key_from(app.config)
    world.volunteer_users = [first_user + v for v in range(VOLUNTEERS)]
    world.volunteer_ids = [v + 1 for v in range(VOLUNTEERS)]
    _write(session, User, (
        {"id": first_user + v, "phone": f"135{v:08d}", "display_name": "",
         "session_token": new_session_token(), "phone_verified_at": now, "created_at": now,
         "locale": "zh_Hans_CN"}
        for v in range(VOLUNTEERS)
    ))  # fmt: skip

    def volunteer_row(v: int) -> dict:
        number = id_number(v)
        community = v % ncom
        return {
            "id": v + 1, "user_id": first_user + v, "community_id": world.communities[community],
            "real_name": f"志愿者{v}", "id_number_masked": mask(number),
            "id_number_sealed": idseal.seal(number, v + 1, seal_key),
            "id_number_hash": keyed_hash(number, key),
            "id_consent_at": now - timedelta(days=1200), "birth_date": ric.get_birth_date(number),
            "guardian_name": None, "guardian_phone": None, "services": ["company", "meals"],
            "state": "approved", "applied_at": now - timedelta(days=1200),
            "decided_at": now - timedelta(days=1199), "decided_by_id": world.secretaries[community],
            "decline_reason": None,
        }  # fmt: skip

    _write(session, Volunteer, (volunteer_row(v) for v in range(VOLUNTEERS)))

    # How many bankings each volunteer has: 1–19, but for the typical ones and the heavy one,
    # then evened out to TRANSFERS exactly.
    counts = [1 + rng.randrange(19) for _ in range(VOLUNTEERS)]
    world.typical = list(range(1, 1 + TYPICAL))
    world.heavy = 0
    counts[world.heavy] = HEAVY_BANKINGS
    for v in world.typical:
        counts[v] = TYPICAL_BANKINGS
    fixed = set(world.typical) | {world.heavy}
    free = [v for v in range(VOLUNTEERS) if v not in fixed]
    surplus = sum(counts) - TRANSFERS
    while surplus:
        v = rng.choice(free)
        step = 1 if surplus > 0 else -1
        if 1 <= counts[v] - step <= 30:
            counts[v] -= step
            surplus -= step
    world.light = [v for v in free if counts[v] <= 10][: ROSTER * (CONFIRM_RUNS + 1)]

    # Which activity each banking is at: volunteers packed one after another round the
    # activities, so every activity has about the same number and no one sits twice in one.
    at: list[list[int]] = [[] for _ in range(ACTIVITIES)]
    offset = 0
    for v, count in enumerate(counts):
        for j in range(count):
            at[(offset + j) % ACTIVITIES].append(v)
        offset += count
    span = timedelta(days=3 * 365)
    first_start = now - span - timedelta(days=7)
    worth = [rng.choice([60, 90, 120, 150, 180, 240]) for _ in range(ACTIVITIES)]
    starts = [first_start + span * a / ACTIVITIES for a in range(ACTIVITIES)]
    _write(session, Activity, (
        {"id": a + 1, "community_id": world.communities[a % ncom], "title": f"陪伴独居老人{a}",
         "description": "", "service_kind_id": world.kind_id, "location": "社区服务中心",
         "starts_at": starts[a], "ends_at": starts[a] + timedelta(minutes=worth[a]),
         "seats": max(len(at[a]), 1), "seats_taken": len(at[a]), "worth_minutes": worth[a],
         "serves_elderly": True, "state": "published", "check_in_secret": f"{a:064x}",
         "created_by_id": world.secretaries[a % ncom], "created_at": starts[a] - timedelta(days=10),
         "cancelled_at": None, "cancel_reason": None}
        for a in range(ACTIVITIES)
    ))  # fmt: skip

    # Every banking's minutes, in time order; the balances they leave.
    minutes_of: list[tuple[int, int, int]] = []  # (activity, volunteer, minutes)
    for a in range(ACTIVITIES):
        for v in at[a]:
            minutes = 30 if v == world.heavy else rng.randrange(30, worth[a] + 1, 30)
            minutes_of.append((a, v, minutes))
    balances = [0] * VOLUNTEERS
    for _a, v, minutes in minutes_of:
        balances[v] += minutes
    assert max(balances) <= world.cap, "a volunteer over the time bank's cap"
    issued = sum(balances)

    # Accounts: the district's issuer, each community's pool, each volunteer's own.
    world.issuer_id = 1
    accounts = [{"id": 1, "unit": "minutes", "kind": "issuer", "user_id": None,
                 "place_id": world.district_id, "balance": -issued, "cap": None, "created_at": now}]  # fmt: skip
    accounts += [
        {"id": 2 + c, "unit": "minutes", "kind": "pool", "user_id": None, "place_id": place_id,
         "balance": 0, "cap": None, "created_at": now}
        for c, place_id in enumerate(world.communities)
    ]  # fmt: skip
    first_person = 2 + ncom
    accounts += [
        {"id": first_person + v, "unit": "minutes", "kind": "person", "user_id": first_user + v,
         "place_id": None, "balance": balances[v], "cap": world.cap, "created_at": now}
        for v in range(VOLUNTEERS)
    ]  # fmt: skip
    _write(session, LedgerAccount, accounts)

    def sign_ups() -> Iterator[dict]:
        for number, (a, v, minutes) in enumerate(minutes_of, start=1):
            community = a % ncom
            yield {
                "id": number, "activity_id": a + 1, "volunteer_id": v + 1, "state": "seated",
                "signed_up_at": starts[a] - timedelta(days=3), "seated_at": starts[a] - timedelta(days=3),
                "cancelled_at": None, "checked_in_at": starts[a], "checked_in_by_id": None,
                "checked_out_at": starts[a] + timedelta(minutes=minutes), "checked_out_by_id": None,
                "confirmed_minutes": minutes, "confirmed_at": starts[a] + timedelta(hours=5),
                "confirmed_by_id": world.secretaries[community], "correction_reason": None,
                "recorded_by_hand": False, "reminded_at": starts[a] - timedelta(days=1),
                "confirmations": 1,
            }  # fmt: skip

    _write(session, SignUp, sign_ups())

    def transfers() -> Iterator[dict]:
        for number, (a, _v, _minutes) in enumerate(minutes_of, start=1):
            yield {
                "id": number, "unit": "minutes", "kind": timebank.BANKED,
                "subject": f"volunteering.sign_up:{number}", "memo": f"陪伴独居老人{a}",
                "reverses_id": None, "created_by_id": world.secretaries[a % ncom],
                "created_at": starts[a] + timedelta(hours=5),
            }  # fmt: skip

    _write(session, LedgerTransfer, transfers())

    def movements() -> Iterator[dict]:
        issuer, held = 0, [0] * VOLUNTEERS
        for number, (a, v, minutes) in enumerate(minutes_of, start=1):
            at_ = starts[a] + timedelta(hours=5)
            issuer -= minutes
            held[v] += minutes
            yield {"id": 2 * number - 1, "transfer_id": number, "account_id": 1,
                   "amount": -minutes, "balance_after": issuer, "created_at": at_}  # fmt: skip
            yield {"id": 2 * number, "transfer_id": number, "account_id": first_person + v,
                   "amount": minutes, "balance_after": held[v], "created_at": at_}  # fmt: skip

    _write(session, LedgerMovement, movements())
    if session.bind.dialect.name == "postgresql":
        for table in ("users", "volunteers", "volunteer_activities", "volunteer_sign_ups",
                      "ledger_accounts", "ledger_transfers", "ledger_movements"):  # fmt: skip
            last = f"SELECT max(id) FROM {table}"  # noqa: S608 (our own table names)
            session.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), ({last}))")
            )
    return world


def settle(engine) -> None:
    """Leave the tables as a district's are after years of use: vacuumed (autovacuum visits a
    table after every fifth of it is new, and sets the visibility map that lets PostgreSQL
    answer from an index alone) and analysed. A bulk load just written has neither."""
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"VACUUM (ANALYZE) {tables}"))


def check(session) -> str:
    """The ledger's rules hold over the data just written: a failure stops the benchmark."""
    assert ledger.mismatches(session) == [], "a kept balance is not the sum of its movements"
    assert ledger.unbalanced_transfers(session) == [], "a transfer does not sum to zero"
    over = session.scalar(
        select(func.count())
        .select_from(LedgerAccount)
        .where(LedgerAccount.balance > LedgerAccount.cap)
    )
    assert over == 0, "an account over its cap"
    movements = session.scalar(select(func.count()).select_from(LedgerMovement))
    return f"{movements:,} movements"


def roster_activity(session, world: World, volunteers: list[int], *, community: int) -> int:
    """A 200-person activity of `community` that ended an hour ago, every volunteer checked in
    and out, nothing confirmed yet; its id."""
    now = utcnow()
    starts = now - timedelta(hours=3)
    activity = Activity(
        community_id=world.communities[community], title="重阳节陪伴老人", description="",
        service_kind_id=world.kind_id, location="社区服务中心", starts_at=starts,
        ends_at=starts + timedelta(hours=2), seats=len(volunteers), seats_taken=len(volunteers),
        worth_minutes=120, serves_elderly=True, check_in_secret=os.urandom(32).hex(),
        created_by_id=world.secretaries[community], created_at=starts - timedelta(days=7),
    )  # fmt: skip
    session.add(activity)
    session.flush()
    session.execute(insert(SignUp), [
        {"activity_id": activity.id, "volunteer_id": world.volunteer_ids[v], "state": "seated",
         "signed_up_at": starts - timedelta(days=3), "seated_at": starts - timedelta(days=3),
         "checked_in_at": starts + timedelta(minutes=n % 20),
         "checked_out_at": starts + timedelta(minutes=100 + n % 30), "recorded_by_hand": False,
         "confirmations": 0}
        for n, v in enumerate(volunteers)
    ])  # fmt: skip
    return activity.id


def signed_in(app: Flask, user_id: int, name: str | None = None):
    """A test client with the cookie a real sign-in of `user_id` leaves (a volunteer's: their
    certificate page shows their `name`)."""
    browser = app.test_client()
    with app.test_request_context():
        start_session(db.session.get(User, user_id))
        signed = dict(cookie)
        db.session.rollback()
    with browser.session_transaction() as kept:
        kept.update(signed)
    if name is not None:
        assert name in browser.get("/volunteering/certificate").get_data(as_text=True)
    return browser


def timed(browsers: list, path: str, *, requests: int = REQUESTS) -> list[float]:
    """Milliseconds of each of `requests` GETs of `path`, after a warm-up, the browsers in turn."""
    for n in range(WARM_UP):
        response = browsers[n % len(browsers)].get(path)
        assert response.status_code == 200, (path, response.status_code, response.location)
    spent = []
    for n in range(requests):
        begun = time.perf_counter()
        response = browsers[n % len(browsers)].get(path)
        spent.append((time.perf_counter() - begun) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return spent


def figure(label: str, spent: list[float], budget: float) -> str:
    p95 = statistics.quantiles(spent, n=20)[-1]
    mark = "" if p95 <= budget else "  OVER BUDGET"
    return (f"  {label}: p50 {statistics.median(spent):.1f} ms, p95 {p95:.1f} ms "
            f"(budget p95 ≤ {budget} ms){mark}")  # fmt: skip


class Statements:
    """The distinct SELECTs the app runs while it is listened to, each with the parameters of
    its first and its last run (a typical volunteer's and the heavy one's: PostgreSQL may plan
    the two differently)."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.seen: dict[str, list] = {}
        self.spent: dict[str, list[float]] = {}
        self.on = False
        event.listen(engine, "before_cursor_execute", self._keep)
        event.listen(engine, "after_cursor_execute", self._time)

    def _keep(self, conn, _cursor, statement, parameters, _context, executemany) -> None:
        if self.on and not executemany and statement.lstrip().upper().startswith("SELECT"):
            runs = self.seen.setdefault(statement, [parameters])
            runs[1:] = [parameters]
            conn.info["bench.began"] = time.perf_counter()

    def _time(self, conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        began = conn.info.pop("bench.began", None)
        if began is not None:
            self.spent.setdefault(statement, []).append((time.perf_counter() - began) * 1000)

    def slowest(self, count: int = 3) -> list[str]:
        """The statements slowest on average, with their mean time and how often they ran."""
        ranked = sorted(self.spent.items(), key=lambda each: -statistics.mean(each[1]))
        return [
            f"    {statistics.mean(spent):.1f} ms × {len(spent)}: {' '.join(statement.split())[:150]}"
            for statement, spent in ranked[:count]
        ]

    def scans(self) -> list[tuple[str, str]]:
        """(table, the statement's first line) of each sequential scan of a large table."""
        found = []
        self.on = False
        with self.engine.connect() as connection:
            sizes = dict(connection.execute(text(
                "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r'"
            )).all())  # fmt: skip
            raw = connection.connection.driver_connection
            for statement, runs in self.seen.items():
                plan = []
                for parameters in runs:
                    with raw.cursor() as cursor:
                        cursor.execute("EXPLAIN " + statement, parameters)
                        plan += [row[0] for row in cursor.fetchall()]
                scanned = {
                    line.split("Seq Scan on ")[1].split()[0]
                    for line in plan
                    if "Seq Scan on " in line
                }
                for table in sorted(scanned):
                    if sizes.get(table, 0) >= LARGE:
                        found.append((table, " ".join(statement.split())[:160]))
            raw.rollback()
        return found


def run(name: str, url: str) -> None:
    app = make_test_app(url)
    with app.app_context(), db.engine.begin() as connection:
        upgrade(connection)
    with app.app_context():
        started = time.perf_counter()
        world = build(app, db.session)
        db.session.commit()
        built = time.perf_counter() - started
        if db.session.bind.dialect.name == "postgresql":
            settle(db.engine)
        began = time.perf_counter()
        checked = check(db.session)
        db.session.rollback()
        print(f"{name}: {len(world.communities)} communities, {VOLUNTEERS:,} volunteers, "
              f"{ACTIVITIES:,} past activities, {TRANSFERS:,} bankings ({checked}), built in "
              f"{built:.0f} s; the ledger summed and checked in {time.perf_counter() - began:.0f} s")  # fmt: skip
        rosters = [
            roster_activity(db.session, world, world.light[r * ROSTER : (r + 1) * ROSTER], community=0)
            for r in range(CONFIRM_RUNS + 1)
        ]  # fmt: skip
        db.session.commit()
        engine = db.engine
    # Requests are made with no app context pushed: a request would otherwise share the one
    # pushed here, and Flask-Login's user kept in its `g` with it (the last one signed in).
    statements = Statements(engine)

    # (1) A volunteer's pages.
    pages = ["/volunteering/", "/volunteering/certificate"]
    if any(rule.rule == "/volunteering/hours" for rule in app.url_map.iter_rules()):
        pages.append("/volunteering/hours")
    typical = [signed_in(app, world.volunteer_users[v], f"志愿者{v}") for v in world.typical]
    heavy = [signed_in(app, world.volunteer_users[world.heavy], f"志愿者{world.heavy}")]
    statements.on = True
    for path in pages:
        print(figure(f"a volunteer's {path} ({TYPICAL} volunteers of {TYPICAL_BANKINGS} "
                     f"bankings in turn)", timed(typical, path), VOLUNTEER_BUDGET_MS))  # fmt: skip
        print(figure(f"the heavy volunteer's {path} ({HEAVY_BANKINGS} bankings)",
                     timed(heavy, path), VOLUNTEER_BUDGET_MS))  # fmt: skip

    # (2) The coordinator's attendance pages of a 200-person activity.
    coordinator = [signed_in(app, world.secretaries[0])]
    shown = rosters[0]
    for path in (f"/volunteering/desk/activities/{shown}/check-in",
                 f"/volunteering/desk/activities/{shown}/confirm"):  # fmt: skip
        print(figure(f"the coordinator's {path.rsplit('/', 1)[1]} page of a {ROSTER}-person activity",
                     timed(coordinator, path), COORDINATOR_BUDGET_MS))  # fmt: skip
    # The coordinator's other lists, for the EXPLAIN below.
    for path in ("/volunteering/desk", "/volunteering/desk/activities",
                 f"/volunteering/desk/activities/{shown}", "/volunteering/desk/help",
                 "/volunteering/desk/elders", "/volunteering/activities"):  # fmt: skip
        response = coordinator[0].get(path)
        assert response.status_code == 200, (path, response.status_code)
    statements.on = False

    print("  the slowest queries of those pages, on average:")
    print("\n".join(statements.slowest()))
    print(
        f"  (the machine's load average meanwhile: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    # (3) Confirming a 200-person activity as recorded, in one action.
    runs = []
    for activity_id in rosters[1:]:
        begun = time.perf_counter()
        response = coordinator[0].post(f"/volunteering/desk/activities/{activity_id}/confirm")
        runs.append(time.perf_counter() - begun)
        assert response.status_code == 302, response.status_code
        with app.app_context():
            confirmed = db.session.scalar(
                select(func.count())
                .select_from(SignUp)
                .where(SignUp.activity_id == activity_id, SignUp.confirmed_at.is_not(None))
            )
        assert confirmed == ROSTER, f"{confirmed} of {ROSTER} confirmed"
    mark = (
        "" if name != "postgres" or statistics.median(runs) <= CONFIRM_BUDGET_S else "  OVER BUDGET"
    )
    print(f"  confirming a {ROSTER}-person activity as recorded (the POST and its commit): "
          f"{', '.join(f'{run * 1000:.0f}' for run in runs)} ms; median "
          f"{statistics.median(runs) * 1000:.0f} ms (budget ≤ {CONFIRM_BUDGET_S * 1000:.0f} ms "
          f"on PostgreSQL){mark}")  # fmt: skip
    with app.app_context():
        assert ledger.unbalanced_transfers(db.session) == []
        assert ledger.mismatches(db.session) == []
    if engine.dialect.name == "postgresql":
        scans = statements.scans()
        print(f"  EXPLAIN of the {len(statements.seen)} distinct queries of the pages above: "
              + ("no sequential scan of a large table" if not scans else
                 f"{len(scans)} sequential scans of a large table"))  # fmt: skip
        for table, statement in scans:
            print(f"    Seq Scan on {table}: {statement}")
    dispose(app)


def main() -> None:
    on_each_database(run)


if __name__ == "__main__":
    main()
