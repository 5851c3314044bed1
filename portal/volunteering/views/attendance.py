"""HTTP for attendance: the page a volunteer's scan opens, the coordinator's check-in page
(the rotating QR code and the roster), the confirmation page, and the attendance CSV."""

from __future__ import annotations

from datetime import datetime

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal import qr
from portal.db import db, start_writing, utcnow
from portal.errors import DomainError
from portal.pagination import Page, paginate
from portal.phones import mask_phone
from portal.volunteering import checkin, confirming
from portal.volunteering.attendance_forms import ConfirmHoursForm, ReverseConfirmationForm
from portal.volunteering.models import SignUp
from portal.volunteering.timebank import hours_figure, hours_text
from portal.volunteering.views import bp
from portal.web.csvfile import csv_chunks
from portal.web.forms import EmptyForm, one_button_action, saving
from portal.web.templating import local_time

# Volunteers on one page of the check-in and confirmation lists.
ROSTER_PAGE = 50
# What the session keeps of the last code scanned: the token, and when (ISO, UTC).
SCANNED = "volunteering_scanned"


def _scanned_at(token: str) -> datetime | None:
    kept = session.get(SCANNED)
    if isinstance(kept, dict) and kept.get("token") == token:
        try:
            return datetime.fromisoformat(kept["at"])
        except (KeyError, TypeError, ValueError):
            return None
    return None


def _keep_scan(activity, token: str, now: datetime) -> None:
    """Keep a token valid now in the session, so that it is honoured for five minutes."""
    checkin.check_token(activity, token, now)
    if _scanned_at(token) is None:
        session[SCANNED] = {"token": token, "at": now.isoformat()}


@bp.get("/check/<token>")
def check(token: str):
    """The page a scan of the activity's QR code opens: checks in, or later out."""
    now = utcnow()
    activity = checkin.activity_of_token(db.session, token)
    if not current_user.is_authenticated:
        try:
            _keep_scan(activity, token, now)
        except DomainError as error:
            return _check_page(activity, token, error=error.message), 400
        flash(_("Sign in with your mobile number, and your scan will be recorded."), "info")
        return redirect(
            url_for("accounts.sign_in", next=url_for("volunteering.check", token=token))
        )
    scanned_at = _scanned_at(token)
    # A GET that writes: on SQLite, the write lock from the start of the transaction, so that
    # a whole group scanning at the door queue for it instead of failing.
    start_writing(db.session)
    try:
        outcome, sign_up = checkin.scan(
            db.session, current_user, activity, token=token, now=now, scanned_at=scanned_at
        )
    except DomainError as error:
        db.session.rollback()
        return _check_page(activity, token, error=error.message), 400
    db.session.commit()
    if scanned_at is None:
        session[SCANNED] = {"token": token, "at": now.isoformat()}
    return _check_page(activity, token, outcome=outcome, sign_up=sign_up)


@bp.post("/check/<token>")
@login_required
def check_out(token: str):
    """The button on the scan's page: checking out now."""
    activity = checkin.activity_of_token(db.session, token)
    form = EmptyForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            sign_up = checkin.check_out(
                db.session, current_user, activity, token=token, now=utcnow(),
                scanned_at=_scanned_at(token),
            )  # fmt: skip
        if saved:
            return _check_page(
                activity, token, outcome=checkin.Scanned.CHECKED_OUT, sign_up=sign_up
            )
        return _check_page(activity, token, error=" ".join(form.form_errors)), 400
    return redirect(url_for("volunteering.check", token=token))


def _check_page(activity, token, *, outcome=None, sign_up=None, error=None):
    recorded = confirming.recorded(sign_up) if sign_up is not None else None
    return render_template(
        "volunteering/check.html",
        activity=activity,
        token=token,
        outcome=outcome,
        sign_up=sign_up,
        error=error,
        recorded=None if recorded is None else hours_text(recorded),
        form=EmptyForm(),
    )


