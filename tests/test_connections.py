"""A pooled PostgreSQL connection that the server closed is never handed to a request."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from portal.db import make_engine


@pytest.mark.postgres
def test_a_connection_the_server_ended_is_replaced_before_use(database):
    """As after a restart of the server: every idle connection in the pool is gone."""
    url = database.new_url()
    engine, admin = make_engine(url), make_engine(url)
    try:
        with engine.connect() as connection:
            ended = connection.scalar(text("SELECT pg_backend_pid()"))
        with admin.connect() as connection:
            assert connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": ended})
            for _ in range(200):
                gone = not connection.scalar(
                    text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": ended}
                )
                # pg_stat_activity is read once per transaction: end it, or a busy server's
                # first answer ("still there") would be read again on every turn.
                connection.rollback()
                if gone:
                    break
                time.sleep(0.05)
            assert gone
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT pg_backend_pid()")) != ended
    finally:
        engine.dispose()
        admin.dispose()
