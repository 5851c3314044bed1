"""Asking a legal question (e法官): a signed-in resident picks a topic, writes the question,
may attach documents and name the other party (only for the conflict check), and consents,
separately and on the record, to the adviser reading it. A resident under 18 gives a
guardian's phone, which confirms its own SMS code before the question is sent to an adviser.

Functions take a Session, the resident, plain values and `now`; they flush, never commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts import codes
from portal.accounts.models import User
from portal.appeals.tracking import ALPHABET
from portal.db import serialize_on
from portal.errors import Invalid, NotFound, Problems
from portal.legal import clocks, rotation, topics
from portal.legal.access import is_residents, not_found
from portal.legal.messages import CONSULTATION_NEW_SMS, GUARDIAN_CODE_SMS
from portal.legal.models import (
    OTHER_PARTY_MAX,
    QUESTION_MAX,
    Consultation,
    ConsultationEntry,
    ConsultationState,
    EntryKind,
    LegalTopic,
)
from portal.legal.settings import LegalSettings
from portal.notifications.services import queue_sms
from portal.phones import normalize_phone
from portal.places.models import Place, PlaceKind
from portal.uploads import services as uploads
from portal.uploads.models import Upload, UploadKind
from portal.workdays.services import local_date

# What the resident's documents are sent for, as the upload store records it, and how many.
DOCUMENT_PURPOSE = "legal.question"
DOCUMENT_KINDS = (UploadKind.IMAGE, UploadKind.PDF)
MAX_DOCUMENTS = 3
# Two characters say something (离婚); one says nothing an adviser can answer.
QUESTION_MIN = 2
# The same question sent again within this long is the same consultation (a second tap).
RESENT_WITHIN = timedelta(minutes=10)

# The guardian's code: ten minutes, five tries, one a minute and five a day for one
# consultation; ten an hour from one client address.
GUARDIAN_CODE = codes.register(
    codes.Purpose(
        name="legal_guardian",
        message_kind=GUARDIAN_CODE_SMS,
        valid_for=timedelta(minutes=10),
        tries=5,
        resend_after=timedelta(seconds=60),
        per_window=5,
        window=timedelta(hours=24),
        too_many=_l("Too many codes were sent to the guardian. Please call your community."),
        per_address="10/hour",
    )
)


@dataclass
class Question:
    """What the resident filled in on the form."""

    topic_id: int | None
    body: str
    other_party: str = ""
    consented: bool = False
    is_minor: bool = False
    guardian_phone: str = ""
    documents: list[Upload] = field(default_factory=list)


def document_owner(consultation: Consultation) -> str:
    """The consultation as the upload store names the holder of its documents."""
    return f"legal_consultations:{consultation.id}"


def guardian_subject(consultation: Consultation) -> str:
    """What the guardian's code confirms, as the SMS-code service keeps it."""
    return f"legal:{consultation.reference}"


def community_by_code(session: Session, code: str) -> Place:
    """The community whose place code is `code` (any case), else NotFound."""
    code = (code or "").strip().upper()[:40]
    community = session.scalar(select(Place).where(Place.code == code)) if code else None
    if community is None or community.kind is not PlaceKind.COMMUNITY:
        raise NotFound(_l("There is no such community."))
    return community


def _new_reference(session: Session) -> str:
    while True:
        reference = "L" + "".join(secrets.choice(ALPHABET) for _ in range(7))
        if (
            session.scalar(select(Consultation.id).where(Consultation.reference == reference))
            is None
        ):
            return reference


