"""HTTP for archive queries: the resident's pages."""

from __future__ import annotations

from flask import abort

from portal.archives.views import bp


@bp.get("/archives")
def start():
    abort(404)  # the resident's part replaces this
