"""HTTP for the resident's report from the door (/b/<code>/report), one question a screen.

The first screen (what kind of problem) is a plain GET form that any scan opens without a
session. Every other screen is sent by POST, kept in a form draft (portal.drafts) and followed
by a redirect to the next screen's own address (POST-redirect-GET): the browser's Back, a
reload, switching language or coming back after an hour all find the screen as it was left,
and nothing the resident typed (least of all the phone number) goes into an address.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime

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
from flask_login import current_user
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from portal import catalogue, ratelimit
from portal.accounts.language import switch_language
from portal.accounts.sending import refused_sending
from portal.appeals import services
from portal.appeals.forms import POSTED_FIELDS, STEP_FIELDS, STEPS, KindForm, ReportForm
from portal.appeals.models import AppealState, PhotoStage
from portal.appeals.popular import KeptChoices
from portal.appeals.views import bp, settings
from portal.appeals.views.resident import sent
from portal.catalogue.offered import Offered
from portal.db import db, read_only_transactions, start_writing, utcnow
from portal.doors import recent_door
from portal.drafts import services as drafts
from portal.drafts.models import Draft
from portal.drafts.web import browser_draft, remember, remembered_key
from portal.errors import Invalid
from portal.places.codes import normalize_code
from portal.places.models import Building
from portal.uploads import services as uploads
from portal.uploads.models import Upload
from portal.uploads.web import chosen, receive_files
from portal.web.forms import saving
from portal.web.templating import current_locale

# Rate limits of the public form: per client address and per phone number (a building's
# confirmed reports past APPEAL_REPORTS_PER_BUILDING_HOUR are held, not refused: see intake.py).
SUBMITS_PER_ADDRESS = "20/hour"
SUBMITS_PER_PHONE = "10/day"
# The report's drafts, one per door a browser reports from.
PURPOSE = "appeals.report"
_FIRST_CHOICES = "portal.first_choices"
# Buttons that leave a screen without going on: nothing is checked or sent on the way.
_LEAVING = ("change", "back", "language")


def init_app(app: Flask) -> None:
    app.extensions[_FIRST_CHOICES] = KeptChoices(
        app.config["CATALOGUE_REFRESH_SECONDS"], app.config["USUAL_KINDS_REFRESH_SECONDS"]
    )


@dataclass
class Answers:
    """What the report's draft keeps: each field as it was typed, the photos received, a
    photo refused on the way, and the screens sent at least once (only those show what is
    wrong with them: a screen seen for the first time starts clean)."""

    fields: dict[str, str] = field(default_factory=dict)
    photos: list[str] = field(default_factory=list)
    photo_errors: list[str] = field(default_factory=list)
    answered: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, draft: Draft | None) -> Answers:
        kept = draft.answers if draft is not None else {}
        return cls(
            fields=dict(kept.get("fields", {})),
            photos=list(kept.get("photos", [])),
            photo_errors=list(kept.get("photo_errors", [])),
            answered=list(kept.get("answered", [])),
        )

    def take(self, step: str, posted: MultiDict) -> None:
        """This screen's fields as sent; a box left unticked is sent as nothing at all."""
        for name in POSTED_FIELDS[step]:
            value = posted.get(name)
            if value is None:
                self.fields.pop(name, None)
            else:
                self.fields[name] = value

    def form(self) -> ReportForm:
        """The form as if every screen were sent at once, to check and to show."""
        return ReportForm(formdata=MultiDict(self.fields), meta={"csrf": False})

    def keep(self, draft: Draft, now: datetime) -> None:
        drafts.keep(draft, asdict(self), now)


@bp.route("/b/<code>/report", methods=["GET", "POST"])
def report(code: str):
    """The report: kind of problem, what happened, how to reach you, then a check of every
    answer before it is sent."""
    # Only sending a screen writes (its draft): on SQLite the reads of a GET then neither wait
    # for a writer nor keep one waiting.
    read_only_transactions(True)
    normal = normalize_code(code)
    # Each screen shows the door: its facts are read once for the few minutes of a report.
    door = recent_door(db.session, normal) if normal else None
    if door is None or door.retired:
        # The door page says what to do instead: search by address, or call the community.
        return redirect(url_for("doors.door", code=door.code if door else code))
    if request.method == "POST":
        return _answer(door)
    step = request.args.get("step")
    if step in (None, "", "item"):
        return _first_screen(door)
    return _screen(door, step)


