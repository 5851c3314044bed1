"""Legal consultations (群众身边的e法官): a resident asks a legal adviser online, the adviser
answers, the resident may follow up, and the adviser answers again, on deadlines counted in
working days; an answer may become a public question and answer with the resident's consent.

models.py holds the rows; topics.py keeps the list of topics residents pick from.
The resident's side: asking.py (consent, documents, a minor's guardian code) and thread.py
(follow-ups and rating). Who answers: rotation.py (community, then street, then district,
fewest open first), answering.py (the conflict check before reading, answers with citations),
snippets.py, queue.py, supervision.py (the district's overview and reassignment). The clocks:
clocks.py counts the deadlines in working days, sweep.py reminds, escalates and closes,
retention.py deletes old documents. access.py decides who may read a consultation and audits
staff reads. Public questions and answers: faq.py (proposal, consent, review), anonymise.py
(the check before review), faq_search.py (jieba's words). settings.py reads the district's
deadlines from the configuration.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask_babel import lazy_gettext as _l

SETTINGS = "portal.legal.settings"


def init_app(app: Flask) -> None:
    from portal.features import Panel, Tile, add_panel, add_tile
    from portal.jobs.registry import register
    from portal.legal import messages, retention, sweep  # noqa: F401 (messages: SMS kinds)
    from portal.legal.faq import can_review
    from portal.legal.settings import LegalSettings
    from portal.legal.views import adviser, bp, faq, resident, topics  # noqa: F401
    from portal.legal.views.faq import faq_drafts, faq_standing
    from portal.permissions import Permission, can, holds_anywhere
    from portal.uploads.web import STORE

    app.register_blueprint(bp)
    settings = app.extensions[SETTINGS] = LegalSettings.from_config(app.config)
    app.add_template_global(faq_standing, "legal_faq_standing")
    app.add_template_global(faq_drafts, "legal_faq_drafts")

    add_tile(app, "home", Tile("legal.mine", _l("My legal consultations"),
                               _l("Ask a legal adviser online, free of charge."),
                               shown=lambda actor: getattr(actor, "is_authenticated", False),
                               order=215))  # fmt: skip
    add_tile(app, "home", Tile("legal.faq", _l("Legal questions and answers"),
                               _l("Answers lawyers gave to neighbours' questions."), order=260))  # fmt: skip
    # Residents ask from the door they scan, which knows their community.
    add_panel(app, "doors.door", Panel("legal/_resident_door.html", _door_link, 125))
    add_tile(app, "desk", Tile("legal.desk", _l("Legal consultations"),
                               _l("Residents' legal questions: those waiting for your answer, "
                                  "soonest due first."),
                               shown=lambda actor: (
                                   holds_anywhere(actor, Permission.ANSWER_CONSULTATIONS)
                                   or holds_anywhere(actor, Permission.SUPERVISE_CONSULTATIONS)),
                               order=160))  # fmt: skip
    add_tile(app, "desk", Tile("legal.faq_review", _l("Legal questions and answers to publish"),
                               _l("Review the anonymised answers lawyers wrote."),
                               shown=lambda actor: can_review(actor), order=265))  # fmt: skip
    add_tile(app, "desk", Tile("legal.topics", _l("Topics of legal questions"),
                               _l("What residents pick when they ask a legal adviser."),
                               shown=lambda actor: can(actor, Permission.MANAGE_LEGAL),
                               order=435))  # fmt: skip

    # Every minute: a reminder or an escalation goes within a minute of its moment.
    register(app, "legal.sweep", timedelta(minutes=1),
             lambda session, now: sweep.sweep(session, settings, now))  # fmt: skip
    # Documents are kept for months: an hour late to delete them harms no one.
    register(app, "legal.documents", timedelta(hours=1),
             lambda session, now: retention.run(session, settings, app.extensions[STORE], now))  # fmt: skip


def _door_link(_session, _actor, door) -> dict:
    """The same for everyone (the door page is kept and shown to every visitor): asking the
    community's legal advisers online."""
    return {"community_code": door.community_code}
