"""The resident's side of legal consultations over HTTP: asking from the community's page
(with documents, and a guardian's code for a minor), the list of one's consultations, the
thread with its follow-up and rating forms, and the documents.

A resident proves their phone by signing in with an SMS code (the SMS-code service); the
thread is theirs alone, and anyone else gets the same 404 as for a reference never issued.
"""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_date, format_skeleton
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal import ratelimit
from portal.accounts.sending import refused_sending
from portal.db import db, utcnow
from portal.errors import Invalid, NotFound
from portal.i18n import CHINESE, DATE_LOCALES, text_in
from portal.legal import access, asking, clocks, thread, topics
from portal.legal.forms import AskForm, FollowUpForm, GuardianForm, RateForm
from portal.legal.models import (
    ClosedBecause,
    Consultation,
    ConsultationState,
    LegalTopic,
    Rating,
)
from portal.legal.views import bp, settings
from portal.meetings.slots import SHANGHAI
from portal.places.models import Place
from portal.uploads import services as uploads
from portal.uploads.models import Upload
from portal.uploads.web import chosen, receive_files, send_upload
from portal.web.forms import saving, show_error
from portal.web.templating import current_locale

STATES = {
    ConsultationState.AWAITING_GUARDIAN: _l("Waiting for your guardian's code"),
    ConsultationState.WAITING: _l("Waiting for the adviser's answer"),
    ConsultationState.ANSWERED: _l("The adviser has answered"),
    ConsultationState.CLOSED: _l("Closed"),
}
RATINGS = {
    Rating.SATISFIED: _l("Satisfied"),
    Rating.BASICALLY_SATISFIED: _l("Basically satisfied"),
    Rating.UNSATISFIED: _l("Unsatisfied"),
}
CLOSED = {
    ClosedBecause.RATED: _l("Closed: thank you for rating the answer"),
    ClosedBecause.LAPSED: _l("Closed: no more questions came within a week of the answer"),
    ClosedBecause.UNCONFIRMED: _l("Closed: your guardian did not confirm in time"),
}


def code_secret() -> bytes:
    return current_app.config["SECRET_KEY"].encode()


def topic_name(topic: LegalTopic) -> str:
    return text_in(current_locale(), topic.name_zh, topic.name_en)


def due_words(moment: datetime | None) -> str:
    """When an answer is due, as an older reader says it: "12月8日（周二）前", "by Tue 8 Dec"."""
    if moment is None:
        return ""
    locale = current_locale()
    day = moment.astimezone(SHANGHAI).date()
    if locale == CHINESE:
        words = f"{format_skeleton('MMMd', day, locale=DATE_LOCALES[CHINESE])}（{format_date(day, 'EEE', locale=DATE_LOCALES[CHINESE])}）"
    else:
        words = format_skeleton("MMMEd", day, locale=DATE_LOCALES.get(locale, locale))
    return _("by %(day)s", day=words)


def state_words(consultation: Consultation) -> str:
    if consultation.state is ConsultationState.CLOSED and consultation.closed_because:
        return str(CLOSED[consultation.closed_because])
    return str(STATES[consultation.state])


@bp.context_processor
def _resident_helpers() -> dict:
    return {
        "legal_topic_name": topic_name,
        "legal_due_words": due_words,
        "legal_state_words": state_words,
        "legal_rating_words": RATINGS.get,
    }


def _community(code: str) -> Place:
    try:
        return asking.community_by_code(db.session, code)
    except NotFound:
        abort(404)


def _own(reference: str, *, for_update: bool = False) -> Consultation:
    return thread.own_consultation(db.session, current_user, reference, for_update=for_update)


def _keep_documents(form: AskForm, now: datetime) -> list[str]:
    """Clean and store documents as soon as they arrive, so that nothing is sent twice when
    another answer on the form is wrong; their names ride along in the form. Returns what
    was refused."""
    kept = uploads.unattached(db.session, form.kept_names(), asking.DOCUMENT_PURPOSE)
    kept = kept[: asking.MAX_DOCUMENTS]
    sent = chosen(request.files.getlist(form.documents.name))
    errors: list[str] = []
    if sent:
        room = max(0, asking.MAX_DOCUMENTS - len(kept))
        received = receive_files(
            db.session, sent, purpose=asking.DOCUMENT_PURPOSE, now=now, room=room,
            kinds=asking.DOCUMENT_KINDS,
        )  # fmt: skip
        kept += received.uploads
        errors = [str(error) for error in received.errors]
        if len(sent) > room:
            errors.append(_("Up to 3 documents can be sent."))
        db.session.commit()
    form.kept.data = ",".join(upload.name for upload in kept)
    return errors


def _kept(form: AskForm) -> list[Upload]:
    return uploads.unattached(db.session, form.kept_names(), asking.DOCUMENT_PURPOSE)


def _too_many_questions(form: AskForm) -> bool:
    """Questions are counted per address and per phone, as requests to meet are."""
    config = current_app.config
    refused = ratelimit.first_refused([
        ("legal-ask", config["LEGAL_ASK_LIMIT_PER_ADDRESS"], None),
        ("legal-ask-phone", config["LEGAL_ASK_LIMIT_PER_PHONE"], current_user.phone),
    ])  # fmt: skip
    if refused is None:
        return False
    form.form_errors.append(
        _("Too many questions were sent from here. Please try again later or call your community.")
    )
    return True


