"""HTTP for residents: the report from the door (/b/<code>/report), confirming it by SMS code,
tracking it (/t/<tracking>) and rating it, its photos, and a signed-in resident's own reports."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import (
    Flask,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup
from wtforms import BooleanField

from portal import catalogue, ratelimit
from portal.accounts.sending import refused_sending
from portal.appeals import digit_tries, services
from portal.appeals.forms import (
    STEP_FIELDS,
    STEPS,
    CodeForm,
    KindForm,
    LastDigitsForm,
    ReportForm,
    ReviewForm,
)
from portal.appeals.labels import RATING_LABELS, STATE_LABELS, event_label
from portal.appeals.models import Appeal, AppealState, PhotoStage
from portal.appeals.popular import KeptChoices
from portal.appeals.states import Action, allowed
from portal.appeals.views import bp, send_photo, settings
from portal.catalogue.labels import LEVEL_LABELS
from portal.catalogue.offered import Offered
from portal.db import db, read_only_transactions, start_writing, utcnow
from portal.doors import recent_door
from portal.errors import Invalid
from portal.features import Tile, add_tile
from portal.pagination import paginate
from portal.places.codes import normalize_code
from portal.places.models import Building
from portal.uploads import services as uploads
from portal.uploads.models import Upload
from portal.uploads.web import chosen, receive_files
from portal.web.forms import EmptyForm, saving
from portal.web.templating import current_locale

# Rate limits of the public form: per client address and per phone number (a building's
# confirmed reports past APPEAL_REPORTS_PER_BUILDING_HOUR are held, not refused: see intake.py).
SUBMITS_PER_ADDRESS = "20/hour"
SUBMITS_PER_PHONE = "10/day"
# How many appeals a browser remembers as its own (proved by code or by the last 4 digits).
REMEMBERED = 20
_FIRST_CHOICES = "portal.first_choices"


def init_app(app: Flask) -> None:
    """The names the appeal templates use for states, levels, ratings and timeline steps, and
    the resident's tile on the home page."""
    app.extensions[_FIRST_CHOICES] = KeptChoices(app.config["CATALOGUE_REFRESH_SECONDS"])
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


# --- the resident's report --------------------------------------------------------------------


@bp.route("/b/<code>/report", methods=["GET", "POST"])
def report(code: str):
    """The report, one question a screen: kind of problem, what happened, how to reach you,
    then a check of every answer before it is sent."""
    # Every screen only reads until Send is pressed: on SQLite its reads then neither wait
    # for a writer nor keep one waiting (see _submit).
    read_only_transactions(True)
    normal = normalize_code(code)
    # Each screen shows the door: its facts are read once for the few minutes of a report.
    door = recent_door(db.session, normal) if normal else None
    if door is None or door.retired:
        # The door page says what to do instead: search by address, or call the community.
        return redirect(url_for("doors.door", code=door.code if door else code))
    if request.method == "GET":
        return _first_screen(door)
    form = ReportForm()
    # The CSRF token was checked before the view ran; each screen checks only its own fields.
    if form.website.data:
        # A robot filled in the hidden field: it is told nothing useful and nothing is saved.
        abort(400)
    step = form.step.data if form.step.data in STEPS else "item"
    if not form.key.data or len(form.key.data) > 40:
        form.key.data = secrets.token_urlsafe(24)
    _keep_photos(form)
    if form.photos.errors:
        return _report_page(door, form, "details")
    if request.form.get("back") and step != "item":
        # Back never asks to correct the screen being left.
        return _report_page(door, form, STEPS[STEPS.index(step) - 1])
    # Every answer so far is checked again: hidden fields come back from the browser.
    for earlier in STEPS[: STEPS.index(step) + 1]:
        if _step_errors(form, earlier):
            return _report_page(door, form, earlier)
    wanted = request.form.get("change")
    if wanted in STEPS:
        return _report_page(door, form, wanted)
    if step != "check":
        return _report_page(door, form, STEPS[STEPS.index(step) + 1])
    return _submit(door, form)


