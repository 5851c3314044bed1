"""A host's calendar feed: the page where they make its secret address (shown once) or stop
it, and the feed itself, which calendar apps fetch without signing in."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import ratelimit
from portal.db import db, utcnow
from portal.errors import NotFound
from portal.meetings import feeds
from portal.meetings.views import bp, settings
from portal.permissions import require_staff
from portal.web.forms import EmptyForm, saving


def _feed_page(address: str = "", status: int = 200) -> Response:
    require_staff(current_user)
    response = make_response(
        render_template(
            "meetings/feed.html",
            feed=feeds.live_feed(db.session, current_user),
            address=address,
            webcal=address.replace("https://", "webcal://", 1).replace("http://", "webcal://", 1),
            form=EmptyForm(),
        ),
        status,
    )
    # The address is shown once: no browser or proxy keeps the page that holds it.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/staff/meetings/feed")
@login_required
def feed_page():
    return _feed_page()


@bp.post("/staff/meetings/feed")
@login_required
def make_feed():
    require_staff(current_user)
    form = EmptyForm()
    if not form.validate_on_submit():
        return redirect(url_for("meetings.feed_page"))
    with saving(form) as saved:
        token = feeds.new_feed(db.session, current_user, now=utcnow())
    if not saved:
        return _feed_page(status=400)
    # Shown on this page only: never put in a URL of the portal's own, a flash or the session.
    return _feed_page(settings().base_url + url_for("meetings.feed", token=token))


@bp.post("/staff/meetings/feed/revoke")
@login_required
def revoke_feed():
    require_staff(current_user)
    form = EmptyForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            revoked = feeds.revoke_feed(db.session, current_user, now=utcnow())
        if saved and revoked:
            flash(_("Your calendar feed is stopped: its address no longer opens."), "success")
    return redirect(url_for("meetings.feed_page"))


@bp.get("/meetings/feeds/<token>.ics")
def feed(token: str):
    """A host's meetings for their calendar app; the token in the address is the key."""
    ratelimit.check("meeting-feeds", current_app.config["MEETING_FEED_LIMIT_PER_ADDRESS"])
    now = utcnow()
    try:
        found = feeds.feed_for(db.session, token)
    except NotFound:
        abort(404)
    body = feeds.feed_calendar(db.session, settings(), found, now=now)
    response = Response(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, no-store"
    return response