# --- the coordinator's pages -------------------------------------------------------------------


def _activity(activity_id: int):
    return checkin.coordinated_activity(db.session, current_user, activity_id)


def _roster_page(activity) -> Page:
    query = checkin.roster_query(db.session, current_user, activity)
    return paginate(db.session, query, request.args.get("page"), per_page=ROSTER_PAGE)


def check_url(token: str) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/volunteering/check/{token}"


@bp.get("/desk/activities/<int:activity_id>/check-in")
@login_required
def check_in_desk(activity_id: int):
    """The activity's QR code, changing every 30 seconds, and the roster below it."""
    activity = _activity(activity_id)
    now = utcnow()
    url = check_url(checkin.make_token(activity, now))
    return render_template(
        "volunteering/check_in_desk.html",
        activity=activity,
        code=qr.svg(qr.matrix(url), label=_("Check-in code of %(title)s", title=activity.title)),
        refresh=checkin.seconds_left(now) + 1,
        roster=_roster_page(activity),
    )


def _by_name(activity_id: int, sign_up_id: int, action, done: str):
    activity = _activity(activity_id)
    sign_up = _sign_up(activity, sign_up_id)
    one_button_action(lambda: action(db.session, current_user, sign_up, now=utcnow()), done)
    return redirect(
        url_for(
            "volunteering.check_in_desk", activity_id=activity_id, page=request.args.get("page")
        )
    )


@bp.post("/desk/activities/<int:activity_id>/check-in/<int:sign_up_id>/in")
@login_required
def check_in_by_name(activity_id: int, sign_up_id: int):
    return _by_name(activity_id, sign_up_id, checkin.check_in_by_name, _("Checked in."))


@bp.post("/desk/activities/<int:activity_id>/check-in/<int:sign_up_id>/out")
@login_required
def check_out_by_name(activity_id: int, sign_up_id: int):
    return _by_name(activity_id, sign_up_id, checkin.check_out_by_name, _("Checked out."))


@bp.get("/desk/activities/<int:activity_id>/confirm")
@login_required
def confirm_desk(activity_id: int):
    """The activity's attendances, a page at a time, and the button confirming them all."""
    activity = _activity(activity_id)
    return render_template(
        "volunteering/confirm.html",
        activity=activity,
        roster=_roster_page(activity),
        over=utcnow() >= activity.ends_at,
        waiting=checkin.to_confirm(db.session, activity),
        recorded=confirming.recorded,
    )


@bp.post("/desk/activities/<int:activity_id>/confirm")
@login_required
def confirm_all(activity_id: int):
    """Confirm every attendance with a record as recorded, in one action."""
    activity = _activity(activity_id)
    form = EmptyForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            done = confirming.confirm_all(db.session, current_user, activity, now=utcnow())
        if saved:
            flash(_("Confirmed %(count)s as recorded.", count=done.confirmed), "success")
            if done.left:
                flash(
                    _("%(left)s have no check-in or check-out: open each to record the hours "
                      "by hand.", left=done.left),
                    "info",
                )  # fmt: skip
        for message in form.form_errors:
            flash(message, "error")
    return redirect(url_for("volunteering.confirm_desk", activity_id=activity_id))


def _attendance_page(activity, sign_up, confirm_form=None, reverse_form=None, status=200):
    """One volunteer's attendance: its record, and the form to confirm, correct or undo."""
    recorded = confirming.recorded(sign_up)
    if confirm_form is None:
        confirm_form = ConfirmHoursForm(formdata=None, minutes="" if recorded is None else recorded)
    confirm_form.offer(activity.worth_minutes)
    return render_template(
        "volunteering/attendance.html",
        activity=activity,
        sign_up=sign_up,
        recorded=recorded,
        over=utcnow() >= activity.ends_at,
        confirm_form=confirm_form,
        reverse_form=reverse_form or ReverseConfirmationForm(formdata=None),
    ), status


