"""Archive requests at each stage whose pages show different forms, with their documents,
scans, letter and the archive's seal in the app's upload store: for the tests that open every
route of the portal (the fuzzer, the security and the hostile-input tests).

Written as rows, as the resident's and the archivists' sides leave them (helpers.request), so
that these tests need none of those services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from io import BytesIO

from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.archives import clocks, documents, letters, steps
from portal.archives.models import (
    Archive,
    ArchiveRequest,
    Assist,
    Delivery,
    Outcome,
    Proof,
    RequestState,
    StepKind,
)
from portal.demo.archives import paper_image, seal_image
from portal.uploads import services as uploads
from portal.uploads.models import Upload, UploadKind
from portal.uploads.store import Store
from tests.archives import helpers


@dataclass
class Stages:
    world: helpers.World
    retired: Archive  # brought back into use on its page
    submitted: ArchiveRequest  # to review: accept, ask for more, refuse, pass
    accepted: ArchiveRequest  # being searched, with an assist open at the street's archive
    waiting: ArchiveRequest  # waiting for a document from the resident
    answered: ArchiveRequest  # found, its letter issued, to post
    document: Upload  # a requester's document of `submitted`
    scan: Upload  # a scanned copy of `answered`

    def url_values(self) -> dict[str, list[str]]:
        """Real values of the archives routes' arguments."""
        return {
            # The district's archive, one with nothing open (to retire) and one retired.
            "code": [
                self.world.archive.code,
                self.world.elsewhere_archive.code,
                self.retired.code,
                self.submitted.kind.code,
            ],
            "relation": ["next_of_kin", "self"],
            "reference": [
                each.reference
                for each in (self.submitted, self.accepted, self.waiting, self.answered)
            ],
            "name": [self.document.name, self.scan.name],
        }


def _image(session: Session, store: Store, picture: bytes, purpose: str, owner: str,
           now: datetime) -> Upload:  # fmt: skip
    made = uploads.receive(session, store, BytesIO(picture), purpose=purpose, address=None,
                           now=now, kinds=(UploadKind.IMAGE,))  # fmt: skip
    uploads.attach(session, [made], owner)
    return made


def stages(session: Session, store: Store, resident: User, *, now: datetime) -> Stages:
    """A district's archives (tests/archives/helpers.world) whose first archivist also works
    the street's archive, and `resident`'s requests at each stage."""
    world = helpers.world(session)
    archivist = helpers.member(session, world.street_archive, world.archivist)
    seal = _image(session, store, seal_image(100), documents.SEAL_PURPOSE,
                  documents.seal_owner(world.archive), now)  # fmt: skip
    world.archive.seal_name = seal.name
    retired = helpers.archive(session, world.tree.other_street, "old-records-room", "旧档案室",
                              "Old Records Room")  # fmt: skip
    retired.retired_at = now

    submitted = helpers.request(session, world, resident=resident, now=now)
    document = _image(session, store, paper_image(2), documents.proof_purpose(Proof.REQUESTER_ID),
                      documents.documents_owner(submitted), now)  # fmt: skip

    accepted = helpers.request(session, world, resident=resident, now=now)
    accepted.state, accepted.accepted_at = RequestState.ACCEPTED, now
    accepted.due_at = clocks.answer_due(session, helpers.SETTINGS, now)
    accepted.handler_id = archivist.id
    session.add(Assist(request_id=accepted.id, archive_id=world.street_archive.id,
                       asked_by_id=archivist.id, note="请查1980年婚姻登记", asked_at=now,
                       due_at=clocks.assist_due(session, helpers.SETTINGS, now)))  # fmt: skip
    steps.record_step(session, accepted, StepKind.PASSED, actor=archivist, now=now,
                      archive=world.archive, note="请查1980年婚姻登记")  # fmt: skip

    waiting = helpers.request(session, world, resident=resident, now=now)
    waiting.state, waiting.days_left, waiting.due_at = RequestState.AWAITING_DOCUMENTS, 1, None
    waiting.more_asked, waiting.handler_id = "请补充户口簿", archivist.id
    steps.record_step(session, waiting, StepKind.MORE_ASKED, actor=archivist, now=now,
                      archive=world.archive, note="请补充户口簿")  # fmt: skip

    answered = helpers.request(session, world, resident=resident, now=now, delivery=Delivery.POST)
    scan = _image(session, store, paper_image(8), documents.SCAN_PURPOSE,
                  documents.scans_owner(answered), now)  # fmt: skip
    answered.outcome, answered.file_number = Outcome.FOUND, "婚-1980-0012"
    answered.summary, answered.handler_id = "经查，1980年登记结婚。", archivist.id
    answered.state, answered.due_at = RequestState.ANSWERED, None
    answered.answered_at = answered.closed_at = now + timedelta(minutes=1)
    letters.issue_letter(session, archivist, answered, now=answered.answered_at)
    steps.record_step(session, answered, StepKind.ANSWERED, actor=archivist,
                      now=answered.answered_at, archive=world.archive)  # fmt: skip
    session.flush()
    return Stages(world, retired, submitted, accepted, waiting, answered, document, scan)
