"""The administrators' page of the kinds of volunteer service: add, rename in both languages,
put in order, retire and bring back."""

from __future__ import annotations

from functools import partial

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.db import db, utcnow
from portal.errors import NotFound
from portal.permissions import require_staff
from portal.volunteering import kinds as service
from portal.volunteering.kind_forms import KindForm, KindNamesForm
from portal.volunteering.models import ServiceKind
from portal.volunteering.views import bp
from portal.web.forms import one_button_action, saving


def _kinds_page(form: KindForm | None = None, status: int = 200):
    require_staff(current_user)
    every = service.all_kinds(db.session, current_user)
    return render_template(
        "volunteering/kinds.html", form=form or KindForm(),
        live=[kind for kind in every if kind.retired_at is None],
        retired=[kind for kind in every if kind.retired_at is not None],
    ), status  # fmt: skip


@bp.get("/admin/kinds")
@login_required
def kinds():
    return _kinds_page()


@bp.post("/admin/kinds")
@login_required
def add_kind():
    require_staff(current_user)
    form = KindForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            made = service.add_kind(
                db.session, current_user, code=form.code.data, name_zh=form.name_zh.data,
                name_en=form.name_en.data, now=utcnow(),
            )  # fmt: skip
        if saved:
            flash(_("Added: %(name)s.", name=made.name_zh), "success")
            return redirect(url_for("volunteering.kinds"))
    return _kinds_page(form, 400)


def _kind(kind_id: int) -> ServiceKind:
    require_staff(current_user)
    try:
        return service.get_kind(db.session, current_user, kind_id)
    except NotFound:
        abort(404)


@bp.route("/admin/kinds/<int:kind_id>", methods=["GET", "POST"])
@login_required
def kind(kind_id: int):
    made = _kind(kind_id)
    form = KindNamesForm(obj=made)
    if form.validate_on_submit():
        with saving(form) as saved:
            service.rename_kind(
                db.session, current_user, made, name_zh=form.name_zh.data,
                name_en=form.name_en.data, now=utcnow(),
            )  # fmt: skip
        if saved:
            flash(_("Renamed."), "success")
            return redirect(url_for("volunteering.kinds"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("volunteering/kind.html", kind=made, form=form), status


@bp.post("/admin/kinds/<int:kind_id>/up", defaults={"step": -1})
@bp.post("/admin/kinds/<int:kind_id>/down", defaults={"step": 1})
@login_required
def move_kind(kind_id: int, step: int):
    made = _kind(kind_id)
    action = partial(service.move_kind, db.session, current_user, made, step, now=utcnow())
    one_button_action(action, _("Moved."))
    return redirect(url_for("volunteering.kinds"))


@bp.post("/admin/kinds/<int:kind_id>/retire", defaults={"retired": True})
@bp.post("/admin/kinds/<int:kind_id>/restore", defaults={"retired": False})
@login_required
def retire_kind(kind_id: int, retired: bool):
    made = _kind(kind_id)
    action = partial(
        service.retire_kind, db.session, current_user, made, retired=retired, now=utcnow()
    )
    one_button_action(action, _("Retired: no longer offered.") if retired else _("Offered again."))
    return redirect(url_for("volunteering.kinds"))