def _sign_up(activity, sign_up_id: int) -> SignUp:
    return checkin.sign_up_of(db.session, current_user, sign_up_id, activity)


@bp.get("/desk/activities/<int:activity_id>/confirm/<int:sign_up_id>")
@login_required
def attendance(activity_id: int, sign_up_id: int):
    activity = _activity(activity_id)
    return _attendance_page(activity, _sign_up(activity, sign_up_id))


@bp.post("/desk/activities/<int:activity_id>/confirm/<int:sign_up_id>")
@login_required
def confirm_one(activity_id: int, sign_up_id: int):
    """Confirm one attendance as recorded, or corrected, or recorded by hand, with a reason."""
    activity = _activity(activity_id)
    sign_up = _sign_up(activity, sign_up_id)
    form = ConfirmHoursForm()
    form.offer(activity.worth_minutes)
    if form.validate_on_submit():
        minutes = form.chosen()
        if not form.minutes.errors:
            with saving(form) as saved:
                confirming.confirm(
                    db.session, current_user, sign_up, minutes=minutes,
                    reason=form.reason.data, now=utcnow(),
                )  # fmt: skip
            if saved:
                flash(_("Hours confirmed for %(name)s.", name=sign_up.volunteer.real_name),
                      "success")  # fmt: skip
                return redirect(url_for("volunteering.confirm_desk", activity_id=activity_id))
    return _attendance_page(activity, sign_up, confirm_form=form, status=400)


@bp.post("/desk/activities/<int:activity_id>/confirm/<int:sign_up_id>/reverse")
@login_required
def reverse_one(activity_id: int, sign_up_id: int):
    """Undo a wrong confirmation (a reversing transfer on the ledger), with a reason."""
    activity = _activity(activity_id)
    sign_up = _sign_up(activity, sign_up_id)
    form = ReverseConfirmationForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            confirming.reverse_confirmation(
                db.session, current_user, sign_up, reason=form.reason.data, now=utcnow()
            )
        if saved:
            flash(_("The confirmation is undone. Confirm the right hours now."), "success")
            return redirect(
                url_for("volunteering.attendance", activity_id=activity_id, sign_up_id=sign_up_id)
            )
    return _attendance_page(activity, sign_up, reverse_form=form, status=400)


CSV_HEADERS = (
    _l("Name"),
    _l("Mobile"),
    _l("Checked in"),
    _l("Checked out"),
    _l("Hours recorded"),
    _l("Hours confirmed"),
    _l("Recorded by hand"),
    _l("Reason"),
)


@bp.get("/desk/activities/<int:activity_id>/attendance.csv")
@login_required
def attendance_csv(activity_id: int):
    """The activity's attendance for Excel (UTF-8 with BOM); mobile numbers are masked."""
    activity = _activity(activity_id)
    start_writing(db.session)
    roster = checkin.export_roster(db.session, current_user, activity, now=utcnow())
    headers = [str(header) for header in CSV_HEADERS]
    # An activity's roster is a few hundred rows at most: written at once, before the
    # export's audit entry is committed.
    rows = []
    for sign_up in roster:
        minutes = confirming.recorded(sign_up)
        rows.append(
            [
                sign_up.volunteer.real_name,
                mask_phone(sign_up.volunteer.user.phone),
                local_time(sign_up.checked_in_at) if sign_up.checked_in_at else "",
                local_time(sign_up.checked_out_at) if sign_up.checked_out_at else "",
                "" if minutes is None else hours_figure(minutes),
                ""
                if sign_up.confirmed_minutes is None
                else hours_figure(sign_up.confirmed_minutes),
                _("Yes") if sign_up.recorded_by_hand else "",
                sign_up.correction_reason or "",
            ]
        )
    db.session.commit()
    return Response(
        "".join(csv_chunks(headers, rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="attendance-{activity.id}.csv"'},
    )