@bp.route("/legal/ask/<code>", methods=["GET", "POST"])
@login_required
def ask(code: str):
    """Ask the legal advisers of a community (e法官)."""
    community = _community(code)
    form = AskForm()
    form.topic.choices = [
        (str(topic.id), topic_name(topic)) for topic in topics.offered_topics(db.session)
    ]
    status = 200
    if request.method == "POST":
        now = utcnow()
        refused_files = _keep_documents(form, now)
        valid = form.validate_on_submit()
        form.documents.errors = refused_files
        if valid and not refused_files:
            if _too_many_questions(form):
                status = 429
            elif form.is_minor and (refused := refused_sending(asking.GUARDIAN_CODE)):
                form.form_errors.append(refused)
                status = 429
            else:
                with saving(form) as saved:
                    made = asking.ask(
                        db.session, current_user, community,
                        asking.Question(
                            topic_id=form.topic_id, body=form.question.data or "",
                            other_party=form.other_party.data or "", consented=form.consent.data,
                            is_minor=form.is_minor, guardian_phone=form.guardian_phone.data or "",
                            documents=_kept(form),
                        ),
                        settings=settings(), secret=code_secret(), locale=current_locale(), now=now,
                    )  # fmt: skip
                if saved:
                    if made.state is ConsultationState.AWAITING_GUARDIAN:
                        return redirect(url_for("legal.guardian", reference=made.reference))
                    flash(_("Your question is sent. We text you when the answer comes."), "success")
                    return redirect(url_for("legal.consultation", reference=made.reference))
                status = 400
        else:
            status = 400
    return render_template(
        "legal/ask.html", form=form, community=community, kept_documents=_kept(form),
        settings=settings(),
    ), status  # fmt: skip


@bp.route("/legal/consultations/<reference>/guardian", methods=["GET", "POST"])
@login_required
def guardian(reference: str):
    """A minor types the code their guardian was texted: the question is sent."""
    consultation = _own(reference, for_update=request.method == "POST")
    if consultation.state is not ConsultationState.AWAITING_GUARDIAN:
        return redirect(url_for("legal.consultation", reference=consultation.reference))
    form = GuardianForm()
    now = utcnow()
    if request.method == "POST" and request.form.get("resend"):
        form = GuardianForm(formdata=None)
        refused = refused_sending(asking.GUARDIAN_CODE)
        if refused:
            form.form_errors.append(refused)
        else:
            with saving(form) as saved:
                asking.send_guardian_code(
                    db.session, current_user, consultation, secret=code_secret(), now=now
                )
            if saved:
                flash(_("A new code was texted to your guardian."), "success")
                return redirect(url_for("legal.guardian", reference=consultation.reference))
    elif form.validate_on_submit():
        try:
            asking.confirm_guardian(
                db.session, current_user, consultation, form.code.data, settings=settings(),
                secret=code_secret(), now=now,
            )  # fmt: skip
        except Invalid as error:
            # The try is counted even when the code is wrong.
            db.session.commit()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Your question is sent. We text you when the answer comes."), "success")
            return redirect(url_for("legal.consultation", reference=consultation.reference))
    return render_template(
        "legal/guardian.html", form=form, consultation=consultation
    ), 400 if form.errors or form.form_errors else 200  # fmt: skip


@bp.get("/legal/consultations")
@login_required
def mine():
    return render_template(
        "legal/mine.html",
        consultations=thread.residents_consultations(db.session, current_user),
    )


def _thread_page(
    consultation: Consultation,
    follow_up_form: FollowUpForm | None = None,
    rate_form: RateForm | None = None,
    status: int = 200,
):
    return render_template(
        "legal/consultation.html",
        consultation=consultation,
        entries=thread.entries(db.session, consultation),
        documents=asking.documents(db.session, consultation),
        follow_ups_left=clocks.follow_ups_left(settings(), consultation.follow_ups),
        can_follow_up=thread.can_follow_up(consultation, settings()),
        follow_up_form=follow_up_form or FollowUpForm(formdata=None),
        rate_form=rate_form or RateForm(formdata=None),
        awaited_by=thread.waiting_due(consultation),
    ), status


@bp.get("/legal/consultations/<reference>")
@login_required
def consultation(reference: str):
    return _thread_page(_own(reference))


@bp.post("/legal/consultations/<reference>/follow-up")
@login_required
def follow_up(reference: str):
    made = _own(reference, for_update=True)
    form = FollowUpForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            thread.follow_up(
                db.session, current_user, made, form.body.data, settings=settings(), now=utcnow()
            )
        if saved:
            flash(_("Your question is sent. We text you when the answer comes."), "success")
            return redirect(url_for("legal.consultation", reference=made.reference))
    return _thread_page(made, follow_up_form=form, status=400)


@bp.post("/legal/consultations/<reference>/rating")
@login_required
def rate(reference: str):
    made = _own(reference, for_update=True)
    form = RateForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            thread.rate(
                db.session, current_user, made, form.rating.data, form.comment.data or "",
                now=utcnow(),
            )  # fmt: skip
        if saved:
            flash(_("Thank you. Your rating is kept."), "success")
            return redirect(url_for("legal.consultation", reference=made.reference))
    return _thread_page(made, rate_form=form, status=400)


@bp.get("/legal/consultations/<reference>/documents/<name>")
@login_required
def document(reference: str, name: str):
    """A document of a consultation, to whoever may read the consultation (a staff read is
    audited); the same 404 for an unknown name as for a consultation one may not read."""
    made = access.consultation_for(
        db.session, current_user, reference, now=utcnow(), what="document", written=True
    )
    upload = asking.find_document(db.session, made, name)
    if upload is None:
        db.session.rollback()
        raise access.not_found()
    db.session.commit()
    return send_upload(upload)
