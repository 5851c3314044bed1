"""What was typed on the form asking for help, kept across a switch of language.

The header's language button sends the form (base.html's language_form); its answers are kept
in a form draft (portal.drafts, as the report from the door keeps its screens) under a key the
browser's session remembers, and the form opened again in the other language shows them.
Sending the request forgets them."""

from __future__ import annotations

from flask import request
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from portal.accounts.language import switch_language
from portal.db import db, start_writing, utcnow
from portal.drafts import services as drafts
from portal.drafts.web import browser_draft, remember, remembered_key
from portal.volunteering.help_forms import HelpForm

PURPOSE = "volunteering.help_ask"
# The fields kept: everything the person types or chooses on the form.
KEPT = ("service_kind", "day", "starts_at", "minutes", "location", "note", "payer")


def switching_language() -> bool:
    """Whether the form was sent by the header's language button, not by its own."""
    return request.method == "POST" and bool(request.form.get("language"))


def keep_and_switch(scope: str, target: str) -> Response:
    """Keep what was typed on the form for this elder (`scope`), then switch language and come
    back to `target`: nothing is checked or sent on the way."""
    now = utcnow()
    start_writing(db.session)
    draft = browser_draft(db.session, PURPOSE, scope, now, for_update=True)
    if draft is None or draft.outcome is not None:
        draft = drafts.start(db.session, PURPOSE, now)
    drafts.keep(draft, {name: request.form.get(name, "") for name in KEPT}, now)
    db.session.commit()
    remember(PURPOSE, scope, draft)
    return switch_language(request.form["language"], target)


def typed_before(form: HelpForm, scope: str) -> None:
    """Put back on a form opened afresh what was typed on it before a switch of language;
    read only, so that opening the form writes nothing."""
    if not remembered_key(PURPOSE, scope):
        return
    draft = browser_draft(db.session, PURPOSE, scope, utcnow())
    if draft is None or draft.outcome is not None or not draft.answers:
        return
    form.process(formdata=MultiDict({name: str(draft.answers.get(name, "")) for name in KEPT}))


def forget(scope: str, outcome: str) -> None:
    """The request was sent: the draft keeps only what it became."""
    if not remembered_key(PURPOSE, scope):
        return
    draft = browser_draft(db.session, PURPOSE, scope, utcnow())
    if draft is not None:
        drafts.finish(draft, outcome, utcnow())