def _first_screen(door):
    """The first screen, what kind of problem, is a plain GET form: it needs no session and
    no CSRF token, so the page a scan opens sets no cookie, is the same for every visitor
    and costs little to make. Its answer (?step=item&item=) opens the second screen, where
    the form that is sent (and its session) begins."""
    # The screen says which it is (step=item): with no kind chosen, a browser sends no item.
    answered = request.args.get("step") == "item"
    kind = KindForm(formdata=request.args if answered else None)
    if not answered or not kind.validate():
        # The usual kinds first; every kind, group by group, on a screen of its own.
        every_kind = request.args.get("all") == "1"
        page, status = _report_page(door, kind, "item", first_look=True, every_kind=every_kind)
        response = make_response(page, status)
        if not session and not answered:  # The door's own first screen, as everyone sees it.
            response.headers["Cache-Control"] = "public, max-age=60"
            response.vary.add("Accept-Language")
            response.vary.add("Cookie")
        return response
    form = ReportForm()
    form.item.data = kind.item.data
    form.key.data = secrets.token_urlsafe(24)
    if current_user.is_authenticated and not current_user.is_staff:
        form.phone.data = current_user.phone
    return _report_page(door, form, "details")


def _assisted(door) -> bool:
    """Whether the one filling in the form is staff filing for a resident of this building
    (代办); staff elsewhere, at their own home say, report like any resident."""
    if not (current_user.is_authenticated and current_user.is_staff):
        return False
    return services.files_for_resident(current_user, db.session.get(Building, door.building_id))


def _step_errors(form: ReportForm, step: str) -> bool:
    """Validate the fields of one screen; True if any is wrong."""
    wrong = False
    for name in STEP_FIELDS[step]:
        field = getattr(form, name)
        field.errors = []
        if not field.validate(form):
            wrong = True
    if step == "contact" and not form.phone.errors:
        try:
            services.check_phone(form.phone.data)
        except Invalid as error:
            form.phone.errors = [error.message]
            wrong = True
    return wrong


def _photo_token(key: str, name: str) -> str:
    """A stored photo's name, signed with this form's key: only the form that uploaded it can
    attach it, whoever learns the name."""
    secret = current_app.config["SECRET_KEY"].encode()
    signature = hmac.new(secret, f"photo:{key}:{name}".encode(), hashlib.sha256).hexdigest()
    return f"{name}.{signature[:20]}"


def kept_photos(form: ReportForm) -> list[Upload]:
    """This form's uploaded photos still waiting for it (tokens that do not check out are
    dropped)."""
    names = []
    for token in (form.photos_kept.data or "").split(","):
        name, _dot, _signature = token.rpartition(".")
        if name and hmac.compare_digest(token, _photo_token(form.key.data or "", name)):
            names.append(name)
    kept = uploads.unattached(db.session, names, services.PURPOSES[PhotoStage.REPORT])
    return kept[: services.MAX_PHOTOS]


def _keep_photos(form: ReportForm) -> None:
    """Clean and store photos as soon as they arrive, so that nothing is asked twice; their
    names travel on with the other answers. A refused photo leaves every answer in place."""
    sent = chosen(form.photos.data)
    form.photos.errors = []
    if sent:
        # Keeping photos writes: on SQLite the screen's transaction takes the lock from here.
        start_writing(db.session)
    kept = kept_photos(form)
    if sent:
        room = max(0, services.MAX_PHOTOS - len(kept))
        received = receive_files(
            db.session,
            sent,
            purpose=services.PURPOSES[PhotoStage.REPORT],
            now=utcnow(),
            room=room,
        )
        db.session.commit()
        kept += received.uploads
        form.photos.errors += received.errors
        if len(sent) > room:
            form.photos.errors.append(_("Up to 3 photos can be sent."))
    form.photos_kept.data = ",".join(_photo_token(form.key.data, photo.name) for photo in kept)


def _report_page(
    door,
    form: ReportForm | KindForm,
    step: str,
    status: int = 200,
    *,
    first_look=False,
    every_kind=False,
):
    """A screen of the report: the first as a scan opens it (`first_look`, a KindForm sent by
    GET, see _first_screen; with `every_kind` its list of every kind), or any screen of the
    ReportForm, carrying the other answers."""
    if not first_look:
        form.step.data = step
    offered = catalogue.on_offer(db.session, current_locale())
    first = other = None
    if step == "item":
        kept = current_app.extensions[_FIRST_CHOICES].get(db.session, door.building_id, utcnow())
        first = [(item, offered.names[item]) for item in kept.items if item in offered.names]
        other = kept.other if kept.other in offered.names else None
    page = render_template(
        "appeals/report.html",
        door=door,
        form=form,
        step=step,
        steps=STEPS,
        groups=offered.groups,
        chosen_item=form.item.data,
        first_look=first_look,
        every_kind=every_kind,
        first_choices=first,
        other_item=other,
        unchosen_choices=_unchosen_choices(offered) if form.item.data is None else None,
        chosen=offered.names.get(form.item.data),
        kept_photos=[] if first_look else kept_photos(form),
        assisted=_assisted(door),
        carried=[] if first_look else _carried(form, step),
    )
    return page, status


