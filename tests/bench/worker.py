"""Benchmark: how many SMS messages a second the worker hands to a gateway, on SQLite and
PostgreSQL.

The gateway is the test stub (a threaded HTTP server in this process, checking every
signature); the workers are real `flask --app portal worker --once` processes draining a
queue of MESSAGES messages. Printed: messages per second from the gateway's first taken
message to its last (the steady rate), and the wall time including process start-up. Every
message must reach the gateway exactly once, or the run fails.

Run with `make bench` (or `python -m tests.bench.worker`).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from tests.conftest import Database, dispose, make_test_app, migrated_engine
from tests.gateway import GatewayStub, http_settings
from tests.postgres_available import postgres_available
from tests.workers import finish, queue_many, start_worker

MESSAGES = 5000


def drain(kind: str, workers: int, folder: Path) -> tuple[float, float]:
    """(steady messages/s, wall seconds) for `workers` workers draining the queue."""
    database = Database(kind, folder)
    try:
        url = database.new_url()
        migrated_engine(url).dispose()
        with GatewayStub() as gateway:
            app = make_test_app(url, **http_settings(gateway))
            keys = queue_many(app, MESSAGES)
            started = time.perf_counter()
            processes = [start_worker(app, "--once") for _ in range(workers)]
            for process in processes:
                finish(process, timeout=600)
            wall = time.perf_counter() - started
            dispose(app)
            if gateway.keys_seen() != dict.fromkeys(keys, 1):
                raise SystemExit(f"{kind}: a message was lost or sent twice")
            steady = (MESSAGES - 1) / (gateway.last_taken - gateway.first_taken)
        return steady, wall
    finally:
        database.drop_all()


def main() -> None:
    runs = [("sqlite", 1)]
    if postgres_available():
        runs += [("postgres", 1), ("postgres", 2)]
    else:
        print("PostgreSQL is not reachable: its figures are left out.")
    print(
        f"worker throughput, {MESSAGES:,} queued messages, batches of 20, gateway stub on 127.0.0.1:"
    )
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as folder:
        for kind, workers in runs:
            steady, wall = drain(kind, workers, Path(folder))
            print(f"  {kind:<8} {workers} worker{'s' if workers > 1 else ' '}: {steady:,.0f} messages/s "
                  f"({MESSAGES:,} in {wall:.1f} s with start-up)")  # fmt: skip


if __name__ == "__main__":
    main()
