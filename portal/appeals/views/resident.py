"""HTTP for residents after the report (report.py): confirming it by SMS code,
tracking it (/t/<tracking>) and rating it, its photos, and a signed-in resident's own reports."""

from __future__ import annotations

from flask import (
    Flask,
    abort,
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

from portal import ratelimit
from portal.accounts.sending import refused_sending
from portal.appeals import digit_tries, services
from portal.appeals.forms import (
    CodeForm,
    LastDigitsForm,
    ReviewForm,
)
from portal.appeals.labels import RATING_LABELS, STATE_LABELS, event_label
from portal.appeals.models import Appeal, AppealState
from portal.appeals.states import Action, allowed
from portal.appeals.views import bp, send_photo, settings
from portal.catalogue.labels import LEVEL_LABELS
from portal.db import db, utcnow
from portal.errors import Invalid, TooMany
from portal.features import Tile, add_tile
from portal.pagination import paginate
from portal.web.carried import carry_errors, show_carried_errors
from portal.web.forms import EmptyForm, saving

# How many appeals a browser remembers as its own (proved by code or by the last 4 digits).
REMEMBERED = 20


def init_app(app: Flask) -> None:
    """The names the appeal templates use for states, levels, ratings and timeline steps, and
    the resident's tile on the home page."""
    app.jinja_env.globals.update(
        appeal_state_label=STATE_LABELS.get,
        appeal_level_label=LEVEL_LABELS.get,
        appeal_rating_label=RATING_LABELS.get,
        appeal_event_label=event_label,
    )
    add_tile(
        app,
        "home",
        Tile(
            "appeals.mine",
            _l("My reports"),
            shown=lambda actor: actor.is_authenticated,
            order=200,
        ),
    )


# --- after the report (see report.py) ----------------------------------------------------------


def sent(appeal: Appeal):
    """Where a confirmed report leads: the resident to the page to keep; staff who filed it
    for a resident to the appeal's staff page, with the number to give the resident."""
    if current_user.is_authenticated and appeal.filed_by_id == current_user.id:
        flash(
            _("Sent. Give the resident the number %(number)s.", number=appeal.tracking), "success"
        )
        return redirect(url_for("appeals.detail", tracking=appeal.tracking))
    _remember(appeal)
    return redirect(url_for("appeals.received", tracking=appeal.tracking))


def _remember(appeal: Appeal) -> None:
    """This browser has proved it belongs to the resident: it may see the detail and rate it."""
    mine = [tracking for tracking in session.get("appeals_mine", []) if tracking != appeal.tracking]
    session["appeals_mine"] = [appeal.tracking, *mine][:REMEMBERED]


def _is_mine(appeal: Appeal) -> bool:
    if appeal.tracking in session.get("appeals_mine", []):
        return True
    return services.is_owner(current_user, appeal)


def _appeal_or_404(tracking: str) -> Appeal:
    appeal = services.find(db.session, tracking)
    if appeal is None:
        abort(404)
    return appeal


@bp.route("/t/<tracking>/confirm", methods=["GET", "POST"])
def confirm(tracking: str):
    """Type the code from the SMS; only then does the report reach the staff."""
    appeal = _appeal_or_404(tracking)
    if session.get("appeal_pending") != appeal.tracking or appeal.state != AppealState.UNCONFIRMED:
        return redirect(url_for("appeals.track", tracking=appeal.tracking))
    form = CodeForm()
    # A refused new code is a wait, not a mistake: said gently, above what was typed.
    wait = None
    if request.method == "POST" and request.form.get("resend"):
        if EmptyForm().validate_on_submit():
            building = appeal.building.public_code
            wait = refused_sending(services.APPEAL_CODE, building=building)
            if wait is None:
                try:
                    services.resend_code(db.session, appeal, now=utcnow(), settings=settings())
                except TooMany as refused:
                    db.session.rollback()
                    wait = refused.message
                else:
                    db.session.commit()
                    flash(_("A new code was sent."), "success")
                    return redirect(url_for("appeals.confirm", tracking=appeal.tracking))
    elif form.validate_on_submit():
        with saving(form) as saved:
            try:
                services.confirm(
                    db.session, appeal, form.code.data, now=utcnow(), settings=settings()
                )
            except Invalid:
                db.session.commit()  # the spent try must count
                raise
        if saved:
            session.pop("appeal_pending", None)
            return sent(appeal)
        # A wrong code is said on the page a GET opens: a reload spends no try.
        carry_errors(form)
        return redirect(url_for("appeals.confirm", tracking=appeal.tracking))
    elif request.method == "GET":
        show_carried_errors(form)
    page = render_template(
        "appeals/confirm.html",
        appeal=appeal,
        form=form,
        wait=wait,
        codes_left=services.codes_left(db.session, appeal, now=utcnow()),
        code_minutes=services.APPEAL_CODE.minutes,
        # Its number, for a resident whose SMS does not come or who was sent too many codes.
        community=services.place_for_level(appeal.building, 2),
    )
    return page, 429 if wait else 200


@bp.get("/t/<tracking>/received")
def received(tracking: str):
    """The page to keep (a screenshot works): the number, what happens next, and by when."""
    appeal = _appeal_or_404(tracking)
    if not _is_mine(appeal) or appeal.received_at is None:
        return redirect(url_for("appeals.track", tracking=appeal.tracking))
    community = services.place_for_level(appeal.building, 2)
    return render_template("appeals/received.html", appeal=appeal, community=community)


@bp.route("/t/<tracking>", methods=["GET", "POST"])
def track(tracking: str):
    """Anyone with the number sees where the report is; the resident who proves the last four
    digits of the phone (or is signed in as its owner) sees everything and can rate it."""
    appeal = services.find(db.session, tracking)
    if appeal is None or appeal.state == AppealState.UNCONFIRMED:
        # Numbers that lead nowhere are counted, so that nobody walks through them all.
        ratelimit.check("doors-lookup", current_app.config["LOOKUP_LIMIT_PER_ADDRESS"])
        return render_template("appeals/unknown.html"), 404
    digits = LastDigitsForm()
    if digits.validate_on_submit():
        if refused := digit_tries.refused(appeal.id):
            digits.digits.errors.append(refused)
        elif services.phone_matches(appeal, digits.digits.data):
            digit_tries.right(appeal.id)
            _remember(appeal)
            return redirect(url_for("appeals.track", tracking=appeal.tracking))
        else:
            digit_tries.wrong(appeal.id)
            digits.digits.errors.append(_("These are not the last 4 digits of the number given."))
    return _track_page(appeal, _is_mine(appeal), digits, ReviewForm(formdata=None))


def _track_page(appeal: Appeal, mine: bool, digits: LastDigitsForm, review: ReviewForm):
    return render_template(
        "appeals/track.html",
        appeal=appeal,
        mine=mine,
        can_review=mine and allowed(Action.REVIEW, appeal.state),
        digits=digits,
        review=review,
        events=services.timeline(db.session, appeal, for_resident=True),
        # Each rating with what the resident wrote: a reopened report keeps the first.
        ratings=services.ratings(db.session, appeal) if mine else [],
    )


@bp.post("/t/<tracking>/review")
def review(tracking: str):
    appeal = _appeal_or_404(tracking)
    if not _is_mine(appeal):
        abort(403)
    form = ReviewForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            services.review(
                db.session,
                appeal,
                form.rating.data,
                form.comment.data or "",
                now=utcnow(),
                settings=settings(),
            )
        if saved:
            flash(_("Thank you. Your rating was recorded."), "success")
            return redirect(url_for("appeals.track", tracking=appeal.tracking))
    return _track_page(appeal, True, LastDigitsForm(formdata=None), form), 400


@bp.get("/t/<tracking>/photos/<name>")
def resident_photo(tracking: str, name: str):
    appeal = _appeal_or_404(tracking)
    if not _is_mine(appeal):
        abort(404)
    return send_photo(appeal, name)


@bp.get("/my/appeals")
@login_required
def mine():
    query = services.residents_appeals(current_user)
    page = paginate(db.session, query, request.args.get("page"))
    return render_template("appeals/mine.html", page=page)
