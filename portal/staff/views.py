"""HTTP for the administrators' staff pages: accounts, their roles, passwords and locks."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.db import db, utcnow
from portal.pagination import paginate
from portal.permissions import Role
from portal.staff import services as staff
from portal.staff.forms import GrantForm, NewStaffForm, ResetPasswordForm, UserSearchForm
from portal.web.forms import EmptyForm, one_button_action, saving

bp = Blueprint("staff", __name__)


@bp.route("/admin/users", methods=["GET", "POST"])
@login_required
def users():
    """Accounts, a page at a time; a search (sent by POST) shows its first matches."""
    form = UserSearchForm()
    if form.validate_on_submit() and form.q.data.strip():
        query = staff.users_query(current_user, form.q.data)
        page = paginate(db.session, query, None)
    else:
        page = paginate(db.session, staff.users_query(current_user), request.args.get("page"))
    return render_template("staff/users.html", page=page, form=form)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@login_required
def new_user():
    staff.require_staff_manager(current_user)
    form = NewStaffForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            user = staff.create_staff(
                db.session,
                current_user,
                phone=form.phone.data,
                display_name=form.display_name.data,
                password=form.password.data,
                role=Role(form.role.data),
                place_code=form.place_code.data,
                now=utcnow(),
            )
        if saved:
            flash(
                _("The staff account is ready. Tell the person their temporary password."),
                "success",
            )
            return redirect(url_for("staff.user_detail", user_id=user.id))
    return render_template("staff/new_user.html", form=form)


def _user_page(user_id: int, grant_form=None, reset_form=None, phone=None):
    """The account page, with the form that was just sent (and its problems) if any."""
    user = staff.get_user(db.session, current_user, user_id)
    page = render_template(
        "staff/user_detail.html",
        user=user,
        full_phone=phone,
        now=utcnow(),
        grant_form=grant_form or GrantForm(formdata=None),
        reset_form=reset_form or ResetPasswordForm(formdata=None),
    )
    return page, 400 if grant_form or reset_form else 200


@bp.get("/admin/users/<int:user_id>")
@login_required
def user_detail(user_id: int):
    return _user_page(user_id)


@bp.post("/admin/users/<int:user_id>/phone")
@login_required
def reveal_phone(user_id: int):
    """Show the full number (for calling the person); the look is audited."""
    user = staff.get_user(db.session, current_user, user_id)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("staff.user_detail", user_id=user_id))
    phone = staff.reveal_phone(db.session, current_user, user, now=utcnow())
    db.session.commit()
    return _user_page(user_id, phone=phone)


@bp.post("/admin/users/<int:user_id>/grants")
@login_required
def grant(user_id: int):
    user = staff.get_user(db.session, current_user, user_id)
    form = GrantForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            role = Role(form.role.data)
            staff.grant_role(
                db.session, current_user, user, role, form.place_code.data, now=utcnow()
            )
        if saved:
            flash(_("The role is granted."), "success")
            return redirect(url_for("staff.user_detail", user_id=user_id))
    return _user_page(user_id, grant_form=form)


@bp.post("/admin/users/<int:user_id>/password")
@login_required
def reset_password(user_id: int):
    user = staff.get_user(db.session, current_user, user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            staff.reset_password(db.session, current_user, user, form.password.data, now=utcnow())
        if saved:
            flash(
                _("The temporary password is set. All sessions of this account have ended."),
                "success",
            )
            return redirect(url_for("staff.user_detail", user_id=user_id))
    return _user_page(user_id, reset_form=form)


def _one_button_action(user_id: int, action, done_message: str):
    """Run a one-button staff action; its outcome is flashed above the account page."""
    one_button_action(action, done_message)
    return redirect(url_for("staff.user_detail", user_id=user_id))


@bp.post("/admin/users/<int:user_id>/grants/<int:grant_id>/revoke")
@login_required
def revoke(user_id: int, grant_id: int):
    user = staff.get_user(db.session, current_user, user_id)
    return _one_button_action(
        user_id,
        lambda: staff.revoke_role(db.session, current_user, user, grant_id, now=utcnow()),
        _("The role is taken away."),
    )


@bp.post("/admin/users/<int:user_id>/disable")
@login_required
def disable(user_id: int):
    user = staff.get_user(db.session, current_user, user_id)
    return _one_button_action(
        user_id,
        lambda: staff.set_disabled(db.session, current_user, user, True, now=utcnow()),
        _("The account is disabled. All its sessions have ended."),
    )


@bp.post("/admin/users/<int:user_id>/enable")
@login_required
def enable(user_id: int):
    user = staff.get_user(db.session, current_user, user_id)
    return _one_button_action(
        user_id,
        lambda: staff.set_disabled(db.session, current_user, user, False, now=utcnow()),
        _("The account is enabled again."),
    )
