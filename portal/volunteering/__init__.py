"""Volunteering and the time bank (时间银行).

Residents register as volunteers by real name (volunteers.py), sign up for the activities
coordinators publish (activities.py), check in and out by scanning the activity's rotating QR
code (checkin.py), and have their hours confirmed and banked on the ledger (confirming.py).
models.py holds the rows; hours.py and the token code are pure logic.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from portal.features import Tile, add_tile
    from portal.permissions import Permission, can, holds_anywhere

    # Imported for what they register as they load: kinds of SMS, and the pages.
    from portal.volunteering import messages  # noqa: F401
    from portal.volunteering.views import bp, kinds, volunteers  # noqa: F401

    app.register_blueprint(bp)
    add_tile(app, "home", Tile("volunteering.home", _l("Volunteering"),
                               _l("Give time to your neighbours; it is kept in the time bank."),
                               order=220))  # fmt: skip
    add_tile(
        app,
        "desk",
        Tile(
            "volunteering.desk",
            _l("Volunteers"),
            _l("Applications to answer, and your community's volunteers."),
            shown=lambda actor: holds_anywhere(actor, Permission.COORDINATE_VOLUNTEERS),
            order=160,
        ),
    )
    add_tile(
        app,
        "desk",
        Tile(
            "volunteering.kinds",
            _l("Kinds of volunteer service"),
            _l("What volunteers offer and activities are about."),
            shown=lambda actor: can(actor, Permission.MANAGE_VOLUNTEERING),
            order=420,
        ),
    )
