"""The advisers' and supervisors' side of legal consultations: the desk (an adviser's queue,
a supervisor's district overview), a consultation's page (the conflict check, the answer with
snippets and citations, a supervisor's reassignment), and an adviser's snippets."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from portal.db import db, start_writing, utcnow
from portal.errors import Forbidden, NotFound
from portal.legal import access, answering, asking, queue, snippets, supervision, thread
from portal.legal.adviser_forms import (
    AnswerForm,
    ConflictForm,
    ReassignForm,
    SnippetForm,
    citation_rows,
)
from portal.legal.models import Assignment, Consultation
from portal.legal.views import bp, settings
from portal.numbers import optional_id
from portal.permissions import Permission, holds_anywhere, require_staff
from portal.web.forms import EmptyForm, one_button_action, saving


@bp.get("/legal/desk")
@login_required
def desk():
    require_staff(current_user)
    advises = holds_anywhere(current_user, Permission.ANSWER_CONSULTATIONS)
    supervises = bool(supervision.districts(current_user))
    if not (advises or supervises):
        raise Forbidden(_l("This page is for legal advisers and their supervisors."))
    page = request.args.get("page")
    mine = None
    if advises:
        mine = queue.adviser_queue(db.session, current_user, request.args.get("show", ""), page)
    overview = (
        supervision.overview(db.session, current_user, page) if supervises and not advises else None
    )
    return render_template("legal/desk.html", queue=mine, overview=overview, now=utcnow(),
                           supervises=supervises)  # fmt: skip


@bp.get("/legal/desk/district")
@login_required
def district():
    """A supervisor who is also an adviser sees the district here, their queue on the desk."""
    overview = supervision.overview(db.session, current_user, request.args.get("page"))
    return render_template("legal/desk.html", queue=None, overview=overview, now=utcnow(),
                           supervises=True)  # fmt: skip


def _consultation(reference: str, *, for_update: bool = False) -> Consultation:
    """The consultation if the current user is its adviser or supervises it; anyone else, the
    resident included, finds no such consultation here. The read is audited by the page that
    shows it (_work_page): an action refused rolls back, and the page shown after it must
    still be in the log."""
    consultation = access.consultation_for(
        db.session, current_user, reference, now=utcnow(), for_update=for_update, audited=False
    )
    if not (
        access.is_advisers(current_user, consultation)
        or access.supervises(current_user, consultation)
    ):
        raise access.not_found()
    return consultation


def _answer_form(form: AnswerForm | None = None) -> AnswerForm:
    form = form or AnswerForm()
    mine = snippets.snippets_of(db.session, current_user)
    form.snippet.choices = [("", _("Choose a snippet"))] + [(str(s.id), s.title) for s in mine]
    return form


def _work_page(consultation: Consultation, status: int = 200, **forms):
    is_adviser = access.is_advisers(current_user, consultation)
    is_supervisor = access.supervises(current_user, consultation)
    reads = is_supervisor or (is_adviser and consultation.cleared_at is not None)
    history = []
    advisers = []
    reassign_form = forms.get("reassign_form") or ReassignForm()
    if is_supervisor:
        history = list(
            db.session.scalars(
                select(Assignment)
                .where(Assignment.consultation_id == consultation.id)
                .order_by(Assignment.id)
            )
        )
        if consultation.state in answering.OPEN:
            advisers = supervision.advisers_for(db.session, current_user, consultation)
            reassign_form.adviser.choices = [("", _("Choose an adviser"))] + [
                (str(user.id), user.display_name) for user in advisers
            ]
    access.record_read(db.session, current_user, consultation, now=utcnow())
    documents = []
    if reads and consultation.documents_deleted_at is None:
        documents = asking.documents(db.session, consultation)
    response = render_template(
        "legal/work.html",
        consultation=consultation,
        is_adviser=is_adviser,
        is_supervisor=is_supervisor,
        reads=reads,
        entries=thread.entries(db.session, consultation) if reads else [],
        documents=documents,
        history=history,
        advisers=advisers,
        conflict_form=forms.get("conflict_form") or ConflictForm(),
        answer_form=_answer_form(forms.get("answer_form")) if is_adviser else None,
        snippets=snippets.snippets_of(db.session, current_user) if is_adviser else [],
        reassign_form=reassign_form,
        now=utcnow(),
    )
    # The read is audited in the page's own transaction.
    db.session.commit()
    return response, status


@bp.get("/legal/desk/<reference>")
@login_required
def work(reference: str):
    # The staff read is audited: on SQLite the page's transaction takes the write lock first.
    start_writing(db.session)
    return _work_page(_consultation(reference))


@bp.post("/legal/desk/<reference>/clear")
@login_required
def clear(reference: str):
    consultation = _consultation(reference, for_update=True)
    one_button_action(
        lambda: answering.clear(db.session, current_user, consultation, now=utcnow()),
        _("Noted: you have no conflict of interest. The question is below."),
    )
    return redirect(url_for("legal.work", reference=consultation.reference))


@bp.post("/legal/desk/<reference>/conflict")
@login_required
def conflict(reference: str):
    consultation = _consultation(reference, for_update=True)
    form = ConflictForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            answering.declare_conflict(db.session, current_user, consultation,
                                       form.reason.data or "", settings=settings(),
                                       now=utcnow())  # fmt: skip
        if saved:
            flash(_("Passed on to another adviser. Only supervisors read your reason."),
                  "success")  # fmt: skip
            return redirect(url_for("legal.desk"))
    return _work_page(consultation, 400, conflict_form=form)


@bp.post("/legal/desk/<reference>/answer")
@login_required
def answer(reference: str):
    consultation = _consultation(reference, for_update=True)
    if not access.is_advisers(current_user, consultation):
        raise access.not_found()
    form = _answer_form(AnswerForm())
    if not form.validate_on_submit():
        return _work_page(consultation, 400, answer_form=form)
    if "insert" in request.form:
        return _insert_snippet(consultation, form)
    with saving(form) as saved:
        citations = answering.parse_citations(citation_rows(form))
        answering.answer(db.session, current_user, consultation, form.body.data or "",
                         citations, settings=settings(), now=utcnow())  # fmt: skip
    if saved:
        flash(_("Your answer is sent. The resident has been texted a link to read it."),
              "success")  # fmt: skip
        return redirect(url_for("legal.work", reference=consultation.reference))
    return _work_page(consultation, 400, answer_form=form)


def _insert_snippet(consultation: Consultation, form: AnswerForm):
    """The answer form again, the chosen snippet added after what was typed; nothing saved."""
    try:
        chosen = optional_id(form.snippet.data)
        snippet = snippets.snippet_for(db.session, current_user, chosen) if chosen else None
    except (ValueError, NotFound):
        snippet = None
    if snippet is None:
        form.snippet.errors = [_("Choose one of your snippets.")]
        return _work_page(consultation, 400, answer_form=form)
    typed = (form.body.data or "").rstrip()
    form.body.data = f"{typed}\n\n{snippet.body}" if typed else snippet.body
    form.snippet.data = ""
    return _work_page(consultation, answer_form=form)


@bp.post("/legal/desk/<reference>/reassign")
@login_required
def reassign(reference: str):
    consultation = _consultation(reference, for_update=True)
    if not access.supervises(current_user, consultation):
        raise access.not_found()
    form = ReassignForm()
    form.adviser.choices = []
    if form.validate_on_submit():
        try:
            chosen = optional_id(form.adviser.data) or 0
        except ValueError:
            chosen = 0
        with saving(form) as saved:
            supervision.reassign(db.session, current_user, consultation, chosen,
                                 settings=settings(), now=utcnow())  # fmt: skip
        if saved:
            flash(_("Reassigned. The adviser has been texted."), "success")
            return redirect(url_for("legal.work", reference=consultation.reference))
    return _work_page(consultation, 400, reassign_form=form)


# --- snippets ---------------------------------------------------------------------------------


@bp.route("/legal/snippets", methods=["GET", "POST"])
@login_required
def snippets_list():
    mine = snippets.snippets_of(db.session, current_user)
    form = SnippetForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            snippets.add_snippet(db.session, current_user, form.title.data or "",
                                 form.body.data or "", now=utcnow())  # fmt: skip
        if saved:
            flash(_("Snippet kept."), "success")
            return redirect(url_for("legal.snippets_list"))
    status = 400 if form.is_submitted() else 200
    return render_template("legal/snippets.html", snippets=mine, form=form), status


@bp.route("/legal/snippets/<int:snippet_id>", methods=["GET", "POST"])
@login_required
def snippet_edit(snippet_id: int):
    snippet = snippets.snippet_for(db.session, current_user, snippet_id)
    form = SnippetForm(obj=snippet)
    if form.validate_on_submit():
        with saving(form) as saved:
            snippets.edit_snippet(db.session, current_user, snippet_id, form.title.data or "",
                                  form.body.data or "", now=utcnow())  # fmt: skip
        if saved:
            flash(_("Snippet saved."), "success")
            return redirect(url_for("legal.snippets_list"))
    status = 400 if form.is_submitted() else 200
    return render_template("legal/snippets_edit.html", snippet=snippet, form=form,
                           delete_form=EmptyForm()), status  # fmt: skip


@bp.post("/legal/snippets/<int:snippet_id>/delete")
@login_required
def snippet_delete(snippet_id: int):
    snippets.snippet_for(db.session, current_user, snippet_id)
    one_button_action(
        lambda: snippets.delete_snippet(db.session, current_user, snippet_id),
        _("Snippet deleted."),
    )
    return redirect(url_for("legal.snippets_list"))
