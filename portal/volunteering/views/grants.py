"""The district's administrators grant hours to communities' pools (/volunteering/admin/pools)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from wtforms import SelectChoice

from portal.db import db, utcnow
from portal.ledger.models import AccountKind, LedgerAccount, Unit
from portal.permissions import Permission, require, scopes
from portal.places.models import Place, PlaceKind
from portal.volunteering import grants
from portal.volunteering.giving_forms import GrantForm
from portal.volunteering.views import bp
from portal.web.forms import saving
from portal.web.templating import local_name


def _communities() -> list[Place]:
    """The communities of the administrator's area, by name (Forbidden when they have none)."""
    places = scopes(current_user, Permission.MANAGE_VOLUNTEERING)
    if not places:
        require(current_user, Permission.MANAGE_VOLUNTEERING, None)
    query = select(Place).where(Place.kind == PlaceKind.COMMUNITY)
    if None not in places:
        query = query.where(or_(*(Place.path.startswith(place.path) for place in places)))
    return list(db.session.scalars(query.order_by(Place.path)))


def _balances(communities: list[Place]) -> dict[int, int]:
    """Each community's pool, in one query (a community with no pool yet holds nothing)."""
    rows = db.session.execute(
        select(LedgerAccount.place_id, LedgerAccount.balance).where(
            LedgerAccount.unit == Unit.MINUTES,
            LedgerAccount.kind == AccountKind.POOL,
            LedgerAccount.place_id.in_([each.id for each in communities]),
        )
    )
    return {row.place_id: row.balance for row in rows}


@bp.route("/admin/pools", methods=["GET", "POST"])
@login_required
def pools():
    """Every community's pool, and the form that grants hours to one."""
    communities = _communities()
    form = GrantForm()
    form.community.choices = [SelectChoice(each.code, local_name(each)) for each in communities]
    if form.validate_on_submit():
        minutes = form.minutes()
        chosen = next((each for each in communities if each.code == form.community.data), None)
        if minutes is not None:
            with saving(form) as saved:
                grants.grant_to_pool(
                    db.session, current_user, chosen, minutes=minutes, reason=form.reason.data,
                    now=utcnow(),
                )  # fmt: skip
            if saved:
                flash(_("Granted. The community's coordinators see it in the pool's history."),
                      "success")  # fmt: skip
                return redirect(url_for("volunteering.pools"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "volunteering/admin_pools.html", form=form, communities=communities,
        balances=_balances(communities),
    ), status  # fmt: skip
