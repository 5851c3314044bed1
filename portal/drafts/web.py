"""The browser's side of drafts: its session remembers the key of each form it has begun,
one per form and place ("appeals.report" at one door), so a URL never needs to carry it; and
what a form keeps across a switch of language (TypedAcrossLanguages)."""

from __future__ import annotations

from datetime import datetime

from flask import request, session
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from portal.accounts.language import switch_language
from portal.db import db, start_writing, utcnow
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


class TypedAcrossLanguages:
    """What was typed on a form, kept across a switch of language.

    The header's language button sends the form (base.html's `language_form`); `keep_and_switch`
    keeps its `kept` fields in a draft of `purpose` under `scope` (one per form and thing it
    is about), then switches; the form opened again in the other language gets them back from
    `typed_before`; `forget` drops them once the form has done its work. Nothing is checked
    or sent on the way. A field that must not rest in the database unsealed (an ID number) is
    left out of `kept`.
    """

    def __init__(self, purpose: str, kept: tuple[str, ...]) -> None:
        self.purpose = purpose
        self.kept = kept

    @staticmethod
    def switching_language() -> bool:
        """Whether the form was sent by the header's language button, not by its own."""
        return request.method == "POST" and bool(request.form.get("language"))

    def keep_and_switch(self, scope: str, target: str) -> Response:
        """Keep what was typed (every value of a field of several choices), switch language
        and come back to `target`."""
        now = utcnow()
        start_writing(db.session)
        draft = browser_draft(db.session, self.purpose, scope, now, for_update=True)
        if draft is None or draft.outcome is not None:
            draft = services.start(db.session, self.purpose, now)
        services.keep(draft, {name: request.form.getlist(name) for name in self.kept}, now)
        db.session.commit()
        remember(self.purpose, scope, draft)
        return switch_language(request.form["language"], target)

    def typed_before(self, form: FlaskForm, scope: str) -> None:
        """Put back on a form opened afresh what was typed on it before a switch of language;
        read only, so that opening the form writes nothing."""
        if not remembered_key(self.purpose, scope):
            return
        draft = browser_draft(db.session, self.purpose, scope, utcnow())
        if draft is None or draft.outcome is not None or not draft.answers:
            return
        form.process(
            formdata=MultiDict(
                (name, str(value))
                for name in self.kept
                for value in _values(draft.answers.get(name))
            )
        )

    def forget(self, scope: str, outcome: str) -> None:
        """The form did its work: the draft keeps only what it became."""
        if not remembered_key(self.purpose, scope):
            return
        draft = browser_draft(db.session, self.purpose, scope, utcnow())
        if draft is not None:
            services.finish(draft, outcome, utcnow())


def _values(kept: object) -> list:
    # Drafts kept before fields of several values were kept hold one string each.
    if kept is None:
        return []
    return list(kept) if isinstance(kept, list) else [kept]
