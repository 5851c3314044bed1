"""The purge: files nobody attached to a record within a day go, their rows and their files."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from portal.uploads import services
from portal.uploads.store import Store

CHUNK = 500


def purge_unattached(session: Session, store: Store, now: datetime) -> int:
    """Delete uploads left unattached past `services.KEEP_UNATTACHED`, and files of that age
    with no row (their transaction was rolled back); return how many files went."""
    names = services.purge_unattached(session, now)
    # The rows go first, for good: a file is never deleted while a row still names it.
    session.commit()
    for name in names:
        store.delete(name)
    stray = list(store.names_older_than(now - services.KEEP_UNATTACHED))
    for start in range(0, len(stray), CHUNK):
        chunk = stray[start : start + CHUNK]
        known = services.known_names(session, chunk)
        session.rollback()
        for name in chunk:
            if name not in known:
                store.delete(name)
                names.append(name)
    return len(names)
