"""HTTP for the public questions and answers (FAQ): the public list, search and answer pages;
the resident's consent page, reached from the SMS; the adviser's proposal and draft; the
supervisors' review."""

from __future__ import annotations

from functools import partial

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal.accounts.sending import refused_sending
from portal.db import db, start_writing, utcnow
from portal.errors import Invalid, NotFound, TooMany
from portal.legal import faq as faqs
from portal.legal import faq_search
from portal.legal.faq_forms import AGREE, DECLINE, TAKE_BACK, FaqConsentForm, FaqDraftForm
from portal.legal.models import FaqState, LegalTopic
from portal.legal.topics import offered_topics
from portal.legal.views import bp, settings
from portal.numbers import optional_id
from portal.web.carried import carry_errors, show_carried_errors
from portal.web.forms import EmptyForm, one_button_action, saving


def _or_404(find, *args, **kwargs):
    try:
        return find(*args, **kwargs)
    except NotFound:
        abort(404)


def _topic_asked(topics: list[LegalTopic]) -> LegalTopic | None:
    """The topic in the address (?topic=3), if it is one; any other value shows them all."""
    try:
        wanted = optional_id(request.args.get("topic", ""))
    except ValueError:
        return None
    if wanted is None:
        return None
    return next((each for each in topics if each.id == wanted), None) or db.session.get(
        LegalTopic, wanted
    )


@bp.get("/legal/faq")
def faq():
    """The published questions and answers, by topic, newest first; or those matching ?q=."""
    topics = offered_topics(db.session)
    topic = _topic_asked(topics)
    query = request.args.get("q", "").strip()[: faq_search.QUERY_MAX]
    topic_id = topic.id if topic else None
    raw_page = request.args.get("page")
    if query:
        page = faq_search.search(db.session, query, topic_id, raw_page)
    else:
        page = faq_search.latest(db.session, topic_id, raw_page)
    return render_template("legal/faq.html", topics=topics, topic=topic, query=query, page=page)


@bp.get("/legal/faq/<int:faq_id>")
def faq_answer(faq_id: int):
    """One published question and answer."""
    found = _or_404(faqs.published, db.session, faq_id)
    may_withdraw = current_user.is_authenticated and faqs.can_review(current_user)
    if may_withdraw:
        try:
            faqs.review_for(db.session, current_user, faq_id)
        except NotFound:
            may_withdraw = False
    return render_template("legal/faq_answer.html", faq=found, may_withdraw=may_withdraw)


# -- The resident's consent -----------------------------------------------------------------


def _code_secret() -> bytes:
    return current_app.config["SECRET_KEY"].encode()


# What each button of the consent page does (agreeing also needs the district's settings).
DECISIONS = {AGREE: faqs.consent, DECLINE: faqs.refuse, TAKE_BACK: faqs.take_back}
THANKS = {
    AGREE: _l("Thank you. The lawyer will write the text without your name."),
    DECLINE: _l("Thank you. Your consultation will not be published."),
    TAKE_BACK: _l(
        "Your consent is taken back: it will not be published, and if it was, it is taken down now."
    ),
}


@bp.route("/legal/faq/consent/<token>", methods=["GET", "POST"])
def faq_consent(token: str):
    """The resident reads what would be published, asks for a code, and agrees or says no."""
    # The answer is locked: two taps (agree, then no) are decided one after the other.
    found = _or_404(faqs.faq_by_token, db.session, token, for_update=request.method == "POST")
    form = FaqConsentForm()
    wait = None
    now = utcnow()
    if request.method == "POST" and request.form.get("resend"):
        if EmptyForm().validate_on_submit():
            wait = refused_sending(faqs.CONSENT_CODE)
            if wait is None:
                try:
                    faqs.send_consent_code(db.session, found, secret=_code_secret(), now=now)
                except (TooMany, Invalid) as refused:
                    db.session.rollback()
                    wait = refused.message
                else:
                    db.session.commit()
                    flash(_("We sent a code to your phone."), "success")
                    return redirect(url_for("legal.faq_consent", token=token))
    elif form.validate_on_submit():
        decision = form.decision.data
        if decision not in DECISIONS:
            form.form_errors.append(_("Choose whether you agree."))
        else:
            decide = (
                partial(faqs.consent, settings=settings())
                if decision == AGREE
                else DECISIONS[decision]
            )
            with saving(form) as saved:
                try:
                    decide(db.session, found, form.code.data, secret=_code_secret(), now=now)
                except Invalid:
                    db.session.commit()  # the spent try must count
                    raise
            if saved:
                flash(str(THANKS[decision]), "success")
                return redirect(url_for("legal.faq_consent", token=token))
            # A wrong code is said on the page a GET opens: a reload spends no try.
            carry_errors(form)
            return redirect(url_for("legal.faq_consent", token=token))
    elif request.method == "GET":
        show_carried_errors(form)
    status = 429 if wait else (400 if form.errors or form.form_errors else 200)
    asked = found.state == FaqState.ASKED
    open_to_answer = asked or found.state in faqs.AGREED
    return render_template(
        "legal/faq_consent.html", faq=found, form=form, wait=wait,
        entries=faqs.thread_for(db.session, current_user, found) if asked else [],
        codes_left=faqs.codes_left(db.session, found, now=now) if open_to_answer else 0,
        code_minutes=faqs.CONSENT_CODE.minutes, phone=found.consultation.user.phone,
    ), status  # fmt: skip


