"""Adding the documents the archive asked for, with time passed in: the clock stood still
while the archive waited and runs again, across a weekend, with the working days it had left;
the request goes back to where it was (accepted, or to be checked). Nothing is added to a
request not waiting for documents, without a file, or by anyone but its resident; and two
tabs sending at once add once, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.archives import access, clocks, documents, follow_up, steps
from portal.archives.models import ArchiveRequest, Proof, RequestState, StepKind
from portal.db import db
from portal.errors import Invalid, NotFound
from portal.uploads.web import STORE
from tests import factories
from tests.accounts.test_concurrency import outcomes, together
from tests.archives import helpers
from tests.archives.helpers import SETTINGS


def shanghai(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour - 8, 0, tzinfo=UTC)


def end_of(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 15, 59, 59, 999999, tzinfo=UTC)


def stop_for_documents(session, made: ArchiveRequest, now: datetime, note: str = "请补充户口簿"):
    """What the archive's asking for more does (review.py): the clock stops, its days kept."""
    made.days_left = clocks.days_left(session, made.due_at, now)
    made.due_at = None
    made.more_asked = note
    made.state = RequestState.AWAITING_DOCUMENTS
    steps.record_step(session, made, StepKind.MORE_ASKED, actor=None, now=now, note=note)


def accept(session, made: ArchiveRequest, now: datetime) -> None:
    made.state = RequestState.ACCEPTED
    made.accepted_at = now
    made.due_at = clocks.answer_due(session, SETTINGS, now)
    session.flush()


def sent_for(session, app, *proofs: Proof):
    store = app.extensions[STORE]
    return [
        factories.upload(session, store, purpose=documents.proof_purpose(proof)) for proof in proofs
    ]


@pytest.fixture
def world(session, app_context):
    return helpers.world(session)


def test_an_accepted_request_runs_again_with_its_days_left_across_a_weekend(session, app, world):
    made = helpers.request(session, world, now=shanghai(2026, 11, 24))
    accept(session, made, shanghai(2026, 11, 24))  # Tuesday: answer due by Friday
    assert made.due_at == end_of(2026, 11, 27)
    stop_for_documents(session, made, shanghai(2026, 11, 25))  # Wednesday: Thu, Fri left
    assert made.days_left == 2
    # The household register arrives on Friday: Monday and Tuesday are the two days left.
    follow_up.add_documents(session, world.resident, made, sent_for(session, app, Proof.KINSHIP),
                            settings=SETTINGS, now=shanghai(2026, 11, 27))  # fmt: skip
    assert made.state is RequestState.ACCEPTED
    assert made.due_at == end_of(2026, 12, 1) and made.days_left is None
    assert [step.kind for step in steps.history(session, made)][-2:] == [
        StepKind.MORE_ASKED, StepKind.DOCUMENTS_ADDED,
    ]  # fmt: skip
    assert len(documents.by_proof(documents.documents(session, made))[Proof.KINSHIP]) == 1


def test_a_request_not_yet_accepted_goes_back_to_be_checked_with_a_day_at_least(
    session, app, world
):
    made = helpers.request(session, world, now=shanghai(2026, 11, 24))
    stop_for_documents(session, made, shanghai(2026, 11, 25, 17))  # its due day: none left
    assert made.days_left == 0
    follow_up.add_documents(session, world.resident, made, sent_for(session, app, Proof.OTHER),
                            settings=SETTINGS, now=shanghai(2026, 11, 27, 16))  # fmt: skip
    assert made.state is RequestState.SUBMITTED
    assert made.due_at == end_of(2026, 11, 30)  # Friday → Monday


def test_nothing_is_added_unless_the_archive_waits_for_it_from_its_resident(session, app, world):
    made = helpers.request(session, world)
    files = sent_for(session, app, Proof.KINSHIP)
    with pytest.raises(Invalid, match="not waiting for documents"):
        follow_up.add_documents(session, world.resident, made, files, settings=SETTINGS,
                                now=helpers.TUESDAY_10AM)  # fmt: skip
    stop_for_documents(session, made, helpers.TUESDAY_10AM)
    for someone in (factories.user(session, name="别人"), world.archivist):
        with pytest.raises(NotFound):
            follow_up.add_documents(session, someone, made, files, settings=SETTINGS,
                                    now=helpers.TUESDAY_10AM)  # fmt: skip
    # A file sent for a proof the checklist does not have counts as none.
    guardianship = sent_for(session, app, Proof.GUARDIANSHIP)
    for nothing in ([], guardianship):
        with pytest.raises(Invalid, match="at least one photo or PDF") as error:
            follow_up.add_documents(session, world.resident, made, nothing, settings=SETTINGS,
                                    now=helpers.TUESDAY_10AM)  # fmt: skip
        assert error.value.details["field"] == "files"
    assert made.state is RequestState.AWAITING_DOCUMENTS and files[0].owner is None


@pytest.fixture
def fresh(fresh_app):
    return fresh_app(migrate=True)


def test_two_tabs_sending_at_once_add_once(fresh):
    with fresh.test_request_context():
        world = helpers.world(db.session)
        made = helpers.request(db.session, world)
        stop_for_documents(db.session, made, helpers.TUESDAY_10AM)
        store = fresh.extensions[STORE]
        names = [
            factories.upload(db.session, store, purpose=documents.proof_purpose(Proof.KINSHIP)).name
            for _tab in range(2)
        ]
        reference, resident_id = made.reference, world.resident.id
        db.session.commit()
    later = shanghai(2026, 11, 25)

    def add(index: int) -> None:
        from portal.uploads import services as uploads

        resident = db.session.get(User, resident_id)
        found = access.request_for(db.session, resident, reference, now=later, for_update=True)
        sent = uploads.unattached(
            db.session, [names[index]], documents.proof_purpose(Proof.KINSHIP)
        )
        follow_up.add_documents(db.session, resident, found, sent, settings=SETTINGS, now=later)

    results = together(fresh, 2, add)
    assert outcomes(results) == {"ok": 1, "Invalid": 1}
    with fresh.app_context():
        made = db.session.scalar(select(ArchiveRequest))
        added = [s for s in steps.history(db.session, made) if s.kind is StepKind.DOCUMENTS_ADDED]
        assert made.state is RequestState.SUBMITTED and len(added) == 1
        assert len(documents.documents(db.session, made)) == 1