def _unchosen_choices(offered: Offered) -> Markup:
    """The first screen's choices as everyone first sees them: the same for every door, so
    rendered once for each catalogue and language."""
    if "choices" not in offered.rendered:
        page = render_template("appeals/_choices.html", groups=offered.groups, chosen_item=None)
        offered.rendered["choices"] = Markup(page)  # noqa: S704 (Jinja escaped it)
    return offered.rendered["choices"]


def _carried(form: ReportForm, step: str) -> list[tuple[str, object]]:
    """The answers of the other screens, as the hidden fields that carry them along."""
    carried = []
    for shown, names in STEP_FIELDS.items():
        if shown == step:
            continue
        for name in names:
            field = form[name]
            if isinstance(field, BooleanField):
                if field.data:
                    carried.append((name, "y"))
            elif field.data is not None and field.data != "":
                carried.append((name, field.data))
    return carried


def _submit(door, form: ReportForm):
    now = utcnow()
    phone = services.check_phone(form.phone.data)
    # Staff filing for residents are signed in and audited: a morning of 代办 at the
    # community centre must not run into the limits meant for strangers.
    assisted = _assisted(door)
    refused = None if assisted else ratelimit.first_refused([
        ("appeal-submit", SUBMITS_PER_ADDRESS, None),
        ("appeal-submit-phone", SUBMITS_PER_PHONE, phone),
    ])  # fmt: skip
    if refused is not None:  # this address, or this phone
        form.form_errors.append(
            _(
                "Too many reports were sent from here. Please try again later or call your community."
            )
        )
        return _report_page(door, form, "check", status=429)
    # Counted only when a code is sent: the resident is neither signed in with this phone
    # nor helped by staff.
    if not assisted and not services.owns_verified(current_user, phone):
        too_many_codes = refused_sending(services.APPEAL_CODE, building=door.code)
        if too_many_codes is not None:
            form.form_errors.append(too_many_codes)
            return _report_page(door, form, "check", status=429)
    start_writing(db.session)
    report = services.Report(
        item_id=form.item.data,
        description=form.description.data or "",
        phone=phone,
        location=form.location.data or "",
        name=form.name.data or "",
        urgent=form.urgent.data,
        wants_meeting=form.wants_meeting.data,
    )
    with saving(form) as saved:
        appeal = services.submit(
            db.session,
            door.building_id,
            report,
            submission_key=form.key.data or secrets.token_urlsafe(24),
            user=current_user,
            locale=current_locale(),
            now=now,
            consent=bool(form.consent.data),
            settings=settings(),
        )
        services.attach_photos(db.session, appeal, kept_photos(form), PhotoStage.REPORT, now=now)
    if not saved:
        return _report_page(door, form, "check")
    if appeal.state == AppealState.UNCONFIRMED:
        session["appeal_pending"] = appeal.tracking
        return redirect(url_for("appeals.confirm", tracking=appeal.tracking))
    return _sent(appeal)


def _sent(appeal: Appeal):
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
    if request.method == "POST" and request.form.get("resend"):
        if EmptyForm().validate_on_submit():
            building = appeal.building.public_code
            too_many_codes = refused_sending(services.APPEAL_CODE, building=building)
            if too_many_codes is not None:
                form.form_errors.append(too_many_codes)
            else:
                with saving(form) as saved:
                    services.resend_code(db.session, appeal, now=utcnow(), settings=settings())
                if saved:
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
            return _sent(appeal)
    return render_template(
        "appeals/confirm.html",
        appeal=appeal,
        form=form,
        code_minutes=services.APPEAL_CODE.minutes,
        # Its number, for a resident whose SMS does not come or who was sent too many codes.
        community=services.place_for_level(appeal.building, 2),
    )


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
        events=services.timeline(db.session, appeal),
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