# -- The adviser's proposal and draft -------------------------------------------------------


def _work_page(reference: str) -> str:
    """The adviser's page of the consultation."""
    return url_for("legal.work", reference=reference)


@bp.post("/legal/desk/<reference>/faq")
@login_required
def propose_faq(reference: str):
    """The adviser proposes publishing a closed consultation; the resident is texted."""
    if not EmptyForm().validate_on_submit():
        return redirect(_work_page(reference))
    try:
        made, _token = faqs.propose(db.session, current_user, reference, settings=settings(),
                                    now=utcnow())  # fmt: skip
    except NotFound:
        db.session.rollback()
        abort(404)
    except Invalid as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return redirect(_work_page(reference))
    db.session.commit()
    flash(_("We texted the resident to ask whether they agree."), "success")
    return redirect(url_for("legal.faq_draft", faq_id=made.id))


@bp.route("/legal/faq/drafts/<int:faq_id>", methods=["GET", "POST"])
@login_required
def faq_draft(faq_id: int):
    """Where the FAQ stands, and while the resident has agreed, the adviser's anonymised text
    with what the check flags beside it."""
    # Every showing is audited: on SQLite the page's transaction takes the write lock first.
    start_writing(db.session)
    found = _or_404(faqs.draft_for, db.session, current_user, faq_id)
    form = FaqDraftForm(obj=None if request.method == "POST" else found)
    status = 200
    if request.method == "POST" and found.state == FaqState.CONSENTED:
        if form.validate_on_submit():
            act = faqs.submit if form.submit.data else faqs.write
            saved_flags = False
            with saving(form) as saved:
                try:
                    act(db.session, current_user, faq_id, form.question.data, form.answer.data,
                        now=utcnow())  # fmt: skip
                except Invalid as refused:
                    if refused.details.get("saved"):
                        db.session.commit()  # the text is kept, with what was flagged
                        saved_flags = True
                    raise
            if saved:
                flash(_("Sent to the supervisors for review.") if form.submit.data
                      else _("Saved."), "success")  # fmt: skip
                return redirect(url_for("legal.faq_draft", faq_id=faq_id))
            if saved_flags:
                db.session.refresh(found)
        status = 400
    faqs.record_read(db.session, current_user, found, now=utcnow())
    response = render_template("legal/faq_draft.html", faq=found, form=form)
    db.session.commit()
    return response, status


# -- The supervisors' review ----------------------------------------------------------------


@bp.get("/legal/faq/review")
@login_required
def faq_review():
    """The FAQs waiting for a supervisor of the district, and those published lately."""
    if not faqs.can_review(current_user):
        abort(404)
    return render_template(
        "legal/faq_review.html",
        waiting=faqs.review_queue(db.session, current_user, FaqState.SUBMITTED),
        published=faqs.review_queue(db.session, current_user, FaqState.PUBLISHED),
    )


def _review_action(action, faq_id: int, done: str, then: str | None = None):
    _or_404(faqs.review_for, db.session, current_user, faq_id)
    acted = one_button_action(lambda: action(db.session, current_user, faq_id, now=utcnow()), done)
    return redirect(then if acted and then else url_for("legal.faq_review"))


@bp.post("/legal/faq/review/<int:faq_id>/publish")
@login_required
def faq_publish(faq_id: int):
    return _review_action(faqs.publish, faq_id, _("Published."),
                          url_for("legal.faq_answer", faq_id=faq_id))  # fmt: skip


@bp.post("/legal/faq/review/<int:faq_id>/send-back")
@login_required
def faq_send_back(faq_id: int):
    return _review_action(faqs.send_back, faq_id, _("Sent back to the lawyer."))


@bp.post("/legal/faq/review/<int:faq_id>/withdraw")
@login_required
def faq_withdraw(faq_id: int):
    return _review_action(faqs.withdraw, faq_id, _("Withdrawn from the public pages."))


def faq_drafts() -> list:
    """For the adviser's desk (legal/_faq_desk.html): the answers residents agreed to publish,
    waiting for the reader to write them without names."""
    if not current_user.is_authenticated:
        return []
    return faqs.drafts_to_write(db.session, current_user)


def faq_standing(consultation) -> dict:
    """For the adviser's page of a consultation (legal/_faq_adviser.html): its FAQ, if one
    was proposed, and whether the reader may propose one."""
    if not current_user.is_authenticated:
        return {"faq": None, "may_propose": False}
    return {
        "faq": faqs.faq_of(db.session, consultation),
        "may_propose": faqs.may_propose(db.session, current_user, consultation),
    }
