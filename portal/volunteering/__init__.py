"""Volunteering and the time bank (时间银行).

Residents register as volunteers by real name (volunteers.py), sign up for the activities
coordinators publish (activities.py), check in and out by scanning the activity's rotating QR
code (checkin.py), and have their hours confirmed and banked on the ledger (confirming.py);
certificates.py gives a volunteer a certificate of their service that anyone can verify.
models.py holds the rows; hours.py and the token code are pure logic.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from portal.features import Tile, add_tile
    from portal.jobs.registry import register
    from portal.permissions import Permission, holds_anywhere
    from portal.verification import register_kind

    # Imported for what they register as they load: kinds of SMS, and the routes.
    from portal.volunteering import activity_reminders, messages, timebank  # noqa: F401
    from portal.volunteering.certificates import CERTIFICATE
    from portal.volunteering.giving import KINSHIPS, kinships_from_config
    from portal.volunteering.views import activities, bp, certificates  # noqa: F401
    from portal.volunteering.views import giving as giving_views  # noqa: F401
    from portal.volunteering.views import timebank as timebank_views  # noqa: F401

    app.register_blueprint(bp)
    register_kind(app, CERTIFICATE)
    app.extensions[timebank.RULES] = timebank.TimeBankRules.from_config(app.config)
    app.extensions[KINSHIPS] = kinships_from_config(app.config)
    add_tile(app, "home", Tile("volunteering.activities", _l("Volunteer activities"),
                               _l("Find an activity near you and sign up."), order=220))  # fmt: skip
    add_tile(
        app,
        "desk",
        Tile(
            "volunteering.desk_activities",
            _l("Volunteer activities"),
            _l("Publish activities, see who signed up, change or cancel them."),
            shown=lambda actor: holds_anywhere(actor, Permission.COORDINATE_VOLUNTEERS),
            order=160,
        ),
    )
    add_tile(
        app,
        "home",
        Tile(
            "volunteering.hours",
            _l("My time bank hours"),
            _l("Hours stored, given to family or donated."),
            shown=lambda actor: getattr(actor, "is_authenticated", False),
            order=225,
        ),
    )
    add_tile(
        app,
        "desk",
        Tile(
            "volunteering.pool",
            _l("Time bank pool"),
            _l("The community's pool of hours, and relatives to confirm."),
            shown=lambda actor: holds_anywhere(actor, Permission.COORDINATE_VOLUNTEERS),
            order=165,
        ),
    )
    # Every five minutes: a day-before reminder need not be to the minute.
    register(app, "volunteering.remind", timedelta(minutes=5), activity_reminders.sweep)
