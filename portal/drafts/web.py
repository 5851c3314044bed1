"""The browser's side of drafts: its session remembers the key of each form it has begun,
one per form and place ("appeals.report" at one door), so a URL never needs to carry it."""

from __future__ import annotations

from datetime import datetime

from flask import session
from sqlalchemy.orm import Session

from portal.drafts import services
from portal.drafts.models import Draft

SESSION_KEY = "drafts"
# How many forms a browser keeps going at once: enough for a few doors, small in the cookie.
REMEMBERED = 6


def _name(purpose: str, scope: str) -> str:
    return f"{purpose}:{scope}"


def remembered_key(purpose: str, scope: str) -> str | None:
    return session.get(SESSION_KEY, {}).get(_name(purpose, scope))


def browser_draft(
    db_session: Session, purpose: str, scope: str, now: datetime, *, for_update: bool = False
) -> Draft | None:
    """This browser's draft of this form at this place, if it is still kept."""
    key = remembered_key(purpose, scope)
    return services.find(db_session, key, purpose, now, for_update=for_update)


def remember(purpose: str, scope: str, draft: Draft) -> None:
    """Let this browser come back to `draft`; the oldest remembered draft makes room."""
    kept = {
        name: key
        for name, key in session.get(SESSION_KEY, {}).items()
        if name != _name(purpose, scope)
    }
    names = list(kept)[-(REMEMBERED - 1) :]
    session[SESSION_KEY] = {
        **{name: kept[name] for name in names},
        _name(purpose, scope): draft.key,
    }
