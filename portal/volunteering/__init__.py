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
    from portal.features import Panel, Tile, add_panel, add_tile
    from portal.jobs.registry import register
    from portal.permissions import Permission, can, holds_anywhere
    from portal.verification import register_kind

    # Imported for what they register as they load: kinds of SMS, and the pages.
    from portal.volunteering import activity_reminders, hours_page, messages, timebank  # noqa: F401
    from portal.volunteering.certificates import CERTIFICATE
    from portal.volunteering.cli import timebank_cli
    from portal.volunteering.giving import KINSHIPS, kinships_from_config
    from portal.volunteering.views import (  # noqa: F401
        activities,
        attendance,
        bp,
        certificates,
        family,
        grants,
        help_requests,
        kinds,
        volunteers,
    )
    from portal.volunteering.views import giving as giving_views  # noqa: F401
    from portal.volunteering.views import timebank as timebank_views  # noqa: F401
    from portal.volunteering.views.volunteers import HOME_SLOT

    app.register_blueprint(bp)
    app.cli.add_command(timebank_cli)
    register_kind(app, CERTIFICATE)
    app.extensions[timebank.RULES] = timebank.TimeBankRules.from_config(app.config)
    app.extensions[KINSHIPS] = kinships_from_config(app.config)
    add_tile(app, "home", Tile("volunteering.home", _l("Volunteering"),
                               _l("Give time to your neighbours; it is kept in the time bank."),
                               order=220))  # fmt: skip
    coordinates = lambda actor: holds_anywhere(actor, Permission.COORDINATE_VOLUNTEERS)  # noqa: E731
    add_tile(app, "desk", Tile("volunteering.desk", _l("Volunteers"),
                               _l("Applications to answer, and your community's volunteers."),
                               shown=coordinates, order=160))  # fmt: skip
    add_tile(app, "desk", Tile("volunteering.desk_activities", _l("Volunteer activities"),
                               _l("Publish activities, see who signed up, change or cancel them."),
                               shown=coordinates, order=161))  # fmt: skip
    add_tile(app, "desk", Tile("volunteering.pools", _l("Communities' time-bank pools"),
                               _l("Grant hours for priority elderly residents' help."),
                               shown=lambda actor: holds_anywhere(actor, Permission.MANAGE_VOLUNTEERING),
                               order=421))  # fmt: skip
    add_tile(app, "desk", Tile("volunteering.kinds", _l("Kinds of volunteer service"),
                               _l("What volunteers offer and activities are about."),
                               shown=lambda actor: can(actor, Permission.MANAGE_VOLUNTEERING),
                               order=420))  # fmt: skip
    add_tile(app, "home", Tile("volunteering.my_help", _l("Help for older residents"),
                               _l("Ask for a volunteer's help, paid in time-bank hours."),
                               order=225))  # fmt: skip
    add_tile(app, "desk", Tile("volunteering.desk_help", _l("Help for older residents"),
                               _l("Register older residents, match volunteers to their requests, "
                                  "confirm the help."),
                               shown=coordinates, order=165))  # fmt: skip
    add_tile(app, "desk", Tile("volunteering.desk_elders", _l("Older residents' help"),
                               _l("Ask for help for the older residents of your grid's "
                                  "community."),
                               shown=_asks_without_coordinating, order=166))  # fmt: skip
    add_panel(app, HOME_SLOT, Panel("volunteering/_home_activities.html", _coming_activities))
    add_panel(app, HOME_SLOT, Panel("volunteering/hours_panel.html", hours_page.home_panel, 110))
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
    from portal.volunteering import door_panel  # Its buttons on every building's door page.

    door_panel.init_app(app)


def _asks_without_coordinating(actor) -> bool:
    """Grid workers: they ask for help for older residents (coordinators reach the list from
    their own tile)."""
    from portal.permissions import Permission, holds_anywhere

    return holds_anywhere(actor, Permission.ASK_HELP_FOR_ELDERS) and not holds_anywhere(
        actor, Permission.COORDINATE_VOLUNTEERS
    )


def _coming_activities(session, actor, volunteer) -> dict:
    """The volunteer's next activities, on their volunteering page."""
    from portal.db import utcnow
    from portal.volunteering import activity_lists

    return {"coming": activity_lists.coming(session, actor, volunteer, now=utcnow(), limit=5)}
