"""The hourly purge, run by the worker: uploads nobody attached within a day go, rows and files,
and so do files whose row was never committed."""

from __future__ import annotations

import os
from datetime import timedelta

from sqlalchemy import select

from portal.db import db, utcnow
from portal.uploads.models import Upload
from portal.uploads.web import store
from tests import factories


def test_the_worker_purges_what_nobody_attached_within_a_day(fresh_app, tmp_path):
    app = fresh_app(migrate=True, UPLOADS_DIR=str(tmp_path))
    job = app.extensions["portal.jobs"]["uploads.purge_unattached"]
    assert job.every == timedelta(hours=1)
    files = store(app)
    now = utcnow()
    with app.app_context():
        factories.upload(db.session, files, created_at=now - timedelta(hours=25))
        held = factories.upload(
            db.session, files, created_at=now - timedelta(days=3), owner="appeals:1"
        ).name
        recent = factories.upload(db.session, files, created_at=now - timedelta(hours=1)).name
        db.session.commit()
    # Files of a day ago: one whose row was rolled back, and one the rows above keep.
    stray = files.write(b"jpeg", "jpg")
    for name in (stray, held):
        os.utime(tmp_path / name, (0, 0))

    result = app.test_cli_runner().invoke(args=["worker", "--once"])

    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([held, recent])
    with app.app_context():
        assert set(db.session.scalars(select(Upload.name))) == {held, recent}
        assert job.run(db.session, now) == 0  # nothing more to do
