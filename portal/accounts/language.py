"""Switching the portal's language: a cookie, and for a signed-in person their preference."""

from __future__ import annotations

from datetime import timedelta

from flask import redirect, request
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.accounts import services
from portal.db import db
from portal.i18n import LANGUAGE_COOKIE, locale_for_tag

LANGUAGE_COOKIE_AGE = timedelta(days=365)


def switch_language(tag: str | None, target: str) -> Response:
    """Redirect to `target` in the language `tag` names (unchanged when it names none).

    Used by the header's switch, and by forms that keep what was typed on the way (the report
    saves its draft first, then calls this)."""
    response = redirect(target)
    locale = locale_for_tag(tag)
    if locale is None:
        return response
    if current_user.is_authenticated:
        services.set_language(db.session, current_user, locale)
        db.session.commit()
    response.set_cookie(
        LANGUAGE_COOKIE,
        locale,
        max_age=int(LANGUAGE_COOKIE_AGE.total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    return response
