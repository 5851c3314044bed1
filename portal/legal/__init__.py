"""Legal consultations (群众身边的e法官): a resident asks a legal adviser online, the adviser
answers, the resident may follow up, and the adviser answers again, on deadlines counted in
working days.

models.py holds the rows; rotation.py chooses the adviser (community, then street, then
district, fewest open first); settings.py reads the district's deadlines from the
configuration.
"""

from __future__ import annotations

from flask import Flask

SETTINGS = "portal.legal.settings"


def init_app(app: Flask) -> None:
    from portal.legal.settings import LegalSettings
    from portal.legal.views import bp

    app.register_blueprint(bp)
    app.extensions[SETTINGS] = LegalSettings.from_config(app.config)
