"""HTTP for volunteering, one blueprint over modules by who uses them."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("volunteering", __name__, url_prefix="/volunteering")
