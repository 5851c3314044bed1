"""HTTP for archive queries: the resident's pages. What one can ask for and each kind's
checklist (public), asking (signed in: a resident proved their phone with an SMS code), the
list of one's requests, a request's page with the form to add documents the archive asked
for, its files, and the result letter (HTML, PDF, and the archive's seal printed on it).

A request's page is its resident's alone; its files and letter are also for the archivists
who work it (access.py), each staff read audited. Anyone else gets the same 404 as for a
reference never issued. ID numbers and documents arrive only by POST and leave only masked.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from babel.dates import format_date, format_skeleton
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from portal import ratelimit
from portal.archives import (
    access,
    asking,
    catalogue,
    documents,
    follow_up,
    identity,
    labels,
    letters,
    steps,
)
from portal.archives.forms import AddDocumentsForm, AskForm
from portal.archives.letter_pdf import letter_pdf as render_letter_pdf
from portal.archives.models import (
    ArchiveRequest,
    Proof,
    RecordKind,
    Relation,
    RequestState,
)
from portal.archives.views import bp, settings
from portal.db import db, utcnow
from portal.errors import Invalid
from portal.i18n import CHINESE, DATE_LOCALES, SHANGHAI
from portal.pagination import paginate
from portal.uploads import services as uploads
from portal.uploads.models import Upload, UploadKind
from portal.uploads.web import chosen, receive_files, send_upload, store
from portal.verification import services as verification
from portal.verification.codes import grouped
from portal.web.forms import saving, show_error
from portal.web.templating import current_locale, local_name
from portal.workdays.services import local_date

# The resident's requests, a page at a time.
PER_PAGE = 20


def due_words(moment: datetime | None) -> str:
    """A deadline as an older reader says it: "12月8日（周二）前", "by Tue 8 Dec"."""
    if moment is None:
        return ""
    locale = current_locale()
    day = moment.astimezone(SHANGHAI).date()
    if locale == CHINESE:
        chinese = DATE_LOCALES[CHINESE]
        words = f"{format_skeleton('MMMd', day, locale=chinese)}（{format_date(day, 'EEE', locale=chinese)}）"
    else:
        words = format_skeleton("MMMEd", day, locale=DATE_LOCALES.get(locale, locale))
    return _("by %(day)s", day=words)


@bp.context_processor
def _resident_helpers() -> dict:
    return {"archive_labels": labels, "archives_due_words": due_words}


# What one can ask for


@bp.get("/archives")
def start():
    """What one can ask an archive for, the kinds offered, and how long it takes."""
    return render_template(
        "archives/start.html", kinds=catalogue.askable_kinds(db.session), settings=settings()
    )


def _kind(code: str) -> RecordKind:
    kind = asking.kind_by_code(db.session, code)
    if kind is None:
        abort(404)
    return kind


@bp.get("/archives/kinds/<code>")
def kind(code: str):
    """A kind of record: who may ask for it, what each attaches, who keeps it, how long."""
    found = _kind(code)
    relations = [
        (relation, proofs)
        for relation in Relation
        if (proofs := found.proofs_for(relation)) is not None
    ]
    return render_template(
        "archives/kind.html", kind=found, relations=relations,
        archives=catalogue.archives_keeping(db.session, found), settings=settings(),
    )  # fmt: skip


# Asking


def _waiting_files(names: Iterable[str], proofs: Iterable[Proof]) -> dict[Proof, list[Upload]]:
    """The files called `names` sent for one of `proofs` that wait for their form, by proof,
    in the order of `names` (one query for every proof)."""
    wanted = list(dict.fromkeys(names))
    purposes = [documents.proof_purpose(proof) for proof in proofs]
    if not wanted or not purposes:
        return {}
    found = {
        upload.name: upload
        for upload in db.session.scalars(
            select(Upload).where(
                Upload.name.in_(wanted), Upload.owner.is_(None), Upload.purpose.in_(purposes)
            )
        )
    }
    return documents.by_proof(found[name] for name in wanted if name in found)


def _receive(
    sent: list, proof: Proof, kept: list[Upload], now: datetime
) -> tuple[list[Upload], list[str]]:
    """Clean and store the files sent for `proof` next to those kept: all of them, and a
    message for each refused (too large, not a picture or PDF, too many)."""
    room = max(0, documents.MOST_PER_PROOF - len(kept))
    received = receive_files(
        db.session, sent, purpose=documents.proof_purpose(proof), now=now, room=room,
        kinds=documents.DOCUMENT_KINDS,
    )  # fmt: skip
    errors = [str(error) for error in received.errors]
    if len(sent) > room:
        errors.append(
            _(
                "Up to %(count)d files can be sent for each document.",
                count=documents.MOST_PER_PROOF,
            )
        )
    return kept + received.uploads, errors


def _keep_documents(
    form: AskForm, proofs: list[Proof], now: datetime
) -> tuple[dict[Proof, list[Upload]], dict[Proof, list[str]]]:
    """Clean and store the files as soon as they arrive, so that nothing is sent twice when
    another answer on the form is wrong; their names ride along in the form, per proof.
    Returns the files kept and the messages of those refused, by proof."""
    names = [name for proof in proofs for name in form.kept_names(proof)]
    kept = _waiting_files(names, proofs)
    refused: dict[Proof, list[str]] = {}
    for proof in proofs:
        sent = chosen(request.files.getlist(form.files_field(proof).name))
        if sent:
            kept[proof], errors = _receive(sent, proof, kept.get(proof, []), now)
            if errors:
                refused[proof] = errors
        form.kept_of(proof).data = ",".join(upload.name for upload in kept.get(proof, []))
    if request.files:
        db.session.commit()
    return kept, refused


def _too_many_requests(form: AskForm) -> bool:
    """Requests are counted per address and per phone, as legal questions are."""
    config = current_app.config
    refused = ratelimit.first_refused([
        ("archives-ask", config["ARCHIVES_ASK_LIMIT_PER_ADDRESS"], None),
        ("archives-ask-phone", config["ARCHIVES_ASK_LIMIT_PER_PHONE"], current_user.phone),
    ])  # fmt: skip
    if refused is None:
        return False
    form.form_errors.append(
        _("Too many requests were sent from here. Please try again later or call the archive.")
    )
    return True


def _application(
    form: AskForm, kind: RecordKind, relation: Relation, kept: dict[Proof, list[Upload]]
) -> asking.Application:
    return asking.Application(
        kind_id=kind.id, archive_id=form.archive_id, relation=relation,
        requester_name=form.requester_name.data or "",
        requester_id_number=form.requester_id_number.data or "",
        subject_name=form.subject_name.data or "",
        subject_id_number=form.subject_id_number.data or "",
        purpose=form.purpose.data or "", delivery=form.delivery.data or "",
        postal_address=form.postal_address.data or "", consented=bool(form.consent.data),
        documents=[upload for files in kept.values() for upload in files],
    )  # fmt: skip


def _show_other_problems(form: AskForm, application: asking.Application, skipped: set[str]):
    """Say what else is wrong while some files were refused, but for the fields of those."""
    try:
        asking.check_application(db.session, application, today=local_date(utcnow()))
    except Invalid as error:
        for problem in error.problems:
            if problem.details.get("field") not in skipped:
                show_error(form, problem)


@bp.route("/archives/ask/<code>/<relation>", methods=["GET", "POST"])
@login_required
def ask(code: str, relation: str):
    """Ask an archive for a record of `code`, as someone of `relation` to the person."""
    found = _kind(code)
    chosen_relation = asking.relation_of(relation)
    proofs = found.proofs_for(chosen_relation) if chosen_relation is not None else None
    archives_ = catalogue.archives_keeping(db.session, found)
    if proofs is None or not archives_:
        abort(404)
    form = AskForm()
    form.archive.choices = [(str(archive.id), local_name(archive)) for archive in archives_]
    if request.method == "GET" and len(archives_) == 1:
        form.archive.data = str(archives_[0].id)
    kept: dict[Proof, list[Upload]] = {}
    status = 200
    if request.method == "POST":
        now = utcnow()
        kept, refused = _keep_documents(form, proofs, now)
        application = _application(form, found, chosen_relation, kept)
        if not form.validate_on_submit():
            status = 400
        elif refused:
            for proof, errors in refused.items():
                form.files_field(proof).errors = errors
            _show_other_problems(form, application, {asking.proof_field(p) for p in refused})
            status = 400
        elif _too_many_requests(form):
            status = 429
        else:
            with saving(form) as saved:
                made = asking.send(
                    db.session, current_user, application, settings=settings(),
                    seal_key=identity.app_key(), locale=current_locale(), now=now,
                )  # fmt: skip
            if saved:
                flash(_("Your request %(reference)s is sent. The archive checks it %(due)s.",
                        reference=made.reference, due=due_words(made.due_at)), "success")  # fmt: skip
                return redirect(url_for("archives.request", reference=made.reference))
            status = 400
    return render_template(
        "archives/ask.html", form=form, kind=found, relation=chosen_relation, proofs=proofs,
        kept=kept, settings=settings(),
    ), status  # fmt: skip


# The resident's requests


@bp.get("/archives/mine")
@login_required
def mine():
    """The resident's requests, newest first."""
    query = (
        select(ArchiveRequest)
        .where(ArchiveRequest.user_id == current_user.id)
        .order_by(ArchiveRequest.created_at.desc(), ArchiveRequest.id.desc())
    )
    page = paginate(db.session, query, request.args.get("page"), per_page=PER_PAGE)
    return render_template("archives/mine.html", page=page)


