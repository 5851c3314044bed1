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
    # --- public questions and answers (tiles) ---
    from flask_babel import lazy_gettext as _l

    from portal.features import Tile, add_tile
    from portal.legal.faq import can_review
    from portal.legal.views.faq import faq_standing

    app.add_template_global(faq_standing, "legal_faq_standing")
    add_tile(app, "home", Tile("legal.faq", _l("Legal questions and answers"),
                               _l("Answers lawyers gave to neighbours' questions."), order=260))  # fmt: skip
    add_tile(app, "desk", Tile("legal.faq_review", _l("Legal questions and answers to publish"),
                               _l("Review the anonymised answers lawyers wrote."),
                               shown=lambda actor: can_review(actor), order=265))  # fmt: skip
