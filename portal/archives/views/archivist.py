"""HTTP for archive queries: the archivists' pages. The desk (an archive's queue, by tabs) and a
request's page, with the documents, the history, the archive asked to help, and a plain POST
form for each action its state allows; after an action, a message and the request's page.

The request's page is for the archivists of the archive it was sent to and of an archive asked
to help; to anyone else, the resident included (who has a page of their own), it does not
exist. Every look at it is audited in the page's own transaction, a refused action's too. The
ID numbers are shown whole only on the page a POST of "reveal" returns, never in a URL.
"""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import SelectChoice

from portal.archives import (
    access,
    answering,
    assists,
    catalogue,
    documents,
    identity,
    labels,
    letters,
    queue,
    review,
    steps,
)
from portal.archives.desk_forms import (
    DispatchForm,
    MoreForm,
    PassForm,
    RefuseForm,
    ResultForm,
    WithdrawForm,
)
from portal.archives.models import ArchiveRequest, Assist, Proof, RequestState
from portal.archives.views import bp, settings
from portal.db import db, start_writing, utcnow
from portal.errors import NotFound
from portal.uploads import services as uploads
from portal.uploads.models import Upload
from portal.uploads.web import chosen, receive_files
from portal.verification.facts import mask_name
from portal.web.forms import EmptyForm, one_button_action, saving
from portal.web.templating import local_name

# The assisting archive's answer has the result's fields; its own prefix keeps the two forms
# apart on the page of an archivist who works both archives.
ASSIST_PREFIX = "assist"
# Passing on and asking for more documents both take a note: a prefix keeps their fields'
# ids, and so their labels, apart on the accepted request's page.
ANOTHER_ARCHIVE_PREFIX = "another"


# The checklist's proofs as the archivist names them (labels.PROOF_LABELS speak to the resident).
PROOF_NAMES = {
    Proof.REQUESTER_ID: _l("The requester's ID card"),
    Proof.SUBJECT_ID: _l("ID card or household register of the person concerned"),
    Proof.AUTHORISATION: _l("Signed authorisation (委托书)"),
    Proof.GUARDIANSHIP: _l("Proof of guardianship"),
    Proof.DEATH_CERTIFICATE: _l("Death certificate"),
    Proof.KINSHIP: _l("Proof of the relationship"),
    Proof.OTHER: _l("Other documents, asked for later"),
}


def person_masked(made: ArchiveRequest) -> str:
    """Whose record it is, as the queue shows it (李*)."""
    return mask_name(made.subject_name or made.requester_name)


@bp.get("/archives/desk")
@login_required
def desk():
    try:
        shown = queue.archive_queue(
            db.session, current_user, request.args.get("archive"), request.args.get("tab"),
            request.args.get("page"),
        )  # fmt: skip
    except NotFound:
        abort(404)
    return render_template("archives/desk.html", queue=shown, tabs=queue.Tab, now=utcnow(),
                           person_masked=person_masked, relation_short=labels.RELATION_SHORT)  # fmt: skip


def _request(reference: str, *, for_update: bool = False) -> ArchiveRequest:
    return access.staff_request_for(
        db.session, current_user, reference, now=utcnow(), for_update=for_update
    )


def _result_form(answered: Assist | None) -> ResultForm:
    """The result form, filled from the answer of the archive that helped, if one did."""
    form = ResultForm(formdata=None)
    if answered is not None and answered.outcome is not None:
        form.outcome.data = answered.outcome.value
        form.file_number.data = answered.file_number
        form.summary.data = answered.summary
    return form


