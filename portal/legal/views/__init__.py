"""HTTP for legal consultations, one blueprint over modules by who uses them."""

from __future__ import annotations

from flask import Blueprint, current_app

from portal import legal
from portal.legal.settings import LegalSettings

bp = Blueprint("legal", __name__)


def settings() -> LegalSettings:
    return current_app.extensions[legal.SETTINGS]