def _own(reference: str, *, for_update: bool = False) -> ArchiveRequest:
    """The signed-in resident's request `reference`; staff read requests on the desk."""
    made = access.request_for(db.session, current_user, reference, now=utcnow(),
                              for_update=for_update, audited=False)  # fmt: skip
    if not access.is_residents(current_user, made):
        raise access.not_found()
    return made


def _add_form(made: ArchiveRequest, form: AddDocumentsForm | None = None) -> AddDocumentsForm:
    if form is None:
        # What the archive asked for, in its words, is "another document" unless the resident
        # says otherwise: a photo chosen without ticking a kind is then not lost.
        form = AddDocumentsForm(formdata=None, proof=Proof.OTHER.value)
    form.proof.choices = [
        (proof.value, labels.PROOF_LABELS[proof]) for proof in follow_up.proofs_to_add(made)
    ]
    return form


def _request_page(made: ArchiveRequest, add_form: AddDocumentsForm | None = None,
                  status: int = 200, kept: list[Upload] | None = None):  # fmt: skip
    return render_template(
        "archives/request.html", made=made, history=steps.history(db.session, made),
        files=documents.by_proof(documents.documents(db.session, made)),
        letter=letters.letter_of(db.session, made), add_form=_add_form(made, add_form),
        kept=kept or [], waiting=made.state is RequestState.AWAITING_DOCUMENTS,
    ), status  # fmt: skip