def _screen_url(door, step: str) -> str:
    if step == "item":
        return url_for("appeals.report", code=door.code)
    return url_for("appeals.report", code=door.code, step=step)


def _kinds_url(door, item: int | None) -> str:
    """The first screen again, for a resident going back to it: the screen of every kind,
    its group open, when the kind chosen is not among the usual ones."""
    kept = current_app.extensions[_FIRST_CHOICES].get(db.session, door.building_id, utcnow())
    if item is None or item in kept.items or item == kept.other:
        return _screen_url(door, "item")
    return url_for("appeals.report", code=door.code, all=1)


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
        draft = _open_draft(door) if remembered_key(PURPOSE, door.code) else None
        resume = None
        if draft is not None and not answered:
            # A report begun here and not sent: the kind chosen is marked in the list of
            # every kind, and the screen offers to go on where it was left.
            begun = Answers.of(draft).form()
            kind.item.data = begun.item.data
            resume = _first_wrong(begun, STEPS) or "check"
        page = _page(
            door,
            kind,
            "item",
            first_look=True,
            every_kind=every_kind,
            resume=_screen_url(door, resume) if resume not in (None, "item") else None,
        )
        response = make_response(page)
        if not session and not answered:  # The door's own first screen, as everyone sees it.
            response.headers["Cache-Control"] = "public, max-age=60"
            response.vary.add("Accept-Language")
            response.vary.add("Cookie")
        return response
    # The second screen, with what this browser wrote there before under the kind just chosen.
    answers = Answers.of(_open_draft(door))
    answers.fields["item"] = str(kind.item.data)
    return _page(door, answers.form(), "details", answers=answers)


def _open_draft(door) -> Draft | None:
    """This browser's report at this door, unless it was sent already."""
    draft = browser_draft(db.session, PURPOSE, door.code, utcnow())
    return draft if draft is not None and draft.outcome is None else None


def _screen(door, step: str):
    """A later screen, as its draft has it; a screen whose earlier answers are missing sends
    the resident back to the first of them."""
    if step not in STEPS:
        return redirect(_screen_url(door, "item"))
    draft = browser_draft(db.session, PURPOSE, door.code, utcnow())
    if draft is None:
        if remembered_key(PURPOSE, door.code):
            flash(_("Unfinished reports are kept for a day. Please start again."), "info")
        return redirect(_screen_url(door, "item"))
    if draft.outcome is not None:
        return _after_sending(draft)
    answers = Answers.of(draft)
    form = answers.form()
    missing = _first_wrong(form, STEPS[: STEPS.index(step)])
    if missing is not None:
        return redirect(_screen_url(door, missing))
    if step in answers.answered:
        _wrong(form, step)
    else:
        for name in STEP_FIELDS[step]:
            form[name].errors = []
    # A resident signed in is offered their own number; staff filing for one are not.
    resident = current_user.is_authenticated and not current_user.is_staff
    if step == "contact" and "phone" not in answers.fields and resident:
        form.phone.data = current_user.phone
    return _page(door, form, step, answers=answers)


