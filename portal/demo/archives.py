"""The demo's civil archive queries: the district's archive and a street's records room, each
with its archivist, the kinds of record it keeps and a seal drawn at seeding time; and the demo
resident's queries at the stages an archivist's queue shows (data.ARCHIVE_REQUESTS).

Archives are set up through the administrators' services. The requests are written as rows,
with their numbers sealed, their documents and steps, and the letter issued by the
verification service, as the resident's and the archivists' sides leave them. Seeding again
adds only what is missing.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from io import BytesIO

from PIL import Image, ImageDraw
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.archives import archive_admin, clocks, documents, identity, letters, steps
from portal.archives.models import (
    Archive,
    ArchiveMember,
    ArchiveRequest,
    Delivery,
    Outcome,
    RecordKind,
    Relation,
    RequestState,
    StepKind,
)
from portal.archives.settings import ArchiveSettings
from portal.demo import data
from portal.permissions import SYSTEM
from portal.places.models import Place
from portal.uploads import services as uploads
from portal.uploads.models import Upload, UploadKind
from portal.uploads.store import Store

SEAL_RED = (200, 16, 46)


def seal_image(size: int = 400) -> bytes:
    """A seal as archives stamp it, drawn: a red ring around a five-pointed star (PNG)."""
    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)
    margin = size // 20
    draw.ellipse((margin, margin, size - margin, size - margin), outline=SEAL_RED,
                 width=size // 22)  # fmt: skip
    centre, outer = size / 2, size * 0.24
    inner = outer * 0.382  # the inner points of a regular star
    points = [
        (centre + radius * math.sin(k * math.pi / 5), centre - radius * math.cos(k * math.pi / 5))
        for k in range(10)
        for radius in ((outer if k % 2 == 0 else inner),)
    ]
    draw.polygon(points, fill=SEAL_RED)
    return _png(image)


def paper_image(lines: int = 6) -> bytes:
    """A sheet of paper with lines of "text": the demo's scans and ID photos (PNG)."""
    image = Image.new("RGB", (600, 400), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    for line in range(lines):
        top = 50 + line * 50
        draw.rectangle((50, top, 550 - (line % 3) * 80, top + 14), fill=(150, 150, 150))
    return _png(image)


def _png(image: Image.Image) -> bytes:
    buffer = BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _kept(session: Session, store: Store, picture: bytes, purpose: str, now: datetime) -> Upload:
    return uploads.receive(session, store, BytesIO(picture), purpose=purpose, address=None,
                           now=now, kinds=(UploadKind.IMAGE,))  # fmt: skip


def seed_demo_archives(
    session: Session, store: Store, settings: ArchiveSettings, *, seal_key: bytes, now: datetime
) -> int:
    """The demo's archives, their archivists, kinds and seals, then the demo resident's
    queries; return how many archives were added."""
    added = 0
    every_kind = {kind.code: kind.id for kind in session.scalars(select(RecordKind))}
    for row in data.ARCHIVES:
        code, name_zh, name_en, place_code, address_zh, address_en, phone, members, kinds = row
        archive = session.scalar(select(Archive).where(Archive.code == code))
        if archive is None:
            place = session.scalar(select(Place).where(Place.code == place_code))
            if place is None:
                continue
            archive = archive_admin.create_archive(
                session, SYSTEM, code=code, place_id=place.id, name_zh=name_zh,
                name_en=name_en, address_zh=address_zh, address_en=address_en, phone=phone,
                now=now,
            )  # fmt: skip
            kept = every_kind.values() if kinds is None else [every_kind[each] for each in kinds]
            archive_admin.set_kinds(session, SYSTEM, archive, kept, now=now)
            added += 1
        for user in session.scalars(select(User).where(User.phone.in_(members))):
            if session.get(ArchiveMember, (archive.id, user.id)) is None:
                archive_admin.add_member(session, SYSTEM, archive, user.phone, now=now)
        if archive.seal_name is None:
            seal = _kept(session, store, seal_image(), documents.SEAL_PURPOSE, now)
            archive_admin.replace_seal(session, SYSTEM, archive, seal, now=now)
    _seed_requests(session, store, settings, seal_key, now)
    session.flush()
    return added


def _archivist(session: Session, archive: Archive) -> User | None:
    return session.scalar(
        select(User)
        .join(ArchiveMember, ArchiveMember.user_id == User.id)
        .where(ArchiveMember.archive_id == archive.id)
        .order_by(ArchiveMember.added_at, User.id)
    )


def _seed_requests(
    session: Session, store: Store, settings: ArchiveSettings, seal_key: bytes, now: datetime
) -> None:
    """The demo resident's queries (data.ARCHIVE_REQUESTS); none when they have some."""
    resident = session.scalar(select(User).where(User.phone == data.PEOPLE[0][1]))
    if resident is None:
        return
    if session.scalar(select(ArchiveRequest.id).where(ArchiveRequest.user_id == resident.id)):
        return
    archives = {archive.code: archive for archive in session.scalars(select(Archive))}
    kinds = {kind.code: kind for kind in session.scalars(select(RecordKind))}
    for row in data.ARCHIVE_REQUESTS:
        code, kind_code, relation, subject, subject_id, purpose, delivery, stage, days = row
        archive, kind = archives.get(code), kinds.get(kind_code)
        if archive is None or kind is None:
            continue
        sent_at = now - timedelta(days=days, hours=1)
        made = ArchiveRequest(
            reference=steps.new_reference(session), user_id=resident.id, user=resident,
            archive=archive, kind=kind, relation=Relation(relation),
            requester_name=resident.display_name, requester_id_masked="",
            requester_id_sealed="", subject_name=subject, purpose=purpose,
            delivery=Delivery(delivery),
            postal_address=data.ARCHIVE_POSTAL_ADDRESS if delivery == "post" else "",
            consented_at=sent_at, locale="zh_Hans_CN", created_at=sent_at,
            state=RequestState.SUBMITTED, due_at=clocks.review_due(session, settings, sent_at),
        )  # fmt: skip
        session.add(made)
        session.flush()
        identity.seal_numbers(made, data.ARCHIVE_RESIDENT_ID, subject_id or None, seal_key)
        sent = [
            _kept(session, store, paper_image(3), documents.proof_purpose(proof), sent_at)
            for proof in kind.proofs_for(made.relation) or []
        ]
        documents.attach_documents(session, made, sent)
        steps.record_step(session, made, StepKind.SENT, actor=resident, now=sent_at)
        archivist = _archivist(session, archive)
        if archivist is None or stage == "sent":
            continue
        made.handler_id = archivist.id
        if stage == "more":
            _ask_for_more(session, made, archivist, sent_at + timedelta(hours=3))
        elif stage == "answered":
            _answer(session, store, settings, made, archivist, sent_at)


def _ask_for_more(session: Session, made: ArchiveRequest, archivist: User, at: datetime) -> None:
    made.state = RequestState.AWAITING_DOCUMENTS
    made.days_left = clocks.days_left(session, made.due_at, at)
    made.due_at = None
    made.more_asked = data.ARCHIVE_MORE_ASKED
    steps.record_step(session, made, StepKind.MORE_ASKED, actor=archivist, now=at,
                      archive=made.archive, note=data.ARCHIVE_MORE_ASKED)  # fmt: skip


def _answer(
    session: Session, store: Store, settings: ArchiveSettings, made: ArchiveRequest,
    archivist: User, sent_at: datetime,
) -> None:  # fmt: skip
    accepted_at = sent_at + timedelta(hours=2)
    made.state, made.accepted_at = RequestState.ACCEPTED, accepted_at
    made.due_at = clocks.answer_due(session, settings, accepted_at)
    steps.record_step(session, made, StepKind.ACCEPTED, actor=archivist, now=accepted_at,
                      archive=made.archive)  # fmt: skip
    answered_at = accepted_at + timedelta(days=1)
    scans = [_kept(session, store, paper_image(8), documents.SCAN_PURPOSE, answered_at)
             for _page in range(2)]  # fmt: skip
    documents.attach_scans(session, made, scans)
    made.outcome, made.file_number = Outcome.FOUND, data.ARCHIVE_FILE_NUMBER
    made.summary = data.ARCHIVE_SUMMARY
    made.state, made.due_at = RequestState.ANSWERED, None
    made.answered_at = made.closed_at = answered_at
    letters.issue_letter(session, archivist, made, now=answered_at)
    steps.record_step(session, made, StepKind.ANSWERED, actor=archivist, now=answered_at,
                      archive=made.archive)  # fmt: skip
