"""HTTP for archive queries: the archivists' pages."""

from __future__ import annotations

from flask import abort

from portal.archives.views import bp


@bp.get("/archives/desk")
def desk():
    abort(404)  # the archivists' part replaces this
