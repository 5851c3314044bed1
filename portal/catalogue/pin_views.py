"""HTTP for administrators: the kinds each district puts first on the report form."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from portal.catalogue import pins
from portal.catalogue import services as catalogue
from portal.catalogue.forms import PinsForm
from portal.catalogue.views import bp
from portal.db import db, utcnow
from portal.web.forms import saving
from portal.web.templating import local_name


@bp.get("/catalogue/first-choices")
@login_required
def pin_districts():
    catalogue.require_catalogue_manager(current_user)
    districts = pins.pin_districts(db.session, current_user)
    if len(districts) == 1:
        return redirect(url_for("catalogue.district_pins", district_id=districts[0].id))
    return render_template("catalogue/pin_districts.html", districts=districts)


@bp.route("/catalogue/first-choices/<int:district_id>", methods=["GET", "POST"])
@login_required
def district_pins(district_id: int):
    district = pins.get_district(db.session, current_user, district_id)
    form = PinsForm()
    choices = [SelectChoice("", _("None"))] + [
        SelectChoice(item.id, f"{local_name(group)} · {local_name(item)}")
        for group in catalogue.groups(db.session, current_user)
        for item in group.items
        if item.retired_at is None
    ]
    for entry in form.items:
        entry.choices = choices
    if form.validate_on_submit():
        chosen = [entry.data for entry in form.items if entry.data is not None]
        with saving(form) as saved:
            pins.pin_items(db.session, current_user, district, chosen, now=utcnow())
        if saved:
            flash(_("The report form shows these kinds first from now on."), "success")
            return redirect(url_for("catalogue.district_pins", district_id=district.id))
    elif not form.is_submitted():
        for entry, item_id in zip(
            form.items, pins.pinned_ids(db.session, district.id), strict=False
        ):
            entry.data = item_id
    return render_template("catalogue/district_pins.html", district=district, form=form)