@bp.get("/d/<reference>")
def short_link(reference: str):
    """The request's address in an SMS (d for 档案): short enough to leave the text room in
    one message. It only leads to the request's page, which decides who may read it."""
    return redirect(url_for("archives.request", reference=reference.strip()[:12]))


@bp.get("/archives/requests/<reference>", endpoint="request")
@login_required
def request_page(reference: str):
    return _request_page(_own(reference))


@bp.post("/archives/requests/<reference>/documents")
@login_required
def add_documents(reference: str):
    """The resident adds the documents the archive asked for."""
    made = _own(reference)
    form = _add_form(made, AddDocumentsForm())
    if made.state is not RequestState.AWAITING_DOCUMENTS:
        # Nothing is stored for a request the archive no longer waits on (sent from a page
        # left open).
        form.form_errors.append(_("The archive is not waiting for documents from you now."))
        return _request_page(made, form, status=400)
    valid = form.validate_on_submit()
    now = utcnow()
    allowed = follow_up.proofs_to_add(made)
    kept = [u for files in _waiting_files(form.kept_names(), allowed).values() for u in files]
    proof = form.chosen_proof if form.chosen_proof in allowed else None
    sent = chosen(request.files.getlist(form.files.name))
    # Files are stored (and committed) before the request's row is locked for the change.
    if sent and proof is not None:
        kept, form.files.errors = _receive(sent, proof, kept, now)
        db.session.commit()
    elif sent:
        form.files.errors = [_("Choose what you are sending, then the files again.")]
    form.kept.data = ",".join(upload.name for upload in kept)
    if proof is None:
        form.proof.errors = [_("Choose what you are sending.")]
    if valid and proof is not None and not form.files.errors:
        # Read again under the lock: another tab may have sent documents meanwhile.
        db.session.expire(made)
        made = _own(reference, for_update=True)
        with saving(form) as saved:
            follow_up.add_documents(db.session, current_user, made, kept, settings=settings(),
                                    now=now)  # fmt: skip
        if saved:
            flash(_("Thank you. Your documents are sent to the archive, which answers %(due)s.",
                    due=due_words(made.due_at)), "success")  # fmt: skip
            return redirect(url_for("archives.request", reference=made.reference))
    return _request_page(made, form, status=400, kept=kept)


