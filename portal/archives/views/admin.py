"""HTTP for archive queries: the administrators' pages."""

from __future__ import annotations

from flask import abort

from portal.archives.views import bp


@bp.get("/archives/admin/archives")
def admin_archives():
    abort(404)  # the administrators' part replaces this