def _request_page(made: ArchiveRequest, status: int = 200, *, numbers=None, **forms):
    session, actor, now = db.session, current_user, utcnow()
    receiving = access.is_receiving_archivist(session, actor, made)
    mine = access.assists_for(session, actor, made)
    shown_assists = assists.assists_of(session, made) if receiving else mine
    waiting = next((each for each in shown_assists if each.answered_at is None), None)
    answered = next((each for each in reversed(shown_assists) if each.answered_at), None)
    to_answer = next((each for each in reversed(mine) if each.answered_at is None), None)
    pass_form = forms.get("pass_form") or PassForm(formdata=None, prefix=ANOTHER_ARCHIVE_PREFIX)
    if receiving and made.state is RequestState.ACCEPTED and waiting is None:
        pass_form.archive.choices = [SelectChoice("", _("Choose an archive"))] + [
            SelectChoice(archive.code, local_name(archive))
            for archive in catalogue.active_archives(session)
            if archive.id != made.archive_id
        ]
    files = documents.documents(session, made) if made.documents_deleted_at is None else []
    by_proof = documents.by_proof(files)
    # The checklist of the requester's relation first, then what else came (asked for later).
    checklist = made.kind.proofs_for(made.relation) or []
    proofs = checklist + [proof for proof in by_proof if proof not in checklist]
    access.record_read(session, actor, made, now=now)
    response = render_template(
        "archives/desk_request.html",
        made=made, now=now, receiving=receiving, assists=shown_assists, waiting=waiting,
        answered=answered, to_answer=to_answer if made.is_open else None,
        by_proof=by_proof, proofs=proofs, proof_names=PROOF_NAMES, scans=documents.scans(session, made),
        history=steps.history(session, made), letter=letters.letter_of(session, made),
        numbers=numbers, may_reveal=numbers is None and identity.may_reveal(session, actor, made),
        labels=labels, button_form=EmptyForm(),
        more_form=forms.get("more_form") or MoreForm(formdata=None),
        refuse_form=forms.get("refuse_form") or RefuseForm(formdata=None),
        pass_form=pass_form,
        result_form=forms.get("result_form") or _result_form(answered),
        assist_form=forms.get("assist_form") or ResultForm(prefix=ASSIST_PREFIX, formdata=None),
        withdraw_form=forms.get("withdraw_form") or WithdrawForm(formdata=None),
        dispatch_form=forms.get("dispatch_form") or DispatchForm(formdata=None),
        kept_scans=forms.get("kept_scans", []), has_errors=status >= 400,
    )  # fmt: skip
    # The read is audited in the page's own transaction (and so is the reveal, if one).
    db.session.commit()
    return response, status


def _back(made: ArchiveRequest):
    return redirect(url_for("archives.desk_request", reference=made.reference))


@bp.get("/archives/desk/requests/<reference>")
@login_required
def desk_request(reference: str):
    # The staff read is audited: on SQLite the page's transaction takes the write lock first.
    start_writing(db.session)
    return _request_page(_request(reference))


@bp.post("/archives/desk/requests/<reference>/reveal")
@login_required
def desk_reveal(reference: str):
    made = _request(reference, for_update=True)
    if not EmptyForm().validate_on_submit():
        return _back(made)
    # Anyone but the handler (or who may become it) gets the NotFound of no such request.
    numbers = identity.reveal(db.session, current_user, made, now=utcnow())
    # Shown on this one page, never put in a URL, a flash message or the session.
    return _request_page(made, numbers=numbers)


@bp.post("/archives/desk/requests/<reference>/accept")
@login_required
def desk_accept(reference: str):
    made = _request(reference, for_update=True)
    one_button_action(
        lambda: review.accept(db.session, current_user, made, settings=settings(), now=utcnow()),
        _("Accepted. The answer is due by the date on this page."),
    )
    return _back(made)


@bp.post("/archives/desk/requests/<reference>/more")
@login_required
def desk_more(reference: str):
    made = _request(reference, for_update=True)
    form = MoreForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            review.ask_for_more(db.session, current_user, made, form.note.data,
                                settings=settings(), now=utcnow())  # fmt: skip
        if saved:
            flash(_("The resident has been texted what to add. The clock stands still until it "
                    "comes."), "success")  # fmt: skip
            return _back(made)
    return _request_page(made, 400, more_form=form)


@bp.post("/archives/desk/requests/<reference>/refuse")
@login_required
def desk_refuse(reference: str):
    made = _request(reference, for_update=True)
    form = RefuseForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            review.refuse(db.session, current_user, made, form.reason.data, settings=settings(),
                          now=utcnow())  # fmt: skip
        if saved:
            flash(_("Refused. The resident has been texted a link to your reason."), "success")
            return _back(made)
    return _request_page(made, 400, refuse_form=form)


@bp.post("/archives/desk/requests/<reference>/pass")
@login_required
def desk_pass(reference: str):
    made = _request(reference, for_update=True)
    form = PassForm(prefix=ANOTHER_ARCHIVE_PREFIX)
    if form.validate_on_submit():
        archive = assists.archive_by_code(db.session, form.archive.data)
        with saving(form) as saved:
            assists.pass_to(db.session, current_user, made, archive, form.note.data,
                            settings=settings(), now=utcnow())  # fmt: skip
        if saved:
            flash(_("Passed on. Its archivists have been texted; the page shows when they are "
                    "to answer."), "success")  # fmt: skip
            return _back(made)
    return _request_page(made, 400, pass_form=form)


