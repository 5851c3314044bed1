"""Two records reaching for the same upload at the same moment: one gets it, on SQLite and
PostgreSQL (two taps on Send from two tabs carrying the same photos, say)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from portal.db import db, utcnow
from portal.uploads import services
from portal.uploads.models import Upload
from portal.uploads.web import store
from tests import factories

RACERS = 6


@pytest.fixture
def app(fresh_app):
    return fresh_app(migrate=True)


def test_an_upload_attached_by_several_at_once_goes_to_one(app):
    with app.app_context():
        photos = [factories.upload(db.session, store(app), created_at=utcnow()) for _ in range(3)]
        ids = [photo.id for photo in photos]
        db.session.commit()
    barrier = threading.Barrier(RACERS)
    got: dict[int, list[int]] = {}
    crashes = []

    def attach(racer: int) -> None:
        with app.app_context():
            try:
                mine = db.session.scalars(select(Upload).where(Upload.id.in_(ids))).all()
                db.session.rollback()  # each begins its writing transaction at the barrier
                barrier.wait()
                taken = services.attach(db.session, mine, f"appeals:{racer}")
                got[racer] = [upload.id for upload in taken]
                db.session.commit()
            except Exception as error:  # reported below
                db.session.rollback()
                crashes.append(repr(error))

    threads = [threading.Thread(target=attach, args=(racer,)) for racer in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert crashes == []
    assert sorted(i for taken in got.values() for i in taken) == sorted(ids)
    with app.app_context():
        owners = dict(db.session.execute(select(Upload.id, Upload.owner)).all())
    for racer, taken in got.items():
        assert all(owners[i] == f"appeals:{racer}" for i in taken)
