"""Asking an archive (民生档案查档): a signed-in resident (their phone proved by an SMS code)
chooses a kind of record and their relation to the person it is about, the archive that keeps
it, gives both names and 身份证 numbers, attaches the documents its checklist asks for, says
why and how to receive the result, and consents, separately and on the record, to the handling
of the ID numbers (sensitive personal information).

`send` checks everything at once, naming every wrong field, and keeps nothing unless all is
right. Functions take a Session, the resident, plain values and `now`; they flush, never
commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import idnumbers
from portal.accounts.models import User
from portal.archives import catalogue, clocks, documents, identity, steps
from portal.archives.access import not_found
from portal.archives.models import (
    NAME_MAX,
    POSTAL_ADDRESS_MAX,
    PURPOSE_MAX,
    Archive,
    ArchiveRequest,
    Delivery,
    Proof,
    RecordKind,
    Relation,
    RequestState,
    StepKind,
)
from portal.archives.settings import ArchiveSettings
from portal.db import serialize_on
from portal.errors import Invalid, Problems
from portal.uploads.models import Upload
from portal.workdays.services import local_date

# Two characters say why (继承, 落户); one says nothing an archivist can weigh.
PURPOSE_MIN = 2
# The same request sent again within this long is the same request (a second tap on Send,
# or Back and Send again).
RESENT_WITHIN = timedelta(minutes=10)

BORN_IN_THE_FUTURE = _l(
    "The birth date in this ID card number (digits 7 to 14) is after today. Check it against "
    "the card."
)

# What to attach, said where the file is missing.
MISSING_PROOF = {
    Proof.REQUESTER_ID: _l("Attach a photo of both sides of your own ID card."),
    Proof.SUBJECT_ID: _l(
        "Attach a photo of the ID card or household register of the person the record is about."
    ),
    Proof.AUTHORISATION: _l(
        "Attach the signed authorisation (委托书) of the person the record is about: without "
        "it the archive cannot show you their record."
    ),
    Proof.GUARDIANSHIP: _l("Attach the proof that you are the person's guardian."),
    Proof.DEATH_CERTIFICATE: _l("Attach the death certificate."),
    Proof.KINSHIP: _l(
        "Attach the proof of your relationship (household register or a certificate)."
    ),
    Proof.OTHER: _l("Attach the document the archive asked for."),
}


def proof_field(proof: Proof) -> str:
    """The name of the form's file field of `proof`, on which its refusals are shown."""
    return f"documents_{proof.value}"


@dataclass
class Application:
    """What the resident filled in on the form."""

    kind_id: int | None
    archive_id: int | None
    relation: Relation | str
    requester_name: str
    requester_id_number: str
    subject_name: str = ""
    subject_id_number: str = ""
    purpose: str = ""
    delivery: Delivery | str = ""
    postal_address: str = ""
    consented: bool = False
    # Each sent for one proof (the upload store's purpose, documents.proof_purpose).
    documents: list[Upload] = field(default_factory=list)


@dataclass(frozen=True)
class Checked:
    """An application found right: the rows it names and its values, cleaned."""

    kind: RecordKind
    relation: Relation
    archive: Archive
    requester_name: str
    requester_id: str
    subject_name: str
    subject_id: str  # "" when the record is about the requester
    purpose: str
    delivery: Delivery
    postal_address: str
    documents: list[Upload]


