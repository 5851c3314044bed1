"""Public questions and answers (FAQ) made from closed consultations: the adviser proposes one,
the resident agrees (or not) on the page an SMS links to, with an SMS code to the phone they
asked from; the adviser writes the anonymised version; a supervisor of the district publishes
it, sends it back, or later withdraws it.

No consent, no FAQ: nothing is written for the public before the resident agreed, and only a
supervisor's publishing makes it public. Functions take a Session, the actor and plain values
(and `now`); they flush but never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, true
from sqlalchemy.orm import Session, contains_eager, selectinload

from portal.accounts import codes
from portal.appeals.tracking import ALPHABET
from portal.audit import services as audit
from portal.errors import Forbidden, Invalid, NotFound
from portal.legal import access, anonymise, faq_search, thread
from portal.legal.models import (
    ClosedBecause,
    Consultation,
    ConsultationEntry,
    ConsultationState,
    EntryKind,
    Faq,
    FaqState,
)
from portal.legal.settings import LegalSettings
from portal.notifications.services import queue_sms
from portal.permissions import ROLES_WITH, Actor, Permission, holds_anywhere
from portal.places.models import Place

CONSENT_SMS = "legal_faq_consent"
CODE_SMS = "legal_faq_code"
CONSENTED_SMS = "legal_faq_consented"
# The consent link's token: short enough for the link to fit in one SMS with its text; the
# page it opens also asks for a code sent to the resident's phone before anything is decided.
TOKEN_LENGTH = 12
QUESTION_MAX = 2000
ANSWER_MAX = 6000

# The code that proves the resident holds the consultation's phone before they agree or say
# no: ten minutes, five tries, one a minute and five an hour for one FAQ.
CONSENT_CODE = codes.register(
    codes.Purpose(
        name="legal_faq_consent",
        message_kind=CODE_SMS,
        valid_for=timedelta(minutes=10),
        tries=5,
        resend_after=timedelta(seconds=60),
        per_window=5,
        window=timedelta(hours=1),
        per_address="10/hour",
    )
)


def _no_such_faq() -> NotFound:
    return NotFound(_l("There is no such question and answer."))


def token_digest(token: str) -> str:
    """What is kept of a consent link's token: its SHA-256 (tokens read in any case)."""
    return hashlib.sha256(token.strip().upper().encode()).hexdigest()


def new_token() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(TOKEN_LENGTH))


def consent_url(settings: LegalSettings, token: str) -> str:
    return f"{settings.base_url}/legal/faq/consent/{token}"


def faq_of(session: Session, consultation: Consultation) -> Faq | None:
    """The FAQ proposed from a consultation, if any."""
    return session.scalar(select(Faq).where(Faq.consultation_id == consultation.id))


def answered_by(session: Session, consultation: Consultation, actor: Actor) -> bool:
    """Whether `actor` wrote an answer of the consultation."""
    return (
        session.scalar(
            select(ConsultationEntry.id)
            .where(
                ConsultationEntry.consultation_id == consultation.id,
                ConsultationEntry.kind == EntryKind.ANSWER,
                ConsultationEntry.author_id == actor.id,
            )
            .limit(1)
        )
        is not None
    )


def drafts_to_write(session: Session, actor: Actor) -> list[Faq]:
    """The answers `actor` proposed that residents agreed to publish, not yet written and sent
    for review, oldest consent first."""
    return list(
        session.scalars(
            select(Faq)
            .where(Faq.proposed_by_id == actor.id, Faq.state == FaqState.CONSENTED)
            .options(selectinload(Faq.consultation))
            .order_by(Faq.consented_at, Faq.id)
        )
    )


def may_propose(session: Session, actor: Actor, consultation: Consultation) -> bool:
    """Whether `actor` may propose publishing the consultation: its adviser, who answered
    it, once it is closed, and not proposed before. Never a minor's: a child's legal matter
    is not published on the child's own consent (PIPL art. 31)."""
    return (
        access.is_advisers(actor, consultation)
        and consultation.state == ConsultationState.CLOSED
        and consultation.closed_because != ClosedBecause.UNCONFIRMED
        and not consultation.is_minor
        and answered_by(session, consultation, actor)
        and faq_of(session, consultation) is None
    )


