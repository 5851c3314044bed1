"""HTTP for the time bank's pages: a person's hours (/volunteering/hours), and a community's
pool for its coordinators (/volunteering/desk/pool?community=<code>) with the relatives
waiting for confirmation and two CSV files (UTF-8 with BOM, phones masked)."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select

from portal.audit import services as audit
from portal.db import db, utcnow
from portal.errors import NotFound
from portal.i18n import SHANGHAI
from portal.numbers import optional_id
from portal.permissions import Permission, require, require_staff
from portal.places.models import Place, PlaceKind
from portal.volunteering import giving, timebank
from portal.volunteering import hours_page as pages
from portal.volunteering.giving_forms import ConfirmRelativeForm, RefuseRelativeForm
from portal.volunteering.models import Relative
from portal.volunteering.views import bp
from portal.volunteering.volunteers import coordinated_communities
from portal.web.csvfile import csv_chunks
from portal.web.forms import PortalForm, saving

POOL_HEADERS = (_l("When"), _l("What"), _l("Hours in or out"), _l("Hours after"))
VOLUNTEER_HEADERS = (_l("Name"), _l("Mobile"), _l("Hours stored"))


def _older() -> int | None:
    try:
        return optional_id(request.args.get("older"))
    except ValueError:
        return None


@bp.get("/hours")
@login_required
def hours():
    """The signed-in person's time bank: hours stored, banked, by kind, the cap, the history."""
    page = pages.hours_page(
        db.session, current_user, current_app.extensions[timebank.RULES], older=_older(),
        now=utcnow(),
    )  # fmt: skip
    return render_template("volunteering/hours.html", page=page, older=_older())


# --- coordinators ----------------------------------------------------------------------------


def _community() -> Place | None:
    """The community asked for by its code, or the only one the coordinator has; None when
    they must choose."""
    code = request.args.get("community", "")
    if code:
        found = db.session.scalar(
            select(Place).where(
                func.upper(Place.code) == code.strip().upper()[:32],
                Place.kind == PlaceKind.COMMUNITY,
            )
        )
        if found is None:
            raise NotFound(_l("There is no such community."))
        return found
    mine = coordinated_communities(db.session, current_user)
    return mine[0] if len(mine) == 1 else None


def _pool_page(community: Place, failed: dict[int, PortalForm] | None = None, status=200):
    waiting = giving.waiting_relatives(db.session, current_user, community)
    return render_template(
        "volunteering/pool.html",
        community=community,
        page=pages.pool_page(db.session, current_user, community, older=_older()),
        waiting=waiting,
        confirm_forms={r.id: (failed or {}).get(r.id) or ConfirmRelativeForm(prefix=f"c{r.id}")
                       for r in waiting},
        refuse_forms={r.id: (failed or {}).get(-r.id) or RefuseRelativeForm(prefix=f"r{r.id}")
                      for r in waiting},
        labels=giving.KINSHIP_LABELS,
        older=_older(),
    ), status  # fmt: skip


@bp.get("/desk/pool")
@login_required
def pool():
    """A community pool's balance and movements, and relatives waiting for confirmation."""
    require_staff(current_user)
    community = _community()
    if community is None:
        communities = coordinated_communities(db.session, current_user)
        if not communities:
            require(current_user, Permission.COORDINATE_VOLUNTEERS, None)
        return render_template("volunteering/pool_choose.html", communities=communities)
    return _pool_page(community)


def _relative(relative_id: int) -> Relative:
    try:
        return giving.get_relative(db.session, relative_id)
    except NotFound:
        abort(404)


def _back(relative: Relative):
    return redirect(url_for("volunteering.pool", community=relative.volunteer.community.code))


@bp.post("/desk/relatives/<int:relative_id>/confirm")
@login_required
def confirm_relative(relative_id: int):
    require_staff(current_user)
    relative = _relative(relative_id)
    require(current_user, Permission.COORDINATE_VOLUNTEERS, relative.volunteer.community)
    form = ConfirmRelativeForm(prefix=f"c{relative.id}")
    if form.validate_on_submit():
        with saving(form) as saved:
            giving.confirm_relative(db.session, current_user, relative,
                                    evidence=form.evidence.data or "", now=utcnow())  # fmt: skip
        if saved:
            flash(_("Confirmed. The volunteer is texted and can give hours now."), "success")
            return _back(relative)
    community = relative.volunteer.community
    return _pool_page(community, {relative.id: form}, 400)


@bp.post("/desk/relatives/<int:relative_id>/refuse")
@login_required
def refuse_relative(relative_id: int):
    require_staff(current_user)
    relative = _relative(relative_id)
    require(current_user, Permission.COORDINATE_VOLUNTEERS, relative.volunteer.community)
    form = RefuseRelativeForm(prefix=f"r{relative.id}")
    if form.validate_on_submit():
        with saving(form) as saved:
            giving.refuse_relative(db.session, current_user, relative, reason=form.reason.data,
                                   now=utcnow())  # fmt: skip
        if saved:
            flash(_("Not confirmed. The volunteer is texted why."), "success")
            return _back(relative)
    community = relative.volunteer.community
    return _pool_page(community, {-relative.id: form}, 400)


def _csv(name: str, headers, rows) -> Response:
    # Named by the day and time in Shanghai, as the file's own rows are written.
    stamp = utcnow().astimezone(SHANGHAI).strftime("%Y%m%d-%H%M")
    return Response(
        stream_with_context(csv_chunks([str(h) for h in headers], rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}-{stamp}.csv"'},
    )


def _export(what: str):
    require_staff(current_user)
    community = _community()
    if community is None:
        return None
    require(current_user, Permission.COORDINATE_VOLUNTEERS, community)
    audit.record(db.session, "volunteering.export", actor=current_user, now=utcnow(),
                 target=community, details={"what": what})  # fmt: skip
    db.session.commit()
    return community


@bp.get("/desk/pool.csv")
@login_required
def pool_csv():
    """The pool's movements as a file for Excel."""
    community = _export("pool")
    if community is None:
        return redirect(url_for("volunteering.pool"))
    rows = pages.pool_rows(db.session, current_user, community)
    return _csv(f"pool-{community.code}", POOL_HEADERS, rows)


@bp.get("/desk/pool/volunteers.csv")
@login_required
def volunteers_csv():
    """The community's volunteers and the hours each holds, as a file for Excel."""
    community = _export("volunteers")
    if community is None:
        return redirect(url_for("volunteering.pool"))
    rows = pages.volunteer_rows(db.session, current_user, community)
    return _csv(f"volunteer-hours-{community.code}", VOLUNTEER_HEADERS, rows)
