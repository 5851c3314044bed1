"""HTTP for archive queries, one blueprint over modules by who uses them: resident.py (asking,
the request's page, the letter), archivist.py (the queue and the work on a request), admin.py
(archives and kinds of record)."""

from __future__ import annotations

from flask import Blueprint, current_app

from portal import archives
from portal.archives.settings import ArchiveSettings

bp = Blueprint("archives", __name__)


def settings() -> ArchiveSettings:
    return current_app.extensions[archives.SETTINGS]
