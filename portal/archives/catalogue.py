"""What residents choose from: the kinds of record offered, each with its checklist, and the
archives that keep each kind. Administrators keep both (kind_admin.py, archive_admin.py).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.archives.models import Archive, ArchiveKind, Proof, RecordKind, Relation

# The checklist most kinds start with (the practice of 普陀 and 成都): the person concerned
# shows their ID; an agent also the principal's ID and signed authorisation; a guardian the
# proof of guardianship; a near relative of a person who has died the death certificate and
# the proof of their relationship.
DEFAULT_CHECKLIST: dict[str, list[str]] = {
    Relation.SELF.value: [Proof.REQUESTER_ID.value],
    Relation.AGENT.value: [
        Proof.REQUESTER_ID.value, Proof.SUBJECT_ID.value, Proof.AUTHORISATION.value,
    ],
    Relation.GUARDIAN.value: [
        Proof.REQUESTER_ID.value, Proof.SUBJECT_ID.value, Proof.GUARDIANSHIP.value,
    ],
    Relation.NEXT_OF_KIN.value: [
        Proof.REQUESTER_ID.value, Proof.DEATH_CERTIFICATE.value, Proof.KINSHIP.value,
    ],
}  # fmt: skip

# Marriage records are another person's only with their signed authorisation, always: nobody
# asks for a living adult's marriage record as their guardian.
MARRIAGE_CHECKLIST: dict[str, list[str]] = {
    relation: proofs
    for relation, proofs in DEFAULT_CHECKLIST.items()
    if relation != Relation.GUARDIAN.value
}


def offered_kinds(session: Session) -> list[RecordKind]:
    """The kinds of record offered to residents, in the administrators' order."""
    return list(
        session.scalars(
            select(RecordKind)
            .where(RecordKind.is_active.is_(True))
            .order_by(RecordKind.position, RecordKind.id)
        )
    )


def askable_kinds(session: Session) -> list[RecordKind]:
    """The kinds offered that an archive (not retired) keeps, in the administrators' order:
    what residents are shown. A kind just added waits for its archives: a resident who opened
    it would find nobody to ask."""
    kept = (
        select(ArchiveKind.kind_id)
        .join(Archive, Archive.id == ArchiveKind.archive_id)
        .where(ArchiveKind.kind_id == RecordKind.id, Archive.retired_at.is_(None))
        .exists()
    )
    return list(
        session.scalars(
            select(RecordKind)
            .where(RecordKind.is_active.is_(True), kept)
            .order_by(RecordKind.position, RecordKind.id)
        )
    )


def offered_kind(session: Session, kind_id: int | None) -> RecordKind | None:
    """The kind `kind_id` if residents may ask for it now."""
    if kind_id is None:
        return None
    kind = session.get(RecordKind, kind_id)
    return kind if kind is not None and kind.is_active else None


def archives_keeping(session: Session, kind: RecordKind) -> list[Archive]:
    """The archives (not retired) that keep `kind`, by name."""
    return list(
        session.scalars(
            select(Archive)
            .join(ArchiveKind, ArchiveKind.archive_id == Archive.id)
            .where(ArchiveKind.kind_id == kind.id, Archive.retired_at.is_(None))
            .order_by(Archive.place_id, Archive.name_zh, Archive.id)
        )
    )


def keeps(session: Session, archive: Archive, kind: RecordKind) -> bool:
    return (
        session.scalar(
            select(ArchiveKind.archive_id).where(
                ArchiveKind.archive_id == archive.id, ArchiveKind.kind_id == kind.id
            )
        )
        is not None
    )


def active_archives(session: Session) -> list[Archive]:
    """Every archive not retired, by name: where a request can be passed for help."""
    return list(
        session.scalars(
            select(Archive).where(Archive.retired_at.is_(None)).order_by(Archive.name_zh)
        )
    )
