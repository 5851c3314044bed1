"""Consultations for the FAQ's tests, written directly with the models: a closed one with a
question, an answer and its adviser, and the people around it."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.legal import faq as faqs
from portal.legal import faq_search
from portal.legal.models import (
    Assignment,
    ClosedBecause,
    Consultation,
    ConsultationEntry,
    ConsultationState,
    EntryKind,
    Faq,
    FaqState,
    LegalTopic,
)
from portal.legal.settings import LegalSettings
from portal.permissions import Role
from tests import factories
from tests.outbox import Outbox

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
SETTINGS = LegalSettings(base_url="https://wg.example")
SECRET = b"test secret"
RESIDENT_NAME = "王小明"
OTHER_PARTY = "李大伟"
QUESTION = (
    "我和房东李大伟签了一年的租房合同，现在提前两个月退租，房东不退押金三千元，"
    "我的电话是13812345678，这种情况押金能要回来吗？"
)
ANSWER = (
    "根据《中华人民共和国民法典》第七百零三条，租赁合同约定的押金在合同解除后应当返还。"
    "提前退租属于违约，房东可以按合同约定扣除违约金，但不能无故全部扣留押金。"
    "建议先与房东协商，协商不成可以向人民法院起诉。"
)
_references = itertools.count(1)


@dataclass
class LegalWorld:
    tree: factories.Tree
    resident: User
    adviser: User
    other_adviser: User
    supervisor: User
    other_supervisor: User
    consultation: Consultation


def reference() -> str:
    return f"LF{next(_references):06d}"


def topic(session: Session) -> LegalTopic:
    return session.scalars(select(LegalTopic).order_by(LegalTopic.position, LegalTopic.id)).first()


def closed_consultation(
    session: Session,
    tree: factories.Tree,
    resident: User,
    adviser: User,
    *,
    question: str = QUESTION,
    answer: str = ANSWER,
    other_party: str = OTHER_PARTY,
    closed_because: ClosedBecause = ClosedBecause.RATED,
    state: ConsultationState = ConsultationState.CLOSED,
    at: datetime = NOW - timedelta(days=10),
) -> Consultation:
    """A consultation of `resident` answered by `adviser`, closed (by default)."""
    consultation = Consultation(
        reference=reference(), user_id=resident.id, community_id=tree.community.id,
        topic_id=topic(session).id, state=state, other_party=other_party, consented_at=at,
        created_at=at, asked_at=at, adviser_id=adviser.id, cleared_at=at,
        last_answer_at=at + timedelta(hours=3),
        closed_at=at + timedelta(days=1) if state == ConsultationState.CLOSED else None,
        closed_because=closed_because if state == ConsultationState.CLOSED else None,
    )  # fmt: skip
    session.add(consultation)
    session.flush()
    session.add_all([
        Assignment(consultation_id=consultation.id, adviser_id=adviser.id,
                   pool_id=tree.community.id, assigned_at=at),
        ConsultationEntry(consultation_id=consultation.id, kind=EntryKind.QUESTION,
                          author_id=resident.id, body=question, written_at=at,
                          due_at=at + timedelta(days=2), answered_at=at + timedelta(hours=3)),
        ConsultationEntry(consultation_id=consultation.id, kind=EntryKind.ANSWER,
                          author_id=adviser.id, body=answer, written_at=at + timedelta(hours=3),
                          citations=[{"law": "中华人民共和国民法典", "article": "第七百零三条"}]),
    ])  # fmt: skip
    session.flush()
    return consultation


def world(session: Session) -> LegalWorld:
    tree = factories.tree(session)
    resident = factories.user(session, Role.RESIDENT, name=RESIDENT_NAME)
    adviser = factories.user(session, Role.LEGAL_ADVISER, tree.community, name="张律师")
    other_adviser = factories.user(session, Role.LEGAL_ADVISER, tree.community, name="赵律师")
    supervisor = factories.user(session, Role.LEGAL_SUPERVISOR, tree.district, name="陈主任")
    elsewhere = factories.place(session, None, "别区")
    other_supervisor = factories.user(session, Role.LEGAL_SUPERVISOR, elsewhere, name="周主任")
    consultation = closed_consultation(session, tree, resident, adviser)
    return LegalWorld(
        tree, resident, adviser, other_adviser, supervisor, other_supervisor, consultation
    )


def consent_token(outbox: Outbox, phone: str) -> str:
    """The token of the newest consent link texted to `phone`."""
    for message in outbox.recent(phone):
        found = re.search(r"/legal/faq/consent/([0-9A-Z]+)", message.body)
        if found:
            return found.group(1)
    raise AssertionError(f"no consent link was sent to {phone}")


def proposed(session: Session, legal: LegalWorld, now: datetime = NOW) -> tuple[Faq, str]:
    return faqs.propose(
        session, legal.adviser, legal.consultation.reference, settings=SETTINGS, now=now
    )


def code_for(session: Session, faq: Faq, now: datetime = NOW) -> str:
    faqs.send_consent_code(session, faq, secret=SECRET, now=now)
    return Outbox(session).code(faq.consultation.user.phone)


def consented(session: Session, legal: LegalWorld, now: datetime = NOW) -> Faq:
    faq, _token = proposed(session, legal, now)
    return faqs.consent(
        session, faq, code_for(session, faq, now), secret=SECRET, settings=SETTINGS, now=now
    )


CLEAN_QUESTION = "租房合同提前退租，房东不退押金，押金能要回来吗？"
CLEAN_ANSWER = ANSWER


def submitted(session: Session, legal: LegalWorld, now: datetime = NOW) -> Faq:
    faq = consented(session, legal, now)
    return faqs.submit(session, legal.adviser, faq.id, CLEAN_QUESTION, CLEAN_ANSWER, now=now)


def published(session: Session, legal: LegalWorld, now: datetime = NOW) -> Faq:
    faq = submitted(session, legal, now)
    return faqs.publish(session, legal.supervisor, faq.id, now=now)


def published_text(
    session: Session,
    legal: LegalWorld,
    question: str,
    answer: str,
    *,
    at: datetime = NOW,
    topic_id: int | None = None,
) -> Faq:
    """A published FAQ with this text, written directly (the search's tests)."""
    consultation = closed_consultation(session, legal.tree, legal.resident, legal.adviser)
    faq = Faq(
        consultation_id=consultation.id, topic_id=topic_id or consultation.topic_id,
        state=FaqState.PUBLISHED, token_digest=faqs.token_digest(faqs.new_token()),
        proposed_by_id=legal.adviser.id, proposed_at=at, consented_at=at, question=question,
        answer=answer, flags=[], submitted_at=at, published_by_id=legal.supervisor.id,
        published_at=at,
    )  # fmt: skip
    session.add(faq)
    session.flush()
    faq_search.index(session, faq)
    return faq


@dataclass
class FaqRows:
    """The FAQs the fuzzer's world holds: one waiting for consent (its link's token), one
    the adviser writes, one published, one waiting for a supervisor; and a closed
    consultation not yet proposed."""

    token: str
    faq_ids: list[int]
    unproposed: str


def faq_rows(session: Session, tree: factories.Tree, resident: User, adviser: User) -> FaqRows:
    asked, consenting, public, waiting, unproposed = (
        closed_consultation(session, tree, resident, adviser) for _ in range(5)
    )
    _faq, token = faqs.propose(session, adviser, asked.reference, settings=SETTINGS, now=NOW)
    draft, _token = faqs.propose(session, adviser, consenting.reference, settings=SETTINGS,
                                 now=NOW)  # fmt: skip
    draft.state, draft.consented_at = FaqState.CONSENTED, NOW
    draft.question, draft.answer = faqs.prefill(session, consenting)
    shown, _token = faqs.propose(session, adviser, public.reference, settings=SETTINGS, now=NOW)
    shown.state, shown.consented_at, shown.published_at = FaqState.PUBLISHED, NOW, NOW
    shown.question, shown.answer = CLEAN_QUESTION, CLEAN_ANSWER
    review, _token = faqs.propose(session, adviser, waiting.reference, settings=SETTINGS,
                                  now=NOW)  # fmt: skip
    review.state, review.consented_at, review.submitted_at = FaqState.SUBMITTED, NOW, NOW
    review.question, review.answer = CLEAN_QUESTION, CLEAN_ANSWER
    session.flush()
    faq_search.index(session, shown)
    return FaqRows(token, [draft.id, shown.id, review.id], unproposed.reference)
