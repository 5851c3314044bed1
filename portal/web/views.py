"""The health check."""

from __future__ import annotations

from flask import Blueprint
from sqlalchemy import text

from portal.db import db

bp = Blueprint("web", __name__)


@bp.get("/healthz")
def health():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
