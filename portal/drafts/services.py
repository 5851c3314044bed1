"""Drafts: start, read, keep and finish a form's answers; the purge after a day."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.drafts.models import Draft

# Long enough for a resident to come back to a report after a night's sleep.
KEEP = timedelta(hours=24)


def find(
    session: Session, key: str | None, purpose: str, now: datetime, *, for_update: bool = False
) -> Draft | None:
    """The draft under `key` for this form, unless it is older than KEEP. `for_update` locks
    it, so that two screens sent at once (two tabs, a double tap) save one after the other."""
    if not key:
        return None
    query = select(Draft).where(Draft.key == key, Draft.purpose == purpose)
    if for_update:
        query = query.with_for_update()
    draft = session.scalars(query).first()
    if draft is None or draft.updated_at < now - KEEP:
        return None
    return draft


def start(session: Session, purpose: str, now: datetime) -> Draft:
    draft = Draft(key=secrets.token_urlsafe(24), purpose=purpose, answers={}, updated_at=now)
    session.add(draft)
    return draft


def keep(draft: Draft, answers: dict[str, Any], now: datetime) -> None:
    """Replace the draft's answers (a new dict, so that the JSON column sees the change)."""
    draft.answers = dict(answers)
    draft.updated_at = now


def finish(draft: Draft, outcome: str, now: datetime) -> None:
    """The form was sent: forget what was typed and keep only what it became."""
    draft.answers = {}
    draft.outcome = outcome
    draft.updated_at = now


def purge(session: Session, now: datetime) -> int:
    """Delete the drafts nobody touched for KEEP; return how many went."""
    result = session.execute(delete(Draft).where(Draft.updated_at < now - KEEP))
    session.commit()
    return result.rowcount
