"""The working-day calendar (工作日): China's public holidays and make-up working days, which
every feature's deadlines count by, and the administrators' page for the years that
chinese-calendar does not know yet.

Other features call portal.workdays.services: `due_after_working_days`, `is_working_day`,
`working_days_between`, `years_unknown`.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from portal.features import Tile, add_tile
    from portal.permissions import Permission, holds_anywhere
    from portal.workdays import cli, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.workdays_cli)
    add_tile(
        app,
        "desk",
        Tile(
            "workdays.index",
            _l("Working-day calendar"),
            _l(
                "Public holidays and make-up working days that deadlines count by; enter a year the portal does not know yet."
            ),
            shown=lambda actor: holds_anywhere(actor, Permission.MANAGE_CALENDAR),
            order=550,
        ),
    )
