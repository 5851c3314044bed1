"""The public ranking of grid points (/points/ranking/<community code>, no sign-in): this month
or this year (?period=month|year), the whole community or one of its grids (?grid=<code>);
and a resident's buttons to leave it and to come back."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.db import db, utcnow
from portal.places.models import PlaceKind
from portal.points import ranking
from portal.points.views import bp, place_or_404
from portal.web.forms import one_button_action


@bp.get("/ranking/<community_code>")
def ranking_page(community_code: str):
    """Who earned most points in a community or one of its grids, names masked."""
    community = place_or_404(PlaceKind.COMMUNITY, community_code)
    grids = ranking.grids_of(db.session, community)
    grid = ranking.grid_in(grids, request.args.get("grid"))
    choice = ranking.YEAR if request.args.get("period") == ranking.YEAR else ranking.MONTH
    place = grid or community
    period = ranking.period_of(choice, utcnow())
    return render_template(
        "points/ranking.html", community=community, grids=grids, grid=grid, choice=choice,
        place=place, period=ranking.period_words(period),
        ranked=ranking.ranking(db.session, place, period),
        standing=ranking.standing(db.session, place, period, current_user),
    )  # fmt: skip


@bp.post("/ranking/leave")
@login_required
def leave_ranking():
    one_button_action(
        lambda: ranking.leave(db.session, current_user, utcnow()),
        _("You have left the ranking. Your points stay the same."),
    )
    return redirect(url_for("points.mine"))


@bp.post("/ranking/rejoin")
@login_required
def rejoin_ranking():
    one_button_action(
        lambda: ranking.rejoin(db.session, current_user, utcnow()),
        _("You are back on the ranking."),
    )
    return redirect(url_for("points.mine"))
