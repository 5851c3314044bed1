"""Legal consultations (群众身边的e法官): a resident asks a legal adviser online, the adviser
answers, the resident may follow up, and the adviser answers again, on deadlines counted in
working days.

models.py holds the rows; topics.py keeps the list of topics residents pick from; rotation.py chooses the adviser (community, then street, then
district, fewest open first); clocks.py counts the deadlines; access.py decides who may read
a consultation and audits staff reads; settings.py reads the district's deadlines from the
configuration.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

SETTINGS = "portal.legal.settings"


def init_app(app: Flask) -> None:
    from portal.features import Tile, add_tile
    from portal.legal import messages  # noqa: F401
    from portal.legal.settings import LegalSettings
    from portal.legal.views import adviser, bp, faq, resident, topics  # noqa: F401
    from portal.permissions import Permission, can

    app.register_blueprint(bp)
    app.extensions[SETTINGS] = LegalSettings.from_config(app.config)
    add_tile(app, "desk", Tile("legal.topics", _l("Topics of legal questions"),
                               _l("What residents pick when they ask a legal adviser."),
                               shown=lambda actor: can(actor, Permission.MANAGE_LEGAL),
                               order=435))  # fmt: skip
    # --- the resident's side (tiles) ---
    from portal.features import Panel, add_panel

    add_tile(app, "home", Tile("legal.mine", _l("My legal consultations"),
                               _l("Ask a legal adviser online, free of charge."),
                               shown=lambda actor: getattr(actor, "is_authenticated", False),
                               order=215))  # fmt: skip
    # Residents ask from the door they scan, which knows their community.
    add_panel(app, "doors.door", Panel("legal/_resident_door.html", _door_link, 125))
    # --- the adviser's and supervisor's side (tiles, the sweep and retention jobs) ---
    _adviser_side(app)
    # --- public questions and answers (tiles) ---
    from portal.legal.faq import can_review
    from portal.legal.views.faq import faq_standing

    app.add_template_global(faq_standing, "legal_faq_standing")
    add_tile(app, "home", Tile("legal.faq", _l("Legal questions and answers"),
                               _l("Answers lawyers gave to neighbours' questions."), order=260))  # fmt: skip
    add_tile(app, "desk", Tile("legal.faq_review", _l("Legal questions and answers to publish"),
                               _l("Review the anonymised answers lawyers wrote."),
                               shown=lambda actor: can_review(actor), order=265))  # fmt: skip


def _door_link(_session, _actor, door) -> dict:
    """The same for everyone (the door page is kept and shown to every visitor): asking the
    community's legal advisers online."""
    return {"community_code": door.community_code}


def _adviser_side(app: Flask) -> None:
    """The desk's tile for advisers and supervisors, the sweep, and the documents' deletion."""
    from datetime import timedelta

    from flask_babel import lazy_gettext as _l

    from portal.features import Tile, add_tile
    from portal.jobs.registry import register
    from portal.legal import retention, sweep
    from portal.permissions import Permission, holds_anywhere
    from portal.uploads.web import STORE

    add_tile(
        app,
        "desk",
        Tile(
            "legal.desk",
            _l("Legal consultations"),
            _l("Residents' legal questions: those waiting for your answer, soonest due first."),
            shown=lambda actor: (
                holds_anywhere(actor, Permission.ANSWER_CONSULTATIONS)
                or holds_anywhere(actor, Permission.SUPERVISE_CONSULTATIONS)
            ),
            order=160,
        ),
    )
    settings = app.extensions[SETTINGS]
    # Every minute: a reminder or an escalation goes within a minute of its moment.
    register(app, "legal.sweep", timedelta(minutes=1),
             lambda session, now: sweep.sweep(session, settings, now))  # fmt: skip
    register(
        app,
        "legal.documents",
        timedelta(hours=1),
        lambda session, now: retention.run(session, settings, app.extensions[STORE], now),
    )