def propose(
    session: Session, actor: Actor, reference: str, *, settings: LegalSettings, now: datetime
) -> tuple[Faq, str]:
    """Propose publishing consultation `reference` as a public question and answer, and text
    the resident the link to the page where they agree or say no; return the FAQ and the
    link's token (kept only as its digest)."""
    # Locked: a second tap waits for the first, then finds it proposed already.
    consultation = access.consultation_for(
        session, actor, reference, now=now, what="faq", for_update=True
    )
    if not access.is_advisers(actor, consultation):
        raise Forbidden(_l("Only the adviser who answered it can propose publishing it."))
    if faq_of(session, consultation) is not None:
        raise Invalid(_l("Publishing this consultation was proposed already."))
    if (
        consultation.state != ConsultationState.CLOSED
        or consultation.closed_because == ClosedBecause.UNCONFIRMED
    ):
        raise Invalid(_l("Only a closed consultation can be proposed for publishing."))
    if consultation.is_minor:
        raise Invalid(_l("A question asked by someone under 18 is not published."))
    if not answered_by(session, consultation, actor):
        raise Forbidden(_l("Only the adviser who answered it can propose publishing it."))
    token = new_token()
    faq = Faq(
        consultation_id=consultation.id,
        topic_id=consultation.topic_id,
        state=FaqState.ASKED,
        token_digest=token_digest(token),
        proposed_by_id=actor.id,
        proposed_at=now,
        flags=[],
    )
    session.add(faq)
    session.flush()
    queue_sms(
        session,
        phone=consultation.user.phone,
        kind=CONSENT_SMS,
        params={"url": consent_url(settings, token)},
        locale=consultation.locale,
        key=f"legal-faq-consent:{faq.id}",
        now=now,
        cause=f"legal_faqs:{faq.id}",
    )
    audit.record(session, "legal.faq.propose", actor=actor, now=now, target=faq)
    return faq, token


# -- The resident's consent ------------------------------------------------------------------


def faq_by_token(session: Session, token: str, *, for_update: bool = False) -> Faq:
    """The FAQ a consent link names (locked `for_update`, for the resident's answer);
    NotFound for a token never issued."""
    if not token or len(token) > 64:
        raise _no_such_faq()
    query = select(Faq).where(Faq.token_digest == token_digest(token))
    faq = session.scalar(query.with_for_update(of=Faq) if for_update else query)
    if faq is None:
        raise _no_such_faq()
    return faq


def _code_subject(faq: Faq) -> str:
    return f"legal_faq:{faq.id}"


# Where the resident has agreed and may still take it back (PIPL art. 15), published or not.
AGREED = (FaqState.CONSENTED, FaqState.SUBMITTED, FaqState.PUBLISHED)


def _still_asked(faq: Faq) -> None:
    if faq.state != FaqState.ASKED:
        raise Invalid(_l("You have already answered this request."))


def _still_agreed(faq: Faq) -> None:
    if faq.state not in AGREED:
        raise Invalid(_l("This question and answer is not published."))


def send_consent_code(session: Session, faq: Faq, *, secret: bytes, now: datetime) -> None:
    """Text a code to the phone the consultation was asked from, to answer the request or to
    take the consent back (TooMany when too soon)."""
    if faq.state not in (FaqState.ASKED, *AGREED):
        raise Invalid(_l("You have already answered this request."))
    consultation = faq.consultation
    codes.issue(
        session, CONSENT_CODE, consultation.user.phone, subject=_code_subject(faq),
        secret=secret, locale=consultation.locale, now=now,
    )  # fmt: skip


def codes_left(session: Session, faq: Faq, *, now: datetime) -> int:
    return codes.codes_left(
        session, CONSENT_CODE, faq.consultation.user.phone, subject=_code_subject(faq), now=now
    )


def _check_code(session: Session, faq: Faq, code: str, *, secret: bytes, now: datetime) -> None:
    codes.check(
        session, CONSENT_CODE, faq.consultation.user.phone, code, subject=_code_subject(faq),
        secret=secret, now=now,
    )  # fmt: skip


def consent(
    session: Session,
    faq: Faq,
    code: str,
    *,
    secret: bytes,
    settings: LegalSettings,
    now: datetime,
) -> Faq:
    """The resident agrees, with the code sent to their phone: the adviser is texted to write
    the anonymised version, which starts from the thread. A wrong code raises Invalid after
    counting the try."""
    _still_asked(faq)
    _check_code(session, faq, code, secret=secret, now=now)
    faq.state = FaqState.CONSENTED
    faq.consented_at = now
    consultation = faq.consultation
    question, answer = prefill(session, consultation)
    faq.question, faq.answer = question, answer
    faq.flags = [flag.as_dict() for flag in anonymise.check(question, answer, names_of(faq))]
    session.flush()
    adviser = consultation.adviser
    if adviser is not None:
        queue_sms(
            session, phone=adviser.phone, kind=CONSENTED_SMS,
            params={"reference": consultation.reference,
                    "url": f"{settings.base_url}/legal/faq/drafts/{faq.id}"},
            locale=adviser.locale or "zh_Hans_CN", key=f"legal-faq-consented:{faq.id}", now=now,
            cause=f"legal_faqs:{faq.id}",
        )  # fmt: skip
    return faq