def _answer(door):
    """One screen sent: keep its answers in the draft, then go where the resident asked."""
    form = ReportForm()
    # The CSRF token was checked before the view ran.
    if form.website.data:
        # A robot filled in the hidden field: it is told nothing useful and nothing is saved.
        abort(400)
    step = form.step.data if form.step.data in POSTED_FIELDS else "details"
    now = utcnow()
    if step == "check" and not any(request.form.get(name) for name in _LEAVING):
        return _send(door)
    start_writing(db.session)
    draft = browser_draft(db.session, PURPOSE, door.code, now, for_update=True)
    if draft is None or draft.outcome is not None:
        # A report begun again after one was sent from this door starts afresh.
        draft = drafts.start(db.session, PURPOSE, now)
    answers = Answers.of(draft)
    answers.take(step, request.form)
    if step == "details":
        _keep_photos(answers, now)
    leaving = request.form.get("language") or request.form.get("back")
    if not leaving and step not in answers.answered:
        answers.answered.append(step)
    answers.keep(draft, now)
    db.session.commit()
    remember(PURPOSE, door.code, draft)

    if request.form.get("language"):
        return switch_language(request.form["language"], _screen_url(door, step))
    if request.form.get("back"):
        # Back never asks to correct the screen being left.
        if step == "details":
            return redirect(_kinds_url(door, answers.form().item.data))
        return redirect(_screen_url(door, STEPS[STEPS.index(step) - 1]))
    wrong = _first_wrong(answers.form(), STEPS[: STEPS.index(step) + 1])
    if wrong is None and answers.photo_errors:
        wrong = "details"
    wanted = request.form.get("change")
    if wrong is None and wanted in STEPS:
        wrong = wanted
    if wrong is None and "check" in answers.answered:
        # Back from a "Change" on the last screen: straight to it, unless another answer is
        # missing on the way.
        wrong = _first_wrong(answers.form(), STEPS) or "check"
    return redirect(_screen_url(door, wrong or STEPS[STEPS.index(step) + 1]))


def _digest(answers: Answers) -> str:
    """A short fingerprint of the answers, as the last screen shows them."""
    shown = json.dumps([answers.fields, answers.photos], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


def _first_wrong(form: ReportForm, steps) -> str | None:
    """The first of these screens with an answer missing or wrong."""
    return next((step for step in steps if _wrong(form, step)), None)


def _wrong(form: ReportForm, step: str) -> bool:
    """Check the fields of one screen, leaving their errors on them; True if any is wrong."""
    wrong = False
    for name in STEP_FIELDS[step]:
        field_ = form[name]
        field_.errors = []
        if not field_.validate(form):
            wrong = True
    if step == "contact" and not form.phone.errors:
        try:
            services.check_phone(form.phone.data)
        except Invalid as error:
            form.phone.errors = [error.message]
            wrong = True
    return wrong


def _assisted(door) -> bool:
    """Whether the one filling in the form is staff filing for a resident of this building
    (代办); staff elsewhere, at their own home say, report like any resident."""
    if not (current_user.is_authenticated and current_user.is_staff):
        return False
    return services.files_for_resident(current_user, db.session.get(Building, door.building_id))


def _kept_photos(answers: Answers) -> list[Upload]:
    """The draft's photos still waiting for it (the purge takes those left a day)."""
    kept = uploads.unattached(db.session, answers.photos, services.PURPOSES[PhotoStage.REPORT])
    return kept[: services.MAX_PHOTOS]


def _keep_photos(answers: Answers, now: datetime) -> None:
    """Clean and store photos as soon as they arrive, so that nothing is asked twice; a photo
    refused is said on the second screen, and every other answer stays."""
    sent_files = chosen(request.files.getlist("photos"))
    answers.photo_errors = []
    if not sent_files:
        return
    kept = _kept_photos(answers)
    room = max(0, services.MAX_PHOTOS - len(kept))
    received = receive_files(
        db.session,
        sent_files,
        purpose=services.PURPOSES[PhotoStage.REPORT],
        now=now,
        room=room,
    )
    answers.photos = [photo.name for photo in kept + received.uploads]
    answers.photo_errors = [str(error) for error in received.errors]
    if len(sent_files) > room:
        answers.photo_errors.append(_("Up to 3 photos can be sent."))


def _page(
    door,
    form: ReportForm | KindForm,
    step: str,
    status: int = 200,
    *,
    answers: Answers | None = None,
    first_look=False,
    every_kind=False,
    resume: str | None = None,
):
    """A screen of the report: the first as a scan opens it (`first_look`, a KindForm sent by
    GET; with `every_kind` its list of every kind), or any screen of the ReportForm."""
    answers = answers or Answers()
    if not first_look:
        form.step.data = step
    if step == "details" and answers.photo_errors:
        form.photos.errors = list(answers.photo_errors)
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
        kept_photos=[] if first_look else _kept_photos(answers),
        assisted=_assisted(door),
        resume=resume,
        # What the last screen showed: Send refuses answers changed since (another tab).
        seen=_digest(answers) if step == "check" else None,
        # The header's language switch sends this form, so that what is on the screen stays.
        language_form=None if first_look else "report",
    )
    return page, status


