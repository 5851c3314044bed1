"""Sessions: the signed cookie, and the server-side checks that can end it.

The cookie carries the user's id and their current session token. Signing out, changing a
password or being disabled gives the user a new token (or none), so every cookie issued
earlier stops working on its next request, wherever it is. Staff sessions also end after
30 minutes without activity and 12 hours after signing in.
"""

from __future__ import annotations

import hmac
from datetime import timedelta

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from portal.accounts.models import User
from portal.db import db, utcnow
from portal.extensions import login_manager
from portal.web.templating import STAFF_PATHS

_CARRIED_OVER = "portal.session_carried_over"
# Pages a user who must replace a temporary password may still open.
_OPEN_WHILE_CHANGING_PASSWORD = {
    "accounts.change_password",
    "accounts.sign_out",
    "accounts.switch_language",
    "static",
}


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the user, if the cookie's token is still theirs."""
    id_part, _, token = user_id.partition(":")
    if not id_part.isdigit() or not token:
        return None
    user = db.session.get(User, int(id_part))
    if user is None or not user.is_active or not hmac.compare_digest(user.session_token, token):
        return None
    return user


def carry_over(app: Flask, name: str) -> None:
    """Keep the session's `name` when someone signs in on this browser, or a resident's
    session ends for being left unused: what they were filling in is theirs to finish (form
    drafts). Signing out, and a staff session ending, forget it."""
    app.extensions.setdefault(_CARRIED_OVER, set()).add(name)


def _carried_over() -> dict:
    names = current_app.extensions.get(_CARRIED_OVER, ())
    return {name: session[name] for name in names if name in session}


def start_session(user: User) -> None:
    """Sign `user` in on this browser, with a fresh cookie."""
    carried = _carried_over()
    session.clear()
    session.update(carried)
    login_user(user)
    session.permanent = True
    now = int(utcnow().timestamp())
    session["signed_in_at"] = now
    session["seen_at"] = now


def end_session(*, keep_work: bool = False) -> None:
    """Sign out on this browser; `keep_work` keeps what carry_over names."""
    carried = _carried_over() if keep_work else {}
    logout_user()
    session.clear()
    session.update(carried)


def _session_expired(user: User, now: int) -> bool:
    config = current_app.config
    seen_at = session.get("seen_at", 0)
    signed_in_at = session.get("signed_in_at", 0)
    if user.is_staff:
        idle = timedelta(minutes=config["STAFF_IDLE_MINUTES"])
        if now - signed_in_at > timedelta(hours=config["STAFF_SESSION_HOURS"]).total_seconds():
            return True
    else:
        idle = timedelta(minutes=config["RESIDENT_IDLE_MINUTES"])
    return now - seen_at > idle.total_seconds()


def _enforce_session_rules():
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = int(utcnow().timestamp())
    if _session_expired(current_user, now):
        # Staff sign in again with their password, and leave nothing of a resident's behind
        # on a shared computer; a resident keeps the report they were writing.
        staff = current_user.is_staff
        end_session(keep_work=not staff)
        flash(
            _("You were signed out because the page was left unused. Please sign in again."), "info"
        )
        return redirect(sign_in_url(staff=staff))
    # Rewrite the cookie at most once a minute: enough to measure idle time.
    if now - session.get("seen_at", 0) >= 60:
        session["seen_at"] = now
    if current_user.must_change_password and request.endpoint not in _OPEN_WHILE_CHANGING_PASSWORD:
        return redirect(url_for("accounts.change_password"))
    return None


def sign_in_url(*, staff: bool = False) -> str:
    """Where to sign in to see the current page: staff pages, and staff, give a password."""
    here = request.full_path.rstrip("?") if request.method == "GET" else None
    if staff or request.path.startswith(STAFF_PATHS):
        return url_for("accounts.staff_sign_in", next=here)
    return url_for("accounts.sign_in", next=here)


def _unauthorized():
    flash(_("Please sign in to see this page."), "info")
    return redirect(sign_in_url())


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(_unauthorized)
    app.before_request(_enforce_session_rules)
