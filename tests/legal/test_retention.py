"""Documents of consultations closed more than 180 days ago are deleted, rows and files; the
thread's text stays, and nothing else is touched."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.legal import asking, retention
from portal.legal.models import ClosedBecause, ConsultationEntry, ConsultationState
from portal.uploads.models import Upload
from portal.uploads.store import Store
from tests import factories
from tests.legal import helpers
from tests.legal.helpers import SETTINGS, TUESDAY_10AM

pytestmark = pytest.mark.usefixtures("app_context")


def _closed(session, community, closed_at):
    made = helpers.consultation(session, community)
    made.state = ConsultationState.CLOSED
    made.closed_because = ClosedBecause.RATED
    made.closed_at = closed_at
    made.due_at = made.sweep_at = None
    session.flush()
    return made


def test_old_documents_go_the_rest_stays(session, tmp_path):
    store = Store(tmp_path / "uploads")
    world = helpers.world(session)
    old = _closed(session, world.tree.community, TUESDAY_10AM - timedelta(days=181))
    recent = _closed(session, world.tree.community, TUESDAY_10AM - timedelta(days=179))
    still_open = helpers.consultation(session, world.tree.community)
    uploads = {
        made.id: factories.upload(session, store, owner=asking.document_owner(made))
        for made in (old, recent, still_open)
    }
    an_appeals = factories.upload(session, store, owner="appeals:1")
    names = {made_id: upload.name for made_id, upload in uploads.items()}

    # The job commits; the test's session joins a savepoint, so this stays inside the test.
    assert retention.run(session, SETTINGS, store, TUESDAY_10AM) == 1

    assert store.path(names[old.id]) is None
    assert old.documents_deleted_at == TUESDAY_10AM
    left = set(session.scalars(select(Upload.name)))
    assert names[old.id] not in left
    assert {names[recent.id], names[still_open.id], an_appeals.name} <= left
    assert all(store.path(name) for name in (names[recent.id], names[still_open.id]))
    assert recent.documents_deleted_at is None and still_open.documents_deleted_at is None
    # The text of the thread is kept.
    assert (
        session.scalar(
            select(ConsultationEntry.body).where(ConsultationEntry.consultation_id == old.id)
        )
        == helpers.QUESTION
    )
    # Nothing more to do the next time.
    assert retention.run(session, SETTINGS, store, TUESDAY_10AM + timedelta(hours=1)) == 0
