"""The databases a benchmark runs on: SQLite and, when it answers at PORTAL_TEST_DATABASE_URL,
PostgreSQL (BENCH_DATABASES=sqlite or =postgres for one), each made afresh and dropped after."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Database
from tests.postgres_available import postgres_available


def on_each_database(run: Callable[[str, str], None]) -> None:
    """Call `run(kind, url)` on a new database of each kind wanted."""
    wanted = os.environ.get("BENCH_DATABASES", "sqlite,postgres").split(",")
    kinds = [kind for kind in ("sqlite", "postgres") if kind in wanted]
    if "postgres" in kinds and not postgres_available():
        kinds.remove("postgres")
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as folder:
        for kind in kinds:
            database = Database(kind, Path(folder))
            try:
                run(kind, database.new_url())
            finally:
                database.drop_all()
