"""The files of an archive query in the upload store, by who holds them:

- the requester's documents (ID cards, proofs, the authorisation), owned by
  "archive_requests:<id>", each sent for one proof of the checklist (the store's purpose
  "archives.<proof>"): deleted N days after the request closes (retention.py);
- the scanned copies of the record the archives provide, owned by "archive_scans:<id>"
  (purpose "archives.scan"), whichever archive (receiving or assisting) sent them: they are
  part of the result letter and are kept with it;
- an archive's seal, owned by "archives:<id>" (purpose "archives.seal").
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from portal.archives.models import Archive, ArchiveRequest, Proof
from portal.uploads import services as uploads
from portal.uploads.models import Upload, UploadKind

DOCUMENT_KINDS = (UploadKind.IMAGE, UploadKind.PDF)
# Files a requester may send for one proof (an ID card's two sides, a long certificate).
MOST_PER_PROOF = 3
# Scanned pages an archive may attach to one result.
MOST_SCANS = 10
SCAN_PURPOSE = "archives.scan"
SEAL_PURPOSE = "archives.seal"
SEAL_KINDS = (UploadKind.IMAGE,)


def proof_purpose(proof: Proof) -> str:
    """The upload store's purpose of a file sent for `proof`: "archives.death_certificate"."""
    return f"archives.{proof.value}"


def proof_of(upload: Upload) -> Proof | None:
    """The proof a requester's file was sent for."""
    try:
        return Proof(upload.purpose.removeprefix("archives."))
    except ValueError:
        return None


def documents_owner(request: ArchiveRequest) -> str:
    return f"archive_requests:{request.id}"


def scans_owner(request: ArchiveRequest) -> str:
    return f"archive_scans:{request.id}"


def seal_owner(archive: Archive) -> str:
    return f"archives:{archive.id}"


def attach_documents(session: Session, request: ArchiveRequest, sent: Iterable[Upload]) -> None:
    """Give the request the requester's files sent with its form (those sent for a proof)."""
    wanted = [upload for upload in sent if proof_of(upload) is not None]
    uploads.attach(session, wanted, documents_owner(request))
    session.flush()


def documents(session: Session, request: ArchiveRequest) -> list[Upload]:
    """The requester's files, oldest first (none once retention deleted them)."""
    return uploads.attached_to(session, documents_owner(request))


def by_proof(files: Iterable[Upload]) -> dict[Proof, list[Upload]]:
    """Files grouped by the proof they were sent for, in the order they came."""
    grouped: dict[Proof, list[Upload]] = {}
    for upload in files:
        proof = proof_of(upload)
        if proof is not None:
            grouped.setdefault(proof, []).append(upload)
    return grouped


def attach_scans(session: Session, request: ArchiveRequest, sent: Iterable[Upload]) -> None:
    wanted = [upload for upload in sent if upload.purpose == SCAN_PURPOSE]
    uploads.attach(session, wanted, scans_owner(request))
    session.flush()


def scans(session: Session, request: ArchiveRequest) -> list[Upload]:
    """The scanned copies of the record, oldest first."""
    return uploads.attached_to(session, scans_owner(request))


def find_file(session: Session, request: ArchiveRequest, name: str) -> Upload | None:
    """The request's file called `name`, a document or a scan; another record's never is."""
    name = (name or "")[:40]
    return uploads.find(session, name, documents_owner(request)) or uploads.find(
        session, name, scans_owner(request)
    )
