"""Keeping requesters' documents no longer than needed (job "archives.documents"): the ID
cards, proofs and authorisations of requests closed more than `documents_kept_days` ago are
deleted, their rows and their files in the upload store. The request, the result letter with
its scanned copies and the verification record stay.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.archives.documents import documents_owner
from portal.archives.models import ArchiveRequest
from portal.archives.settings import ArchiveSettings
from portal.uploads.models import Upload
from portal.uploads.store import Store

BATCH = 200


def expire_documents(session: Session, settings: ArchiveSettings, now: datetime) -> list[str]:
    """Delete the upload rows of the requester's documents of requests closed past the time
    they are kept, and mark the requests; return the names of the files, for the caller to
    delete once committed."""
    closed = session.scalars(
        select(ArchiveRequest)
        .where(
            ArchiveRequest.documents_deleted_at.is_(None),
            ArchiveRequest.closed_at <= now - timedelta(days=settings.documents_kept_days),
        )
        .order_by(ArchiveRequest.closed_at)
        .limit(BATCH)
        .with_for_update(skip_locked=True, of=ArchiveRequest)
    ).all()
    if not closed:
        return []
    owners = [documents_owner(request) for request in closed]
    names = list(
        session.scalars(delete(Upload).where(Upload.owner.in_(owners)).returning(Upload.name))
    )
    for request in closed:
        request.documents_deleted_at = now
    session.flush()
    return names


def run(session: Session, settings: ArchiveSettings, store: Store, now: datetime) -> int:
    """The job: delete the rows for good first, then the files; return how many files went."""
    names = expire_documents(session, settings, now)
    # A file is never deleted while a row still names it: the rows go first, committed.
    session.commit()
    for name in names:
        store.delete(name)
    return len(names)
