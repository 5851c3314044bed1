"""Requests left waiting for documents (job "archives.lapse"): once the archive has waited
`documents_wait_days` for the documents it asked for, the request closes as refused with a
reason that says so, and the resident is texted; the documents they did send then go after
the days every closed request's are kept (retention.py). They may send a new request.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.archives.models import ArchiveRequest, RequestState
from portal.archives.review import close_refused
from portal.archives.settings import ArchiveSettings

BATCH = 200


def lapse(session: Session, settings: ArchiveSettings, now: datetime) -> int:
    """Close the requests that waited too long for documents; return how many."""
    waited = session.scalars(
        select(ArchiveRequest)
        .where(
            ArchiveRequest.state == RequestState.AWAITING_DOCUMENTS,
            ArchiveRequest.waiting_since <= now - timedelta(days=settings.documents_wait_days),
        )
        .order_by(ArchiveRequest.waiting_since)
        .limit(BATCH)
        .with_for_update(skip_locked=True, of=ArchiveRequest)
    ).all()
    for request in waited:
        # Kept as text, in the resident's language, as an archivist's reason is.
        with force_locale(request.locale):
            reason = gettext(
                "The documents the archive asked for did not arrive within %(days)d days. "
                "You may send a new request with them.",
                days=settings.documents_wait_days,
            )
        close_refused(session, request, reason, actor=None, settings=settings, now=now)
    session.flush()
    return len(waited)
