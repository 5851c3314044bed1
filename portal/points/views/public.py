"""What everyone sees of grid points: a resident's own points (/points/), a community's
public notice (/points/notice/<community code>, no sign-in), and the objection a signed-in
neighbour lodges against an award on it."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.db import db, utcnow
from portal.errors import NotFound
from portal.numbers import optional_id
from portal.places.models import PlaceKind
from portal.points import expiry, notice, ranking
from portal.points.forms import ObjectionForm
from portal.points.page import points_page
from portal.points.settings import PointsSettings
from portal.points.shelf import home_community
from portal.points.views import bp, place_or_404
from portal.web.forms import saving


def _older() -> int | None:
    try:
        return optional_id(request.args.get("older"))
    except ValueError:
        return None


@bp.get("/")
@login_required
def mine():
    """The signed-in person's points: what they hold, how they earned it, what is pending."""
    page = points_page(db.session, current_user, older=_older())
    settings = PointsSettings.from_config(current_app.config)
    return render_template(
        "points/mine.html", page=page, older=_older(),
        shop=home_community(db.session, current_user.id),
        ranked_in=ranking.earned_in(db.session, current_user),
        left_ranking=ranking.has_left(db.session, current_user.id),
        lapses_on=expiry.lapses_on(db.session, settings, current_user, utcnow()),
    )  # fmt: skip


@bp.get("/notice/<community_code>")
def public_notice(community_code: str):
    """The awards on a community's public notice (公示), names masked."""
    community = place_or_404(PlaceKind.COMMUNITY, community_code)
    return render_template(
        "points/notice.html", community=community, notices=notice.on_notice(db.session, community),
        now=utcnow(),
    )  # fmt: skip


@bp.route("/awards/<int:award_id>/object", methods=["GET", "POST"])
@login_required
def object_to(award_id: int):
    """Object to an award on public notice, with a reason."""
    try:
        award = notice.noticed_award(db.session, award_id)
    except NotFound:
        abort(404)
    form = ObjectionForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            notice.lodge_objection(db.session, current_user, award.id, reason=form.reason.data,
                                   now=utcnow())  # fmt: skip
        if saved:
            flash(_("Thank you. A coordinator will look into it before any points are credited."),
                  "success")  # fmt: skip
            return redirect(url_for("points.public_notice", community_code=award.community.code))
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "points/object.html", award=award, form=form, name=notice.masked(award.user)
    ), status  # fmt: skip