def clean_text(text: str | None) -> str:
    """Text as typed, with the browser's CRLF read as one line break."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def kind_by_code(session: Session, code: str) -> RecordKind | None:
    """The kind of record `code` (any case) if residents may ask for it now."""
    code = (code or "").strip().lower()[:40]
    query = select(RecordKind).where(func.lower(RecordKind.code) == code)
    found = session.scalar(query) if code else None
    return found if found is not None and found.is_active else None


def relation_of(value: Relation | str | None) -> Relation | None:
    try:
        return Relation(value)
    except ValueError:
        return None


def _id_number(problems: Problems, raw: str, field_name: str, missing, today: date) -> str:
    """The normalised number, or "" with its refusal kept on `field_name`."""
    if not idnumbers.normalize(raw):
        problems.refuse(missing, field=field_name)
        return ""
    try:
        number = idnumbers.validate(raw)
    except Invalid as error:
        problems.refuse(error.message, field=field_name)
        return ""
    if idnumbers.birth_date(number) > today:
        problems.refuse(BORN_IN_THE_FUTURE, field=field_name)
        return ""
    return number


def _name(problems: Problems, raw: str, field_name: str, missing) -> str:
    name = clean_text(raw)
    if not name:
        problems.refuse(missing, field=field_name)
    elif len(name) > NAME_MAX:
        problems.refuse(_l("Keep the name within 50 characters."), field=field_name)
    return name


def _documents_for(
    problems: Problems, proofs: Iterable[Proof], sent: Iterable[Upload]
) -> list[Upload]:
    """The files sent for the checklist's proofs (the first MOST_PER_PROOF of each); a proof
    without one is refused on its field."""
    grouped = documents.by_proof(sent)
    wanted: list[Upload] = []
    for proof in proofs:
        files = grouped.get(proof, [])[: documents.MOST_PER_PROOF]
        if not files:
            problems.refuse(MISSING_PROOF[proof], field=proof_field(proof))
        wanted += files
    return wanted


def check_application(session: Session, application: Application, *, today: date) -> Checked:
    """The application, cleaned, or Invalid naming every field that is wrong."""
    problems = Problems()
    kind = catalogue.offered_kind(session, application.kind_id)
    relation = relation_of(application.relation)
    proofs = kind.proofs_for(relation) if kind is not None and relation is not None else None
    if kind is None:
        problems.refuse(_l("This kind of record cannot be asked for now."), field="kind")
    elif proofs is None:
        problems.refuse(
            _l("This kind of record cannot be asked for by someone in your position."),
            field="relation",
        )
    archive = session.get(Archive, application.archive_id) if application.archive_id else None
    if archive is None or archive.retired_at is not None:
        problems.refuse(_l("Choose the archive to ask."), field="archive")
    elif kind is not None and not catalogue.keeps(session, archive, kind):
        problems.refuse(_l("This archive does not keep this kind of record."), field="archive")
    requester_name = _name(problems, application.requester_name, "requester_name",
                           _l("Enter your full name as on your ID card."))  # fmt: skip
    requester_id = _id_number(problems, application.requester_id_number, "requester_id_number",
                              idnumbers.MISSING, today)  # fmt: skip
    subject_name = subject_id = ""
    if relation is not None and relation is not Relation.SELF:
        subject_name = _name(problems, application.subject_name, "subject_name",
                             _l("Enter the full name of the person the record is about."))  # fmt: skip
        subject_id = _id_number(
            problems, application.subject_id_number, "subject_id_number",
            _l("Enter the ID card number of the person the record is about."), today,
        )  # fmt: skip
        if subject_id and subject_id == requester_id:
            problems.refuse(
                _l("This is your own number: enter the number of the person the record is about."),
                field="subject_id_number",
            )
    sent = _documents_for(problems, proofs or [], application.documents)
    purpose = clean_text(application.purpose)
    if len(purpose) < PURPOSE_MIN:
        problems.refuse(_l("Say what you need the record for."), field="purpose")
    elif len(purpose) > PURPOSE_MAX:
        problems.refuse(_l("Keep it within 200 characters."), field="purpose")
    delivery = _delivery(application.delivery)
    postal_address = ""
    if delivery is None:
        problems.refuse(_l("Choose how you would like to receive the result."), field="delivery")
    elif delivery is Delivery.POST:
        postal_address = clean_text(application.postal_address)
        if not postal_address:
            problems.refuse(
                _l("Enter where to post it: the recipient's name, mobile number and address."),
                field="postal_address",
            )
        elif len(postal_address) > POSTAL_ADDRESS_MAX:
            problems.refuse(_l("Keep it within 200 characters."), field="postal_address")
    if not application.consented:
        problems.refuse(
            _l("Tick the box to agree that the archive handles the ID numbers."), field="consent"
        )
    problems.raise_any()
    return Checked(kind=kind, relation=relation, archive=archive, requester_name=requester_name,
                   requester_id=requester_id, subject_name=subject_name, subject_id=subject_id,
                   purpose=purpose, delivery=delivery, postal_address=postal_address,
                   documents=sent)  # fmt: skip


def _delivery(value: Delivery | str | None) -> Delivery | None:
    try:
        return Delivery(value)
    except ValueError:
        return None


def send(
    session: Session,
    resident: User,
    application: Application,
    *,
    settings: ArchiveSettings,
    seal_key: bytes,
    locale: str,
    now: datetime,
) -> ArchiveRequest:
    """The resident sends `application` to the archive they chose: the request is kept with
    the moment of their consent, its ID numbers masked and sealed, their documents, and its
    review clock running. The same request sent again a moment later is the one returned."""
    if not getattr(resident, "is_authenticated", False):
        raise not_found()
    checked = check_application(session, application, today=local_date(now))
    # A second tap on Send, or Back and Send again, must not ask the archive twice.
    serialize_on(session, f"archives-ask:{resident.id}")
    again = same_request(session, resident, checked, now)
    if again is not None:
        return again
    made = ArchiveRequest(
        reference=steps.new_reference(session),
        user_id=resident.id, user=resident, archive_id=checked.archive.id, archive=checked.archive,
        kind_id=checked.kind.id, kind=checked.kind, relation=checked.relation,
        requester_name=checked.requester_name, requester_id_masked="", requester_id_sealed="",
        subject_name=checked.subject_name, purpose=checked.purpose, delivery=checked.delivery,
        postal_address=checked.postal_address, consented_at=now, locale=locale, created_at=now,
        state=RequestState.SUBMITTED, due_at=clocks.review_due(session, settings, now),
    )  # fmt: skip
    session.add(made)
    session.flush()
    identity.seal_numbers(made, checked.requester_id, checked.subject_id or None, seal_key)
    documents.attach_documents(session, made, checked.documents)
    _require_every_proof(session, made, checked)
    steps.record_step(session, made, StepKind.SENT, actor=resident, now=now)
    return made


def _require_every_proof(session: Session, made: ArchiveRequest, checked: Checked) -> None:
    """Refuse (and so roll back) a request whose files another request took first (the same
    form sent from two tabs): it would reach the archive without a proof."""
    kept = documents.by_proof(documents.documents(session, made))
    problems = Problems()
    for proof in checked.kind.proofs_for(checked.relation) or []:
        if proof not in kept:
            problems.refuse(MISSING_PROOF[proof], field=proof_field(proof))
    problems.raise_any()


def same_request(
    session: Session, resident: User, checked: Checked, now: datetime
) -> ArchiveRequest | None:
    """The request the resident sent with these very answers a moment ago, if any: asking
    another archive, or by another way, is another request."""
    return session.scalars(
        select(ArchiveRequest)
        .where(
            ArchiveRequest.user_id == resident.id,
            ArchiveRequest.created_at > now - RESENT_WITHIN,
            ArchiveRequest.kind_id == checked.kind.id,
            ArchiveRequest.archive_id == checked.archive.id,
            ArchiveRequest.relation == checked.relation,
            ArchiveRequest.requester_id_masked == idnumbers.mask(checked.requester_id),
            ArchiveRequest.subject_name == checked.subject_name,
            ArchiveRequest.subject_id_masked == idnumbers.mask(checked.subject_id),
            ArchiveRequest.purpose == checked.purpose,
            ArchiveRequest.delivery == checked.delivery,
            ArchiveRequest.postal_address == checked.postal_address,
        )
        .order_by(ArchiveRequest.id.desc())
        .limit(1)
    ).first()