@bp.get("/archives/requests/<reference>/files/<name>", endpoint="file")
@login_required
def request_file(reference: str, name: str):
    """A document the requester sent or a scanned copy of the record, to whoever may read the
    request (a staff read is audited); the same 404 for an unknown name as for a request one
    may not read."""
    made = access.request_for(db.session, current_user, reference, now=utcnow(), what="file")
    upload = documents.find_file(db.session, made, name)
    if upload is None:
        db.session.rollback()
        raise access.not_found()
    db.session.commit()
    return send_upload(upload)


# The result letter


def _letter_reader(reference: str, *, what: str | None) -> ArchiveRequest:
    made = access.letter_for(db.session, current_user, reference, now=utcnow(), what=what)
    if what is not None and not access.is_residents(current_user, made):
        db.session.commit()  # the archivist's read, kept whatever happens next
    return made


def _scans(made: ArchiveRequest) -> tuple[list[Upload], list[Upload]]:
    """The scanned copies of the record: pictures (shown in the letter) and PDFs (listed)."""
    scans = letters.scans_on_letter(db.session, made)
    return (
        [scan for scan in scans if scan.kind is UploadKind.IMAGE],
        [scan for scan in scans if scan.kind is UploadKind.PDF],
    )


@bp.get("/archives/requests/<reference>/letter")
@login_required
def letter(reference: str):
    """The result letter to read, print or forward."""
    made = _letter_reader(reference, what="letter")
    issued = letters.letter_of(db.session, made)
    pictures, pdfs = _scans(made)
    base_url = settings().base_url
    return render_template(
        "archives/letter.html", made=made, letter=issued, pictures=pictures, pdfs=pdfs,
        person=letters.person_named(made), archive_name=letters.archive_named(issued),
        code=grouped(issued.code),
        qr=verification.qr_svg(base_url, issued.code, size_mm=None),
        url=verification.verification_url(base_url, issued.code),
    )  # fmt: skip


def _file_bytes(name: str | None) -> bytes | None:
    path = store().path(name) if name else None
    return path.read_bytes() if path is not None else None


@bp.get("/archives/requests/<reference>/letter.pdf")
@login_required
def letter_pdf(reference: str):
    """The result letter as a PDF to print or send on."""
    made = _letter_reader(reference, what="letter_pdf")
    issued = letters.letter_of(db.session, made)
    pictures, pdfs = _scans(made)
    body = render_letter_pdf(
        made, issued, pictures=[data for scan in pictures if (data := _file_bytes(scan.name))],
        pdf_count=len(pdfs), seal=_file_bytes(made.letter_seal_name),
        base_url=settings().base_url,
    )  # fmt: skip
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="archive-letter-{made.reference}.pdf"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/archives/requests/<reference>/seal")
@login_required
def seal(reference: str):
    """The archive's seal as printed on the request's letter, for the letter's readers only:
    an image of a seal anyone could fetch would make forging a letter easier."""
    made = _letter_reader(reference, what=None)
    name = made.letter_seal_name
    upload = uploads.find(db.session, name, documents.seal_owner(made.archive)) if name else None
    if upload is None:
        raise access.not_found()
    return send_upload(upload)