def _unchosen_choices(offered: Offered) -> Markup:
    """The first screen's choices as everyone first sees them: the same for every door, so
    rendered once for each catalogue and language."""
    if "choices" not in offered.rendered:
        page = render_template("appeals/_choices.html", groups=offered.groups, chosen_item=None)
        offered.rendered["choices"] = Markup(page)  # noqa: S704 (Jinja escaped it)
    return offered.rendered["choices"]


def _after_sending(draft: Draft):
    """Where a report already sent leads again (a second tap on Send, Back to a screen): as
    the first time, for the draft is this browser's own. Its code, while it waits for one."""
    appeal = services.find(db.session, draft.outcome)
    if appeal is None:
        return redirect(url_for("appeals.track", tracking=draft.outcome))
    if appeal.state == AppealState.UNCONFIRMED:
        session["appeal_pending"] = appeal.tracking
        return redirect(url_for("appeals.confirm", tracking=appeal.tracking))
    return sent(appeal)


def _send(door):
    """Send the report: every answer is checked again, as the draft has it."""
    now = utcnow()
    draft = browser_draft(db.session, PURPOSE, door.code, now)
    if draft is None:
        return redirect(_screen_url(door, "item"))
    if draft.outcome is not None:
        return _after_sending(draft)
    answers = Answers.of(draft)
    seen = request.form.get("seen")
    if seen is not None and seen != _digest(answers):
        # The same door's report was changed in another tab since this one showed it.
        flash(_("Your answers were changed in another window. Check them, then send."), "info")
        return redirect(_screen_url(door, "check"))
    form = answers.form()
    wrong = _first_wrong(form, STEPS)
    if wrong is not None:
        return redirect(_screen_url(door, wrong))
    phone = services.check_phone(form.phone.data)
    # Staff filing for residents are signed in and audited: a morning of 代办 at the
    # community centre must not run into the limits meant for strangers.
    assisted = _assisted(door)
    refused = None if assisted else ratelimit.first_refused([
        ("appeal-submit", SUBMITS_PER_ADDRESS, None),
        ("appeal-submit-phone", SUBMITS_PER_PHONE, phone),
    ])  # fmt: skip
    if refused in (0, 1):  # this address, or this phone
        form.form_errors.append(
            _(
                "Too many reports were sent from here. Please try again later or call your community."
            )
        )
        return _page(door, form, "check", status=429, answers=answers)
    # Counted only when a code is sent: the resident is neither signed in with this phone
    # nor helped by staff.
    if not assisted and not services.owns_verified(current_user, phone):
        too_many_codes = refused_sending(services.APPEAL_CODE, building=door.code)
        if too_many_codes is not None:
            form.form_errors.append(too_many_codes)
            return _page(door, form, "check", status=429, answers=answers)
    start_writing(db.session)
    # Two taps on Send at once: the second waits here, then finds the report sent.
    draft = browser_draft(db.session, PURPOSE, door.code, now, for_update=True)
    if draft is None or draft.outcome is not None:
        return _after_sending(draft) if draft is not None else redirect(_screen_url(door, "item"))
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
            # One draft, one report: a second Send finds the first.
            submission_key=draft.key,
            user=current_user,
            locale=current_locale(),
            now=now,
            consent=bool(form.consent.data),
            settings=settings(),
        )
        services.attach_photos(
            db.session, appeal, _kept_photos(answers), PhotoStage.REPORT, now=now
        )
        drafts.finish(draft, appeal.tracking, now)
    if not saved:
        return _page(door, form, "check", answers=answers)
    if appeal.state == AppealState.UNCONFIRMED:
        session["appeal_pending"] = appeal.tracking
        return redirect(url_for("appeals.confirm", tracking=appeal.tracking))
    return sent(appeal)
