"""Error pages in the reader's language, without technical detail.

Domain errors that a view did not handle become pages too: Forbidden → 403 (the audit log
adds its entry: portal/audit/views.py), NotFound → 404, the rest → 400.
"""

from __future__ import annotations

import logging
import math

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.db import db
from portal.errors import DomainError

log = logging.getLogger(__name__)

PAGES = {
    400: (
        _l("Something was not right"),
        _l("The page could not handle what was sent. Go back and try again."),
    ),
    403: (
        _l("You cannot open this page"),
        _l(
            "Your account has no access to this page. If you think it should, ask your administrator."
        ),
    ),
    404: (
        _l("Page not found"),
        _l(
            "If you typed the address, check it. If you scanned a code on a door, ask your grid worker."
        ),
    ),
    405: (
        _l("This cannot be done here"),
        _l("Go back to the previous page and use its buttons."),
    ),
    413: (
        _l("The file is too large"),
        _l("Choose a smaller file and try again."),
    ),
    429: (
        _l("Too many attempts"),
        _l("Please wait a few minutes, then try again."),
    ),
    500: (
        _l("Something went wrong on our side"),
        _l(
            "Nothing was saved. Please try again in a few minutes. If it keeps happening, call your community office."
        ),
    ),
}


def render_error(status: int, message=None, retry_after: int | None = None):
    """The error page for `status`; `retry_after` (seconds), when known, is sent as
    Retry-After and, without a message of its own, said in seconds, minutes or hours."""
    title, default_message = PAGES.get(status, PAGES[500 if status >= 500 else 400])
    if retry_after and message is None:
        message = _wait(retry_after)
    headers = {"Retry-After": str(retry_after)} if retry_after else {}
    try:
        body = render_template(
            "errors/error.html",
            status=status,
            title=str(title),
            message=str(message or default_message),
        )
    except Exception:
        # The page itself failed (a broken database, say): still answer without a traceback.
        log.exception("error page %s could not be rendered", status)
        body = f"<!doctype html><title>{status}</title><h1>{status}</h1>"
    return body, status, headers


def _wait(seconds: int) -> str:
    if seconds < 60:
        return ngettext(
            "Please wait %(num)d second, then try again.",
            "Please wait %(num)d seconds, then try again.",
            seconds,
        )
    minutes = math.ceil(seconds / 60)
    if minutes <= 90:
        return ngettext(
            "Please wait %(num)d minute, then try again.",
            "Please wait %(num)d minutes, then try again.",
            minutes,
        )
    return ngettext(
        "Please wait %(num)d hour, then try again.",
        "Please wait %(num)d hours, then try again.",
        math.ceil(minutes / 60),
    )


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        # A refused rate limit (portal/ratelimit.py) knows in how many seconds to come back.
        wait = getattr(error, "retry_after", None)
        return render_error(error.code or 500, retry_after=wait if isinstance(wait, int) else None)

    @app.errorhandler(CSRFError)
    def _csrf_error(_error: CSRFError):
        return render_error(
            400,
            _l(
                "This page had been open too long, or cookies are switched off. Go back, reload the page and try again."
            ),
        )

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        db.session.rollback()
        return render_error(error.status, error.message, error.details.get("retry_after"))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unhandled error")
        db.session.rollback()
        return render_error(500)
