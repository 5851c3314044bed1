"""The requester's documents of requests closed more than `documents_kept_days` (90) days ago
are deleted, rows and files, and the request marked; the request, its steps, the scanned
copies, the letter and the archive's seal stay, and open or lately closed requests keep
everything. The job runs through the worker like the others."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.archives import letters, retention, steps
from portal.archives.documents import (
    SCAN_PURPOSE,
    SEAL_PURPOSE,
    documents_owner,
    proof_purpose,
    scans_owner,
    seal_owner,
)
from portal.archives.models import (
    ArchiveRequest,
    Outcome,
    Proof,
    RequestState,
    RequestStep,
    StepKind,
)
from portal.archives.settings import ArchiveSettings
from portal.db import db
from portal.jobs.registry import registered, run_due, schedule
from portal.uploads.models import Upload
from portal.uploads.store import Store
from portal.uploads.web import store as app_store
from portal.verification.models import IssuedDocument
from tests import factories
from tests.archives import helpers
from tests.archives.helpers import SETTINGS

NOW = helpers.TUESDAY_10AM + timedelta(days=200)


def closed(session, world, closed_at, *, answered: bool = True) -> ArchiveRequest:
    """A request answered (found, with its letter) or refused at `closed_at`."""
    made = helpers.request(session, world, now=closed_at - timedelta(days=2))
    if answered:
        made.outcome, made.file_number, made.summary = Outcome.FOUND, "婚-1980-0012", "经查属实"
        made.state, made.answered_at = RequestState.ANSWERED, closed_at
        letters.issue_letter(session, world.archivist, made, now=closed_at)
        steps.record_step(session, made, StepKind.ANSWERED, actor=world.archivist, now=closed_at)
    else:
        made.state, made.refusal_reason = RequestState.REFUSED, "材料不全"
    made.closed_at, made.due_at = closed_at, None
    session.flush()
    return made


def documents_of(session, store, made, count: int = 2) -> list[str]:
    return [
        factories.upload(session, store, owner=documents_owner(made),
                         purpose=proof_purpose(proof)).name
        for proof in (Proof.REQUESTER_ID, Proof.DEATH_CERTIFICATE)[:count]
    ]  # fmt: skip


def names_kept(session) -> set[str]:
    return set(session.scalars(select(Upload.name)))


@pytest.mark.usefixtures("app_context")
def test_the_documents_go_ninety_days_after_closing_and_nothing_else(session, tmp_path):
    store = Store(tmp_path)
    world = helpers.world(session)
    old = closed(session, world, NOW - timedelta(days=90))
    refused = closed(session, world, NOW - timedelta(days=120), answered=False)
    recent = closed(session, world, NOW - timedelta(days=89, hours=23))
    # Open since long ago: the documents are needed until it closes.
    waiting = helpers.request(session, world, now=NOW - timedelta(days=150))
    waiting.state, waiting.days_left, waiting.due_at = RequestState.AWAITING_DOCUMENTS, 1, None
    going = documents_of(session, store, old) + documents_of(session, store, refused, 1)
    staying = documents_of(session, store, recent) + documents_of(session, store, waiting)
    scans = [factories.upload(session, store, owner=scans_owner(old), purpose=SCAN_PURPOSE).name]
    seal = factories.upload(session, store, owner=seal_owner(world.archive), purpose=SEAL_PURPOSE)
    history = session.scalar(select(func.count()).select_from(RequestStep))

    # The job commits; the test's session joins a savepoint, so this stays inside the test.
    assert retention.run(session, SETTINGS, store, NOW) == 3

    assert not set(going) & names_kept(session)
    assert all(store.path(name) is None for name in going)
    assert {*staying, *scans, seal.name} <= names_kept(session)
    assert all(store.path(name) for name in (*staying, *scans, seal.name))
    assert old.documents_deleted_at == refused.documents_deleted_at == NOW
    assert recent.documents_deleted_at is None and waiting.documents_deleted_at is None
    # The request, its history and its letter are kept, and the letter still counts.
    session.expire_all()
    kept = session.get(ArchiveRequest, old.id)
    assert (kept.state, kept.file_number, kept.summary) == (
        RequestState.ANSWERED, "婚-1980-0012", "经查属实"
    )  # fmt: skip
    letter = session.get(IssuedDocument, kept.letter_id)
    assert letter is not None and letter.withdrawn_at is None
    assert session.scalar(select(func.count()).select_from(RequestStep)) == history
    # Nothing more to do the next time, until the lately closed one's 90 days are up.
    assert retention.run(session, SETTINGS, store, NOW + timedelta(minutes=30)) == 0
    assert retention.run(session, SETTINGS, store, NOW + timedelta(hours=1)) == 2


@pytest.mark.usefixtures("app_context")
def test_a_district_that_keeps_documents_longer_keeps_them(session, tmp_path):
    store = Store(tmp_path)
    world = helpers.world(session)
    old = closed(session, world, NOW - timedelta(days=100))
    names = documents_of(session, store, old)
    longer = ArchiveSettings(documents_kept_days=180)
    assert retention.run(session, longer, store, NOW) == 0
    assert set(names) <= names_kept(session) and old.documents_deleted_at is None


def test_the_worker_runs_the_job_with_the_portals_store(fresh_app, tmp_path: Path):
    app = fresh_app(migrate=True, UPLOADS_DIR=str(tmp_path))
    with app.test_request_context():
        world = helpers.world(db.session)
        old = closed(db.session, world, NOW - timedelta(days=91))
        names = documents_of(db.session, app_store(), old)
        db.session.commit()
        assert all(app_store().path(name) for name in names)
        jobs = [job for job in registered(app) if job.name == "archives.documents"]
        assert len(jobs) == 1 and jobs[0].every == timedelta(hours=1)
        schedule(db.session, jobs, NOW)
        assert run_due(db.session, jobs, lambda: NOW) == {"archives.documents": 2}
        assert all(app_store().path(name) is None for name in names)
        assert db.session.get(ArchiveRequest, old.id).documents_deleted_at == NOW
