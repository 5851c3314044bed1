"""Keeping residents' documents no longer than needed (job "legal.documents"): the documents
of consultations closed more than `documents_kept_days` ago are deleted, their rows and their
files in the upload store; the text of the thread is kept.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.legal import asking
from portal.legal.models import Consultation, ConsultationState
from portal.legal.settings import LegalSettings
from portal.uploads.models import Upload
from portal.uploads.store import Store

BATCH = 200


def expire_documents(session: Session, settings: LegalSettings, now: datetime) -> list[str]:
    """Delete the upload rows of consultations closed past the time documents are kept, and
    mark them; return the names of the files, for the caller to delete once committed."""
    closed = session.scalars(
        select(Consultation)
        .where(
            Consultation.state == ConsultationState.CLOSED,
            Consultation.closed_at <= now - timedelta(days=settings.documents_kept_days),
            Consultation.documents_deleted_at.is_(None),
        )
        .order_by(Consultation.closed_at)
        .limit(BATCH)
        .with_for_update(skip_locked=True, of=Consultation)
    ).all()
    names: list[str] = []
    for consultation in closed:
        names.extend(
            session.scalars(
                delete(Upload)
                .where(Upload.owner == asking.document_owner(consultation))
                .returning(Upload.name)
            )
        )
        consultation.documents_deleted_at = now
    session.flush()
    return names


def run(session: Session, settings: LegalSettings, store: Store, now: datetime) -> int:
    """The job: delete the rows for good first, then the files; return how many files went."""
    names = expire_documents(session, settings, now)
    # A file is never deleted while a row still names it: the rows go first, committed.
    session.commit()
    for name in names:
        store.delete(name)
    return len(names)
