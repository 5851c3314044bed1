"""HTTP for appeals, one blueprint over three modules: report.py (the report from the door,
screen by screen), resident.py (its code, tracking, rating, the resident's own reports,
photos) and staff.py (the queues, the appeal page and its actions, summonses, the blocklist,
filing for a resident).

Each module puts its routes on `bp` and brings its own init_app; portal.appeals.init_app
imports both and registers the blueprint.
"""

from __future__ import annotations

from flask import Blueprint, current_app

from portal import appeals
from portal.appeals import services
from portal.appeals.models import Appeal
from portal.appeals.settings import AppealSettings
from portal.db import db
from portal.uploads.web import send_upload

bp = Blueprint("appeals", __name__)


def settings() -> AppealSettings:
    """This app's appeal settings, for the services the views call."""
    return appeals.appeal_settings(current_app)


def send_photo(appeal: Appeal, name: str):
    """One of the appeal's photos (404 for any other upload), once the view has checked that
    the person asking may see the appeal; kept out of every cache (it may show a home)."""
    return send_upload(services.find_photo(db.session, appeal, name))
