"""HTTP for the home page and the staff desk."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import current_user, login_required

from portal.features import tiles
from portal.permissions import require_staff

bp = Blueprint("desk", __name__)


@bp.get("/")
def home():
    return render_template("desk/home.html", tiles=tiles(current_app, "home", current_user))


@bp.get("/staff")
@login_required
def staff_desk():
    require_staff(current_user)
    return render_template("desk/staff_desk.html", tiles=tiles(current_app, "desk", current_user))