def refuse(session: Session, faq: Faq, code: str, *, secret: bytes, now: datetime) -> Faq:
    """The resident says no, with the code sent to their phone: it is never published."""
    _still_asked(faq)
    _check_code(session, faq, code, secret=secret, now=now)
    faq.state = FaqState.WITHDRAWN
    faq.refused_at = now
    session.flush()
    return faq


def take_back(session: Session, faq: Faq, code: str, *, secret: bytes, now: datetime) -> Faq:
    """The resident takes their consent back, with the code sent to their phone: a draft is
    never published, a published answer leaves the public pages and the search at once."""
    _still_agreed(faq)
    _check_code(session, faq, code, secret=secret, now=now)
    if faq.state == FaqState.PUBLISHED:
        faq_search.unindex(session, faq)
    faq.state = FaqState.WITHDRAWN
    faq.refused_at = faq.withdrawn_at = now
    session.flush()
    return faq


# -- The adviser's anonymised version -------------------------------------------------------


def thread_for(session: Session, actor: Actor, faq: Faq) -> list[ConsultationEntry] | None:
    """What the consent page shows of the consultation: its thread to the resident who asked,
    signed in (an SMS link is forwarded and previewed, so the link alone reads nothing); None
    to anyone else."""
    if not access.is_residents(actor, faq.consultation):
        return None
    return thread.entries(session, faq.consultation)


def prefill(session: Session, consultation: Consultation) -> tuple[str, str]:
    """The draft's first text: the questions, and the answers, each in the thread's order."""
    entries = thread.entries(session, consultation)
    questions = [each.body for each in entries if each.kind == EntryKind.QUESTION]
    answers = [each.body for each in entries if each.kind == EntryKind.ANSWER]
    return "\n\n".join(questions)[:QUESTION_MAX], "\n\n".join(answers)[:ANSWER_MAX]


def names_of(faq: Faq) -> list[str]:
    """The names given in the consultation, which the public text must not hold."""
    consultation = faq.consultation
    return [consultation.other_party or "", consultation.user.display_name or ""]


def draft_for(session: Session, actor: Actor, faq_id: int) -> Faq:
    """The FAQ `faq_id` for its consultation's adviser to write, locked (two tabs saving at
    once save one after the other); NotFound for anyone else. The page that shows it records
    the read (`record_read`): until written, it holds the resident's own words."""
    faq = session.get(Faq, faq_id, with_for_update={"of": Faq})
    if faq is None or not access.is_advisers(actor, faq.consultation):
        raise _no_such_faq()
    return faq


def record_read(session: Session, actor: Actor, faq: Faq, *, now: datetime) -> None:
    """Write a staff member's read of a FAQ's draft or review to the audit log."""
    audit.record(session, "legal.faq.read", actor=actor, now=now, target=faq)


def _check_lengths(question: str, answer: str) -> None:
    problems = []
    if not question.strip():
        problems.append(Invalid(_l("Write the question."), field="question"))
    elif len(question) > QUESTION_MAX:
        problems.append(Invalid(_l("The question is too long: at most %(count)d characters.",
                                   count=QUESTION_MAX), field="question"))  # fmt: skip
    if not answer.strip():
        problems.append(Invalid(_l("Write the answer."), field="answer"))
    elif len(answer) > ANSWER_MAX:
        problems.append(Invalid(_l("The answer is too long: at most %(count)d characters.",
                                   count=ANSWER_MAX), field="answer"))  # fmt: skip
    if problems:
        raise Invalid.together(problems)


def write(
    session: Session, actor: Actor, faq_id: int, question: str, answer: str, *, now: datetime
) -> Faq:
    """Save the adviser's anonymised question and answer, and what the check finds in them."""
    faq = draft_for(session, actor, faq_id)
    if faq.state != FaqState.CONSENTED:
        raise Invalid(_l("This question and answer cannot be changed now."))
    _check_lengths(question, answer)
    faq.question, faq.answer = question.strip(), answer.strip()
    faq.flags = [flag.as_dict() for flag in anonymise.check(faq.question, faq.answer,
                                                           names_of(faq))]  # fmt: skip
    session.flush()
    return faq


def submit(
    session: Session, actor: Actor, faq_id: int, question: str, answer: str, *, now: datetime
) -> Faq:
    """Save and send the anonymised version to the district's supervisors; refused while the
    check finds anything (the text is saved, with its flags, either way)."""
    faq = write(session, actor, faq_id, question, answer, now=now)
    if faq.flags:
        raise Invalid(
            _l("The text may still name someone: change what is marked, then send it again."),
            saved=True,
        )
    faq.state = FaqState.SUBMITTED
    faq.submitted_at = now
    session.flush()
    return faq


