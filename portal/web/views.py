"""The home page, the staff desk, the language switch and the health check."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import text

from portal.accounts import services as accounts
from portal.appeals.queues import team_places
from portal.db import db
from portal.extensions import csrf
from portal.i18n import LANGUAGE_COOKIE, locale_for_tag
from portal.permissions import Permission, holds_anywhere, require_staff
from portal.web.forms import LanguageForm
from portal.web.urls import safe_next

bp = Blueprint("web", __name__)

LANGUAGE_COOKIE_AGE = timedelta(days=365)


@bp.get("/")
def home():
    return render_template("web/home.html")


@bp.get("/staff")
@login_required
def staff_desk():
    require_staff(current_user)
    tools = {permission: holds_anywhere(current_user, permission) for permission in Permission}
    return render_template(
        "web/staff_desk.html",
        tools=tools,
        Permission=Permission,
        handles_appeals=bool(team_places(current_user)),
    )


@bp.post("/language")
@csrf.exempt
def switch_language():
    """Switch language: a cookie, and for a signed-in person their stored preference.

    Only a signed-in switch changes anything on the server, so only it needs the CSRF token.
    Leaving the token out of anonymous pages keeps them free of a session cookie, so that the
    public pages can be cached.
    """
    if current_user.is_authenticated and current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()
    form = LanguageForm(meta={"csrf": False})
    target = safe_next(form.next.data) or url_for("web.home")
    locale = locale_for_tag(form.locale.data)
    if locale is None:
        return redirect(target)
    if current_user.is_authenticated:
        accounts.set_language(db.session, current_user, locale)
        db.session.commit()
    response = redirect(target)
    response.set_cookie(
        LANGUAGE_COOKIE,
        locale,
        max_age=int(LANGUAGE_COOKIE_AGE.total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    return response


@bp.get("/healthz")
def health():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
