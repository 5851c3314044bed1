"""HTTP for appeals, one blueprint over two modules: resident.py (the report from the door,
its code, tracking, rating, the resident's own reports, photos) and staff.py (the queues, the
appeal page and its actions, summonses, the blocklist, filing for a resident).

Each module puts its routes on `bp` and brings its own init_app; portal.appeals.init_app
imports both and registers the blueprint.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, send_file

from portal import appeals
from portal.appeals.models import Appeal
from portal.appeals.photos import photo_path
from portal.appeals.settings import AppealSettings

bp = Blueprint("appeals", __name__)


def settings() -> AppealSettings:
    """This app's appeal settings, for the services the views call."""
    return appeals.appeal_settings(current_app)


def photo_folder() -> Path:
    return appeals.photo_folder(current_app)


def send_photo(appeal: Appeal, name: str):
    """One of the appeal's photos, kept out of every cache (it may show a resident's home)."""
    if name not in {photo.file_name for photo in appeal.photos}:
        abort(404)
    path = photo_path(photo_folder(), name)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="image/jpeg", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
