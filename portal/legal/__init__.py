"""Legal consultations (群众身边的e法官): a resident asks a legal adviser online, the adviser
answers, the resident may follow up, and the adviser answers again, on deadlines counted in
working days.

models.py holds the rows; rotation.py chooses the adviser (community, then street, then
district, fewest open first); clocks.py counts the deadlines; access.py decides who may read
a consultation and audits staff reads; settings.py reads the district's deadlines from the
configuration.
"""

from __future__ import annotations

from flask import Flask

SETTINGS = "portal.legal.settings"


def init_app(app: Flask) -> None:
    from portal.legal import messages  # noqa: F401
    from portal.legal.settings import LegalSettings
    from portal.legal.views import adviser, bp, faq, resident  # noqa: F401

    app.register_blueprint(bp)
    app.extensions[SETTINGS] = LegalSettings.from_config(app.config)
    # --- the resident's side (tiles) ---
    # --- the adviser's and supervisor's side (tiles, the sweep and retention jobs) ---
    _adviser_side(app)
    # --- public questions and answers (tiles) ---


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
