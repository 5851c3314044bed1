"""An adviser's own answer snippets: pieces of answer for questions that repeat, inserted into
an answer as they write it. Each adviser sees and changes only their own.

Functions take a Session, the acting user and plain values; they flush, never commit.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.errors import Forbidden, Invalid, NotFound, Problems
from portal.legal.models import AnswerSnippet
from portal.permissions import Permission, holds_anywhere

TITLE_MAX = 100
BODY_MAX = 3000
# More than an adviser needs; a limit, so that the answer form's list stays short.
MOST = 200


def _require_adviser(actor: User) -> None:
    if not holds_anywhere(actor, Permission.ANSWER_CONSULTATIONS):
        raise Forbidden(_l("This page is for legal advisers."))


def snippets_of(session: Session, actor: User) -> list[AnswerSnippet]:
    """The adviser's snippets, by title."""
    _require_adviser(actor)
    return list(
        session.scalars(
            select(AnswerSnippet)
            .where(AnswerSnippet.adviser_id == actor.id)
            .order_by(AnswerSnippet.title, AnswerSnippet.id)
            .limit(MOST)
        )
    )


def snippet_for(session: Session, actor: User, snippet_id: int) -> AnswerSnippet:
    """The adviser's own snippet `snippet_id`, else NotFound (another's does not exist)."""
    _require_adviser(actor)
    snippet = session.get(AnswerSnippet, snippet_id)
    if snippet is None or snippet.adviser_id != actor.id:
        raise NotFound(_l("There is no such snippet."))
    return snippet


def _checked(title: str, body: str) -> tuple[str, str]:
    title, body = " ".join(title.split()), body.strip()
    problems = Problems()
    if not title:
        problems.refuse(_l("Give the snippet a title."), field="title")
    elif len(title) > TITLE_MAX:
        problems.refuse(_l("Keep the title within 100 characters."), field="title")
    if not body:
        problems.refuse(_l("Write the snippet's text."), field="body")
    elif len(body) > BODY_MAX:
        problems.refuse(_l("Keep the snippet within 3,000 characters."), field="body")
    problems.raise_any()
    return title, body


def add_snippet(
    session: Session, actor: User, title: str, body: str, *, now: datetime
) -> AnswerSnippet:
    """Keep a new snippet for the adviser."""
    _require_adviser(actor)
    title, body = _checked(title, body)
    kept = session.scalar(
        select(AnswerSnippet.id).where(AnswerSnippet.adviser_id == actor.id).offset(MOST - 1)
    )
    if kept is not None:
        raise Invalid(_l("You have 200 snippets already: delete one you no longer use."))
    snippet = AnswerSnippet(
        adviser_id=actor.id, title=title, body=body, created_at=now, updated_at=now
    )
    session.add(snippet)
    session.flush()
    return snippet


def edit_snippet(
    session: Session, actor: User, snippet_id: int, title: str, body: str, *, now: datetime
) -> AnswerSnippet:
    """Change one of the adviser's snippets."""
    snippet = snippet_for(session, actor, snippet_id)
    snippet.title, snippet.body = _checked(title, body)
    snippet.updated_at = now
    session.flush()
    return snippet


def delete_snippet(session: Session, actor: User, snippet_id: int) -> None:
    """Delete one of the adviser's snippets (answers already written keep their text)."""
    session.delete(snippet_for(session, actor, snippet_id))
    session.flush()