def clean_text(text: str | None) -> str:
    """Text as typed, with the browser's CRLF read as one line break (so that a line break
    counts as one character against the limit, as the page counts it)."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def check_question(
    session: Session, question: Question, own_phone: str | None = None
) -> tuple[LegalTopic, str | None]:
    """The topic chosen and the guardian's normalised phone, or Invalid naming every field
    that is wrong (the guardian's phone cannot be the resident's `own_phone`)."""
    problems = Problems()
    topic = topics.offered_topic(session, question.topic_id)
    if topic is None:
        problems.refuse(_l("Choose what your question is about."), field="topic")
    body = clean_text(question.body)
    if len(body) < QUESTION_MIN:
        problems.refuse(_l("Write your question."), field="question")
    elif len(body) > QUESTION_MAX:
        problems.refuse(_l("Keep your question within 2,000 characters."), field="question")
    if len(clean_text(question.other_party)) > OTHER_PARTY_MAX:
        problems.refuse(_l("Keep the name within 100 characters."), field="other_party")
    if not question.consented:
        problems.refuse(
            _l("Tick the box to agree that the legal adviser reads your question."),
            field="consent",
        )
    guardian = None
    if question.is_minor:
        guardian = normalize_phone(question.guardian_phone)
        if guardian is None:
            problems.refuse(
                _l("Enter your guardian's 11-digit mobile number, like 138 0013 8000."),
                field="guardian_phone",
            )
        elif guardian == own_phone:
            problems.refuse(
                _l("Enter your guardian's mobile number, not your own."), field="guardian_phone"
            )
    problems.raise_any()
    return topic, guardian


def ask(
    session: Session,
    asker: User,
    community: Place,
    question: Question,
    *,
    settings: LegalSettings,
    secret: bytes,
    locale: str,
    now: datetime,
) -> Consultation:
    """The resident `asker` asks the advisers of `community`. The question is kept with the
    moment of the resident's consent and their documents; it is sent to an adviser at once,
    or, from a minor, once their guardian has confirmed the code texted to them now."""
    if not getattr(asker, "is_authenticated", False):
        raise not_found()
    if community.kind is not PlaceKind.COMMUNITY:
        raise Invalid(_l("Choose your community."))
    topic, guardian = check_question(session, question, asker.phone)
    # A second tap on Send, or Back and Send again, must not ask (and text the adviser) twice.
    serialize_on(session, f"legal-ask:{asker.id}")
    again = same_question(session, asker, clean_text(question.body), now)
    if again is not None:
        return again
    consultation = Consultation(
        reference=_new_reference(session),
        user_id=asker.id,
        community_id=community.id,
        community=community,
        topic_id=topic.id,
        topic=topic,
        state=ConsultationState.AWAITING_GUARDIAN if guardian else ConsultationState.WAITING,
        locale=locale,
        other_party=clean_text(question.other_party),
        consented_at=now,
        is_minor=question.is_minor,
        guardian_phone=guardian,
        created_at=now,
    )
    session.add(consultation)
    session.flush()
    # The question is kept now; its answer is due only from the moment it is sent.
    session.add(
        ConsultationEntry(
            consultation_id=consultation.id,
            kind=EntryKind.QUESTION,
            author_id=asker.id,
            body=clean_text(question.body),
            citations=[],
            written_at=now,
        )
    )
    attach_documents(session, consultation, question.documents)
    if guardian:
        send_guardian_code(session, asker, consultation, secret=secret, now=now)
    else:
        send(session, consultation, settings, now)
    return consultation


def same_question(session: Session, asker: User, body: str, now: datetime) -> Consultation | None:
    """The consultation the resident asked with this very question a moment ago, if any."""
    return session.scalars(
        select(Consultation)
        .join(ConsultationEntry, ConsultationEntry.consultation_id == Consultation.id)
        .where(
            Consultation.user_id == asker.id,
            Consultation.created_at > now - RESENT_WITHIN,
            ConsultationEntry.kind == EntryKind.QUESTION,
            ConsultationEntry.body == body,
        )
        .order_by(Consultation.id.desc())
        .limit(1)
    ).first()


def attach_documents(session: Session, consultation: Consultation, sent: Iterable[Upload]) -> None:
    """Give the consultation the documents (up to MAX_DOCUMENTS) sent with its form."""
    wanted = [upload for upload in sent if upload.purpose == DOCUMENT_PURPOSE][:MAX_DOCUMENTS]
    uploads.attach(session, wanted, document_owner(consultation))
    session.flush()


def documents(session: Session, consultation: Consultation) -> list[Upload]:
    """The consultation's documents, oldest first (none once retention deleted them)."""
    return uploads.attached_to(session, document_owner(consultation))


