"""Grid points (网格积分): points for taking part in community life.

District administrators keep the earning rules (earning_rules.py); coordinators award a
listed deed to a resident, within the rule's limits (awards.py); an award needing review is
approved by another coordinator onto the community's public notice (公示), where neighbours
may object, and the worker credits it when the notice ends (notice.py). The portal's own
causes (confirmed volunteer hours, an appeal rated satisfied, a meeting or legal service day
attended) earn through their domain events (sources.py). Points are the second unit of the
shared ledger (accounts.py); a resident's page shows them (page.py). Coordinators keep their
community's points shop (积分超市, rewards.py). A public ranking lists who earned most, names
masked, and residents may leave it (ranking.py); districts that choose it let unspent points
lapse at the year's end (expiry.py).
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask_babel import lazy_gettext as _l

# The volunteering page's slot for panels (portal/volunteering/views/volunteers.py).
VOLUNTEERING_HOME = "volunteering.home"


def init_app(app: Flask) -> None:
    from portal.features import Panel, Tile, add_panel, add_tile
    from portal.jobs.registry import register
    from portal.permissions import Permission, holds_anywhere

    # Imported for what they register as they load: the SMS kind, the pages, and the
    # handlers of the built-in sources' events.
    from portal.points import expiry, messages, notice, orders, page, rewards, sources  # noqa: F401
    from portal.points.settings import PointsSettings
    from portal.points.views import admin, bp, desk, public, ranking, shop, shop_desk  # noqa: F401

    app.register_blueprint(bp)
    add_tile(app, "home", Tile("points.mine", _l("My grid points"),
                               _l("Points for taking part in community life."),
                               shown=lambda actor: getattr(actor, "is_authenticated", False),
                               order=226))  # fmt: skip
    add_tile(app, "desk", Tile("points.desk", _l("Grid points"),
                               _l("Award points for listed deeds, review awards, decide "
                                  "objections to the public notice."),
                               shown=lambda actor: holds_anywhere(actor, Permission.AWARD_POINTS),
                               order=170))  # fmt: skip
    add_tile(app, "desk", Tile("points.rules", _l("Grid points rules"),
                               _l("What each deed earns, its review and its limits."),
                               shown=lambda actor: holds_anywhere(actor, Permission.MANAGE_POINTS),
                               order=425))  # fmt: skip
    add_panel(app, VOLUNTEERING_HOME, Panel("points/_home_panel.html", page.home_panel, 120))
    # Neighbours find the community's public notice from the door they scan.
    add_panel(app, "doors.door", Panel("points/_door.html", _door_link, 130))
    # Notices end at any minute; residents wait at most this long past theirs.
    register(app, "points.credit", timedelta(minutes=5), notice.sweep)
    # The yearly expiry, where a district chose it: each does nothing outside its month.
    settings = PointsSettings.from_config(app.config)
    register(app, "points.expiry_warn", timedelta(hours=1), expiry.warn_job(settings))
    register(app, "points.expire", timedelta(hours=1), expiry.expire_job(settings))
    # Orders are picked up by the end of a day: an hour late to cancel one harms no one.
    register(app, "points.lapse", timedelta(hours=1), orders.sweep_uncollected)


def _door_link(_session, _actor, door) -> dict:
    """The same for everyone (the door page is kept and shown to every visitor): the
    community's public notice of grid points."""
    return {"community_code": door.community_code}