# -- The supervisor's review ----------------------------------------------------------------


def _supervised(session: Session, actor: Actor, faq_id: int) -> Faq:
    """The FAQ for a supervisor of its district, locked: publishing and sending it back at
    once happen one after the other, and the second finds the state it left."""
    faq = session.get(Faq, faq_id, with_for_update={"of": Faq})
    if faq is None or not access.supervises(actor, faq.consultation):
        raise _no_such_faq()
    return faq


def can_review(actor: Actor) -> bool:
    """Whether `actor` supervises consultations anywhere (the review page is theirs)."""
    return holds_anywhere(actor, Permission.SUPERVISE_CONSULTATIONS)


def review_for(session: Session, actor: Actor, faq_id: int) -> Faq:
    """FAQ `faq_id` for a supervisor of its district; NotFound for anyone else."""
    return _supervised(session, actor, faq_id)


def _areas_supervised(actor: Actor) -> list[str] | None:
    """The paths of the places `actor` supervises consultations in; None: everywhere."""
    paths = []
    for grant in getattr(actor, "grants", ()):
        if grant.role not in ROLES_WITH[Permission.SUPERVISE_CONSULTATIONS]:
            continue
        if grant.place is None:
            return None
        paths.append(grant.place.path)
    return paths


def review_queue(session: Session, actor: Actor, state: FaqState, limit: int = 50) -> list[Faq]:
    """The FAQs in `state` of the districts `actor` supervises, oldest first for those
    waiting, newest first for those published."""
    if not can_review(actor):
        return []
    paths = _areas_supervised(actor)
    within = (
        true()
        if paths is None
        else Consultation.community_id.in_(
            select(Place.id).where(or_(*(Place.path.startswith(path) for path in paths)))
        )
    )
    order = Faq.submitted_at.asc() if state == FaqState.SUBMITTED else Faq.published_at.desc()
    return list(
        session.scalars(
            select(Faq)
            .join(Consultation, Consultation.id == Faq.consultation_id)
            .options(contains_eager(Faq.consultation).selectinload(Consultation.adviser))
            .where(Faq.state == state, within)
            .order_by(order, Faq.id)
            .limit(limit)
        )
    )


def publish(session: Session, actor: Actor, faq_id: int, *, now: datetime) -> Faq:
    """A supervisor of the district publishes a submitted FAQ: the public pages show it and
    the search finds it."""
    faq = _supervised(session, actor, faq_id)
    if faq.state != FaqState.SUBMITTED or faq.consented_at is None:
        raise Invalid(_l("Only a question and answer sent for review can be published."))
    if anonymise.check(faq.question, faq.answer, names_of(faq)):
        raise Invalid(_l("The text may still name someone: send it back to the adviser."))
    faq.state = FaqState.PUBLISHED
    faq.published_by_id = actor.id
    faq.published_at = now
    session.flush()
    faq_search.index(session, faq)
    audit.record(session, "legal.faq.publish", actor=actor, now=now, target=faq)
    return faq


def send_back(session: Session, actor: Actor, faq_id: int, *, now: datetime) -> Faq:
    """A supervisor sends a submitted FAQ back to the adviser to write again."""
    faq = _supervised(session, actor, faq_id)
    if faq.state != FaqState.SUBMITTED:
        raise Invalid(_l("Only a question and answer sent for review can be sent back."))
    faq.state = FaqState.CONSENTED
    faq.submitted_at = None
    session.flush()
    audit.record(session, "legal.faq.send_back", actor=actor, now=now, target=faq)
    return faq


def withdraw(session: Session, actor: Actor, faq_id: int, *, now: datetime) -> Faq:
    """A supervisor takes a published FAQ down: the public pages and the search forget it."""
    faq = _supervised(session, actor, faq_id)
    if faq.state != FaqState.PUBLISHED:
        raise Invalid(_l("Only a published question and answer can be withdrawn."))
    faq.state = FaqState.WITHDRAWN
    faq.withdrawn_at = now
    session.flush()
    faq_search.unindex(session, faq)
    audit.record(session, "legal.faq.withdraw", actor=actor, now=now, target=faq)
    return faq


# -- The public pages -----------------------------------------------------------------------


def published(session: Session, faq_id: int) -> Faq:
    """A published FAQ; NotFound for any other, as for one that does not exist."""
    faq = session.get(Faq, faq_id)
    if faq is None or faq.state != FaqState.PUBLISHED:
        raise _no_such_faq()
    return faq