def find_document(session: Session, consultation: Consultation, name: str) -> Upload | None:
    """The consultation's document called `name`, or None: another record's upload never is."""
    return uploads.find(session, name[:40], document_owner(consultation))


def send_guardian_code(
    session: Session, actor: User, consultation: Consultation, *, secret: bytes, now: datetime
) -> None:
    """Text the guardian a (new) code for the consultation; TooMany when sent too often."""
    _require_awaiting(actor, consultation)
    codes.issue(
        session,
        GUARDIAN_CODE,
        consultation.guardian_phone,
        subject=guardian_subject(consultation),
        secret=secret,
        locale=consultation.locale,
        now=now,
        cause=f"legal_consultations:{consultation.id}",
    )


def _require_awaiting(actor: User, consultation: Consultation) -> None:
    if not is_residents(actor, consultation):
        raise not_found()
    if consultation.state is not ConsultationState.AWAITING_GUARDIAN:
        raise Invalid(_l("Your guardian has confirmed already: your question has been sent."))


def confirm_guardian(
    session: Session,
    actor: User,
    consultation: Consultation,
    code: str,
    *,
    settings: LegalSettings,
    secret: bytes,
    now: datetime,
) -> Consultation:
    """The code the guardian was texted, typed by the resident: the question is sent. A wrong
    code raises Invalid (field "code") after counting the try, which the caller commits."""
    _require_awaiting(actor, consultation)
    codes.check(
        session,
        GUARDIAN_CODE,
        consultation.guardian_phone,
        code,
        subject=guardian_subject(consultation),
        secret=secret,
        now=now,
    )
    consultation.guardian_confirmed_at = now
    send(session, consultation, settings, now)
    return consultation


def first_question(session: Session, consultation: Consultation) -> ConsultationEntry:
    """The resident's first question: the one sent to an adviser with the consultation."""
    return session.scalars(
        select(ConsultationEntry)
        .where(
            ConsultationEntry.consultation_id == consultation.id,
            ConsultationEntry.kind == EntryKind.QUESTION,
        )
        .order_by(ConsultationEntry.id)
        .limit(1)
    ).one()


def send(
    session: Session, consultation: Consultation, settings: LegalSettings, now: datetime
) -> None:
    """Send the consultation's question to an adviser: its answer's deadline starts now, the
    rotation chooses the adviser, who is texted. With nobody to give it to it waits without
    an adviser: the sweep retries and tells the supervisors."""
    due = clocks.answer_due(session, settings, now, follow_up=False)
    first_question(session, consultation).due_at = due
    consultation.asked_at = now
    consultation.state = ConsultationState.WAITING
    consultation.due_at = due
    rotation.assign(session, consultation, now=now)
    consultation.sweep_at = clocks.next_sweep(consultation, settings)
    session.flush()
    if consultation.adviser_id is not None:
        text_adviser(session, consultation, CONSULTATION_NEW_SMS, now=now)


def text_adviser(session: Session, consultation: Consultation, kind: str, *, now: datetime) -> None:
    """Text the consultation's adviser that a question waits for them (never what it says)."""
    adviser = session.get(User, consultation.adviser_id)
    if adviser is None or not adviser.phone:
        return
    queue_sms(
        session,
        phone=adviser.phone,
        kind=kind,
        params={
            "reference": consultation.reference,
            "topic_zh": consultation.topic.name_zh,
            "topic_en": consultation.topic.name_en,
            "due": local_date(consultation.due_at).isoformat(),
        },
        locale=adviser.locale or "zh_Hans_CN",
        key=f"legal:{consultation.id}:{kind}:{consultation.follow_ups}:{adviser.id}",
        cause=f"legal_consultations:{consultation.id}",
        now=now,
    )
