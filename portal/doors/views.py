"""HTTP for doors: the public door page /b/<code>, its QR images, finding a building, and
the administrators' poster downloads."""

from __future__ import annotations

import atexit
import io
import logging
from functools import partial
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import Session

from portal import qr, ratelimit
from portal.db import db, utcnow
from portal.doors import qrcodes, services
from portal.doors.posters import write_posters
from portal.doors.recent import RecentCopies
from portal.doors.scans import ScanCounter, today_in_shanghai, write_scans
from portal.errors import Invalid
from portal.features import panels
from portal.places import services as places
from portal.places.codes import normalize_code
from portal.web.forms import one_button_action
from portal.web.templating import current_locale

bp = Blueprint("doors", __name__)

# Other features' buttons on the door page (portal.features.add_panel). The page is kept and
# shown to every visitor not signed in: a panel here is the same for everyone, whoever asks.
DOOR_SLOT = "doors.door"
log = logging.getLogger(__name__)

# Posters of more buildings than this are made with `flask --app portal qr posters`: a street
# of 光明 (9,500 buildings) prints in about 12 s, within gunicorn's 30 s.
WEB_POSTER_LIMIT = 12_000


def init_app(app: Flask) -> None:
    app.extensions["portal.door_pages"] = RecentCopies(app.config["PAGE_CACHE_SECONDS"])
    app.extensions["portal.door_facts"] = RecentCopies(app.config["PAGE_CACHE_SECONDS"])
    counter = app.extensions["portal.scans"] = ScanCounter()
    if app.config["SCAN_FLUSH_SECONDS"] is not None:
        atexit.register(_write_pending, app, counter)


def _write_pending(app: Flask, counter: ScanCounter) -> None:
    """Write the counts in a transaction of their own; on failure keep them for next time."""
    counts = counter.take()
    if not counts:
        return
    try:
        with Session(app.extensions["portal.db"].engine) as session, session.begin():
            write_scans(session, counts)
    except Exception:
        log.exception("door scan counts not written; kept for the next try")
        counter.put_back(counts)


def _is_scan() -> bool:
    """A visit from outside: not a HEAD, not staff, not a click from the portal's own pages."""
    if request.method != "GET" or current_user.is_authenticated:
        return False
    referrer = urlsplit(request.referrer or "")
    return referrer.netloc != request.host


def _count_scan(building_id: int, response: Response) -> None:
    if not _is_scan():
        return
    counter: ScanCounter = current_app.extensions["portal.scans"]
    counter.count(building_id, today_in_shanghai(utcnow()))
    if counter.due(current_app.config["SCAN_FLUSH_SECONDS"]):
        # After the response is sent, when this request's own transaction (and, on SQLite,
        # its write lock) is over: writing now would wait on that lock.
        response.call_on_close(partial(_write_pending, current_app._get_current_object(), counter))


@bp.get("/b/<code>")
def door(code: str):
    """The page behind the QR code on a building's door. Public, and the same for everyone
    not signed in, so it is rendered once a minute per language, not once a scan."""
    normal = normalize_code(code)
    if normal is None:
        return _unknown(code)
    # Only a visitor with no session at all sees the page everyone sees: a session may carry
    # a message ("You are signed out.") or a signed-in person's name for the header.
    shared = not session
    key = (normal, current_locale())
    cache: RecentCopies[tuple[int, str]] = current_app.extensions["portal.door_pages"]
    kept = cache.get(key) if shared else None
    if kept is None:
        facts = services.door(db.session, normal)
        if facts is None:
            return _unknown(code)
        shown = panels(current_app, DOOR_SLOT, db.session, current_user, facts)
        page = render_template(
            "doors/door.html", door=facts, language_next=request.path, panels=shown
        )
        kept = (facts.building_id, page)
        if shared:
            cache.put(key, kept)
    response = make_response(kept[1])
    _count_scan(kept[0], response)
    if shared:
        response.headers["Cache-Control"] = "public, max-age=60"
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response


def _unknown(code: str):
    """A code that leads nowhere; it is echoed only if it could be a code, so that a fake
    sticker cannot make the portal's own page say what it likes."""
    ratelimit.check("doors-lookup", current_app.config["LOOKUP_LIMIT_PER_ADDRESS"])
    return render_template("doors/unknown.html", code=normalize_code(code)), 404


def _facts_or_404(code: str) -> services.DoorFacts:
    facts = services.door(db.session, code)
    if facts is None:
        abort(404)
    return facts


@bp.get("/b/<code>/qr.svg")
def qr_svg(code: str):
    facts = _facts_or_404(code)
    url = qrcodes.door_url(current_app.config["BASE_URL"], facts.code)
    return _image(qr.svg(qr.matrix(url), label=url), "image/svg+xml", facts.code, "svg")


@bp.get("/b/<code>/qr.png")
def qr_png(code: str):
    facts = _facts_or_404(code)
    url = qrcodes.door_url(current_app.config["BASE_URL"], facts.code)
    return _image(qr.png(url), "image/png", facts.code, "png")


def _image(body, mimetype: str, code: str, extension: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="qr-{code}.{extension}"'
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/find")
def find():
    """Find a building by name or address, for someone whose code did not work."""
    words = request.args.get("q", "")[:50]
    if words:
        ratelimit.check("doors-lookup", current_app.config["LOOKUP_LIMIT_PER_ADDRESS"])
    return render_template(
        "doors/find.html", words=words, found=services.find_buildings(db.session, words)
    )


# Administrators


@bp.get("/admin/places/<int:place_id>/posters.pdf")
@login_required
def posters(place_id: int):
    place = places.get_place(db.session, current_user, place_id)
    try:
        doors = services.poster_facts(db.session, current_user, place, at_most=WEB_POSTER_LIMIT)
    except Invalid as refusal:
        flash(refusal.message, "error")
        return redirect(url_for("places.detail", place_id=place.id))
    return _pdf(doors, f"posters-{place.code}.pdf")


@bp.get("/admin/places/buildings/<int:building_id>/poster.pdf")
@login_required
def poster(building_id: int):
    building = places.get_building(db.session, current_user, building_id)
    return _pdf(
        [services.door(db.session, building.public_code)], f"poster-{building.public_code}.pdf"
    )


def _pdf(doors, filename: str) -> Response:
    # Drawing takes seconds: end the transaction first, so that it holds no lock meanwhile.
    db.session.close()
    buffer = io.BytesIO()
    write_posters(buffer, doors, current_app.config["BASE_URL"])
    safe = "".join(ch for ch in filename if ch.isalnum() or ch in "-_.")
    return Response(
        buffer.getvalue(),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{safe}"'},
    )


@bp.post("/admin/places/buildings/<int:building_id>/retire")
@login_required
def retire(building_id: int):
    return _set_retired(
        building_id, True, _("The building is retired. Its code now points to its community.")
    )


@bp.post("/admin/places/buildings/<int:building_id>/restore")
@login_required
def restore(building_id: int):
    return _set_retired(building_id, False, _("The building is in use again."))


def _set_retired(building_id: int, retired: bool, message: str):
    building = places.get_building(db.session, current_user, building_id)
    action = partial(
        services.set_retired, db.session, current_user, building, retired, now=utcnow()
    )
    if one_button_action(action, message):
        current_app.extensions["portal.door_pages"].clear()
        current_app.extensions["portal.door_facts"].clear()
    return redirect(url_for("places.edit_building", building_id=building_id))
