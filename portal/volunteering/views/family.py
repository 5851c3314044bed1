"""HTTP for the family members who ask for help for an older resident (代办家属): a
coordinator adds one on the elder's page, in person, and removes one there."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.db import db, utcnow
from portal.errors import NotFound
from portal.permissions import require_staff
from portal.volunteering import elders as elder_services
from portal.volunteering import family
from portal.volunteering.help_forms import FamilyForm
from portal.volunteering.views import bp
from portal.volunteering.views.help_requests import elder_page
from portal.web.forms import one_button_action, saving


@bp.post("/desk/elders/<int:elder_id>/family")
@login_required
def add_family(elder_id: int):
    require_staff(current_user)
    try:
        found = elder_services.get_elder(db.session, elder_id)
    except NotFound:
        abort(404)
    form = FamilyForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            family.add_family_member(
                db.session, current_user, found, phone=form.phone.data, name=form.name.data,
                tie=form.tie.data or "", elder_agreed=form.elder_agreed.data, now=utcnow(),
            )  # fmt: skip
        if saved:
            flash(_("Added. They can now sign in with their number and ask for help for %(name)s.",
                    name=found.real_name), "success")  # fmt: skip
            return redirect(url_for("volunteering.elder", elder_id=found.id) + "#family")
    return elder_page(found, family_form=form, status=400)


@bp.post("/desk/family/<int:member_id>/remove")
@login_required
def remove_family(member_id: int):
    require_staff(current_user)
    try:
        member = family.get_family_member(db.session, member_id)
    except NotFound:
        abort(404)
    elder_id = member.elder_id
    one_button_action(
        lambda: family.remove_family_member(db.session, current_user, member, now=utcnow()),
        _("Removed: they can no longer ask for help for them."),
    )
    return redirect(url_for("volunteering.elder", elder_id=elder_id) + "#family")