def _keep_scans(form: ResultForm, now: datetime) -> list[str]:
    """Clean and store the scans as soon as they arrive, so that nothing is sent twice when
    another answer on the form is wrong; their names ride along in the form. Returns what was
    refused."""
    kept = uploads.unattached(db.session, form.kept_names(), documents.SCAN_PURPOSE)
    sent = chosen(request.files.getlist(form.scans.name))
    errors: list[str] = []
    if sent:
        room = max(0, documents.MOST_SCANS - len(kept))
        received = receive_files(
            db.session, sent, purpose=documents.SCAN_PURPOSE, now=now, room=room,
            kinds=documents.DOCUMENT_KINDS,
        )  # fmt: skip
        kept += received.uploads
        errors = [str(error) for error in received.errors]
        if len(sent) > room:
            errors.append(_("Attach at most 10 scanned pages."))
        db.session.commit()
    form.kept.data = ",".join(upload.name for upload in kept)
    return errors


def _kept(form: ResultForm) -> list[Upload]:
    return uploads.unattached(db.session, form.kept_names(), documents.SCAN_PURPOSE)


def _finding(reference: str, form: ResultForm, form_name: str, record) -> tuple:
    """Keep the scans sent, then record the finding with `record(made, kept_scans)` under the
    request's lock; the page again (400) with everything typed and sent if anything is wrong."""
    # Someone who may not read the request sends no file into the store.
    _request(reference)
    refused_files = _keep_scans(form, utcnow())
    made = _request(reference, for_update=True)
    valid = form.validate_on_submit()
    form.scans.errors = refused_files
    if valid and not refused_files:
        with saving(form) as saved:
            record(made, _kept(form))
        if saved:
            return made, None
    return made, _request_page(made, 400, kept_scans=_kept(form), **{form_name: form})


@bp.post("/archives/desk/requests/<reference>/result")
@login_required
def desk_result(reference: str):
    form = ResultForm()

    def record(made: ArchiveRequest, scans: list[Upload]) -> None:
        answering.record_result(
            db.session, current_user, made, outcome=form.outcome.data,
            file_number=form.file_number.data, summary=form.summary.data, scans=scans,
            settings=settings(), now=utcnow(),
        )  # fmt: skip

    made, refused = _finding(reference, form, "result_form", record)
    if refused is not None:
        return refused
    flash(_("The result is recorded and the letter issued. The resident has been texted."),
          "success")  # fmt: skip
    return _back(made)


@bp.post("/archives/desk/requests/<reference>/assist-answer")
@login_required
def desk_assist_answer(reference: str):
    form = ResultForm(prefix=ASSIST_PREFIX)

    def record(made: ArchiveRequest, scans: list[Upload]) -> None:
        assist = assists.assist_to_answer(db.session, current_user, made)
        assists.answer_assist(
            db.session, current_user, assist, outcome=form.outcome.data,
            file_number=form.file_number.data, summary=form.summary.data, scans=scans,
            settings=settings(), now=utcnow(),
        )  # fmt: skip

    made, refused = _finding(reference, form, "assist_form", record)
    if refused is not None:
        return refused
    flash(_("Your answer is sent to the archive that asked."), "success")
    return _back(made)


@bp.post("/archives/desk/requests/<reference>/withdraw")
@login_required
def desk_withdraw(reference: str):
    made = _request(reference, for_update=True)
    form = WithdrawForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            answering.withdraw_letter(db.session, current_user, made, form.reason.data,
                                      settings=settings(), now=utcnow())  # fmt: skip
        if saved:
            flash(_("The letter is withdrawn: its code now says so to whoever checks it."),
                  "success")  # fmt: skip
            return _back(made)
    return _request_page(made, 400, withdraw_form=form)


@bp.post("/archives/desk/requests/<reference>/dispatch")
@login_required
def desk_dispatch(reference: str):
    made = _request(reference, for_update=True)
    form = DispatchForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            answering.record_dispatch(db.session, current_user, made, form.note.data,
                                      now=utcnow())  # fmt: skip
        if saved:
            flash(_("Recorded as posted."), "success")
            return _back(made)
    return _request_page(made, 400, dispatch_form=form)


@bp.post("/archives/desk/requests/<reference>/collect")
@login_required
def desk_collect(reference: str):
    made = _request(reference, for_update=True)
    one_button_action(
        lambda: answering.record_collection(db.session, current_user, made, now=utcnow()),
        _("Recorded as picked up."),
    )
    return _back(made)
