"""Public questions and answers: the resident's consent, the adviser's draft and the
supervisor's review (services, time passed in)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.errors import Forbidden, Invalid, NotFound
from portal.legal import faq as faqs
from portal.legal.models import ClosedBecause, ConsultationState, FaqState, FaqWord
from portal.permissions import Role
from tests import factories
from tests.legal.faq_helpers import (
    CLEAN_ANSWER,
    CLEAN_QUESTION,
    NOW,
    SECRET,
    SETTINGS,
    closed_consultation,
    code_for,
    consent_token,
    consented,
    proposed,
    published,
    submitted,
    world,
)

pytestmark = pytest.mark.usefixtures("app_context")


@pytest.fixture
def legal(session):
    return world(session)


def test_proposing_texts_the_resident_a_link_whose_token_is_kept_only_as_its_digest(
    session, legal, sms
):
    faq, token = proposed(session, legal)
    assert faq.state == FaqState.ASKED and faq.proposed_by_id == legal.adviser.id
    assert faq.token_digest == faqs.token_digest(token) and token not in faq.token_digest
    assert consent_token(sms, legal.resident.phone) == token
    body = sms.recent(legal.resident.phone)[0].body
    assert body.startswith("可否匿名公开") and body.endswith(f"/legal/faq/consent/{token}")
    assert faqs.faq_by_token(session, token.lower()) is faq


def test_only_the_consultations_adviser_proposes(session, legal):
    with pytest.raises(NotFound):
        faqs.propose(session, legal.other_adviser, legal.consultation.reference,
                     settings=SETTINGS, now=NOW)  # fmt: skip
    with pytest.raises(Forbidden):
        faqs.propose(session, legal.supervisor, legal.consultation.reference,
                     settings=SETTINGS, now=NOW)  # fmt: skip
    with pytest.raises(Forbidden):
        faqs.propose(session, legal.resident, legal.consultation.reference,
                     settings=SETTINGS, now=NOW)  # fmt: skip


@pytest.mark.parametrize(
    ("state", "closed_because"),
    [
        (ConsultationState.ANSWERED, None),
        (ConsultationState.CLOSED, ClosedBecause.UNCONFIRMED),
    ],
)
def test_only_a_closed_consultation_is_proposed(session, legal, state, closed_because):
    consultation = closed_consultation(session, legal.tree, legal.resident, legal.adviser,
                                       state=state, closed_because=closed_because)  # fmt: skip
    with pytest.raises(Invalid):
        faqs.propose(session, legal.adviser, consultation.reference, settings=SETTINGS, now=NOW)
    assert not faqs.may_propose(session, legal.adviser, consultation)


def test_a_minors_consultation_is_never_proposed(session, legal, sms):
    # A child's legal matter is not published on the child's own consent.
    legal.consultation.is_minor = True
    assert not faqs.may_propose(session, legal.adviser, legal.consultation)
    with pytest.raises(Invalid, match="under 18"):
        proposed(session, legal)
    assert not sms.recent(legal.resident.phone)


def test_a_consultation_is_proposed_once(session, legal):
    assert faqs.may_propose(session, legal.adviser, legal.consultation)
    proposed(session, legal)
    assert not faqs.may_propose(session, legal.adviser, legal.consultation)
    with pytest.raises(Invalid):
        proposed(session, legal)


def test_consenting_with_the_code_lets_the_adviser_write_from_the_thread(session, legal, sms):
    faq, _token = proposed(session, legal)
    code = code_for(session, faq)
    assert sms.recent(legal.resident.phone)[0].phone == legal.resident.phone
    faqs.consent(session, faq, code, secret=SECRET, settings=SETTINGS, now=NOW)
    assert faq.state == FaqState.CONSENTED and faq.consented_at == NOW
    assert "押金" in faq.question and "民法典" in faq.answer
    # The thread holds the phone number and both names: flagged from the start.
    assert {flag["kind"] for flag in faq.flags} >= {"phone", "name"}


def test_a_wrong_code_does_not_consent_and_counts_a_try(session, legal):
    faq, _token = proposed(session, legal)
    code = code_for(session, faq)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(Invalid, match="not right"):
        faqs.consent(session, faq, wrong, secret=SECRET, settings=SETTINGS, now=NOW)
    assert faq.state == FaqState.ASKED
    with pytest.raises(Invalid):
        faqs.publish(session, legal.supervisor, faq.id, now=NOW)


def test_an_expired_code_does_not_consent(session, legal):
    faq, _token = proposed(session, legal)
    code = code_for(session, faq)
    with pytest.raises(Invalid, match="expired"):
        faqs.consent(
            session, faq, code, secret=SECRET, settings=SETTINGS, now=NOW + timedelta(minutes=11)
        )
    assert faq.state == FaqState.ASKED and faq.consented_at is None


def test_a_token_never_issued_is_not_found(session, legal):
    proposed(session, legal)
    with pytest.raises(NotFound):
        faqs.faq_by_token(session, "ABCDEFGHJKLM")


def test_a_declined_one_can_never_be_written_nor_published(session, legal):
    faq, _token = proposed(session, legal)
    faqs.refuse(session, faq, code_for(session, faq), secret=SECRET, now=NOW)
    assert faq.state == FaqState.WITHDRAWN and faq.refused_at == NOW
    with pytest.raises(Invalid):
        faqs.consent(session, faq, "123456", secret=SECRET, settings=SETTINGS, now=NOW)
    with pytest.raises(Invalid):
        faqs.submit(session, legal.adviser, faq.id, CLEAN_QUESTION, CLEAN_ANSWER, now=NOW)
    with pytest.raises(Invalid):
        faqs.publish(session, legal.supervisor, faq.id, now=NOW)
    assert faq.state == FaqState.WITHDRAWN


def test_without_consent_nothing_can_be_written_or_published(session, legal):
    faq, _token = proposed(session, legal)
    with pytest.raises(Invalid):
        faqs.submit(session, legal.adviser, faq.id, CLEAN_QUESTION, CLEAN_ANSWER, now=NOW)
    with pytest.raises(Invalid):
        faqs.publish(session, legal.supervisor, faq.id, now=NOW)
    assert faq.state == FaqState.ASKED and faq.question == ""


def test_a_draft_with_flags_is_saved_but_not_submitted(session, legal):
    faq = consented(session, legal)
    with pytest.raises(Invalid, match="may still name"):
        faqs.submit(session, legal.adviser, faq.id, "李大伟不退押金怎么办？", CLEAN_ANSWER, now=NOW)
    assert faq.state == FaqState.CONSENTED and faq.question == "李大伟不退押金怎么办？"
    assert faq.flags == [{"kind": "name", "text": "李大伟", "field": "question"}]
    faqs.submit(session, legal.adviser, faq.id, CLEAN_QUESTION, CLEAN_ANSWER, now=NOW)
    assert faq.state == FaqState.SUBMITTED and faq.flags == [] and faq.submitted_at == NOW


def test_an_empty_draft_is_refused_field_by_field(session, legal):
    faq = consented(session, legal)
    with pytest.raises(Invalid) as refused:
        faqs.write(session, legal.adviser, faq.id, " ", "", now=NOW)
    assert [each.details["field"] for each in refused.value.problems] == ["question", "answer"]


def test_only_the_consultations_adviser_writes(session, legal):
    faq = consented(session, legal)
    for someone in (legal.other_adviser, legal.supervisor, legal.resident):
        with pytest.raises(NotFound):
            faqs.write(session, someone, faq.id, CLEAN_QUESTION, CLEAN_ANSWER, now=NOW)


def test_only_a_supervisor_of_the_district_publishes_and_it_is_audited(session, legal):
    faq = submitted(session, legal)
    secretary = factories.user(session, Role.SECRETARY, legal.tree.community)
    for someone in (legal.other_supervisor, legal.adviser, secretary, legal.resident):
        with pytest.raises(NotFound):
            faqs.publish(session, someone, faq.id, now=NOW)
    assert faqs.review_queue(session, legal.other_supervisor, FaqState.SUBMITTED) == []
    assert faqs.review_queue(session, legal.supervisor, FaqState.SUBMITTED) == [faq]
    faqs.publish(session, legal.supervisor, faq.id, now=NOW)
    assert faq.state == FaqState.PUBLISHED and faq.published_by_id == legal.supervisor.id
    assert faqs.published(session, faq.id) is faq
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.target_id == str(faq.id)))
    assert "legal.faq.publish" in set(actions)


def test_sent_back_the_adviser_writes_again(session, legal):
    faq = submitted(session, legal)
    faqs.send_back(session, legal.supervisor, faq.id, now=NOW)
    assert faq.state == FaqState.CONSENTED and faq.submitted_at is None
    faqs.write(session, legal.adviser, faq.id, CLEAN_QUESTION, "新的回答", now=NOW)
    assert faq.answer == "新的回答"


def test_withdrawn_it_leaves_the_public_pages_and_the_search(session, legal):
    faq = published(session, legal)
    assert session.scalars(select(FaqWord.word).where(FaqWord.faq_id == faq.id)).first()
    with pytest.raises(NotFound):
        faqs.withdraw(session, legal.other_supervisor, faq.id, now=NOW)
    faqs.withdraw(session, legal.supervisor, faq.id, now=NOW + timedelta(days=1))
    assert faq.state == FaqState.WITHDRAWN
    assert session.scalars(select(FaqWord).where(FaqWord.faq_id == faq.id)).all() == []
    with pytest.raises(NotFound):
        faqs.published(session, faq.id)


def test_the_resident_takes_consent_back_and_a_published_answer_comes_down(session, legal):
    faq = published(session, legal)
    later = NOW + timedelta(days=2)
    with pytest.raises(Invalid):
        faqs.take_back(session, faq, "000000", secret=SECRET, now=later)
    assert faq.state == FaqState.PUBLISHED
    faqs.take_back(session, faq, code_for(session, faq, later), secret=SECRET, now=later)
    assert faq.state == FaqState.WITHDRAWN and faq.withdrawn_at == later
    assert session.scalars(select(FaqWord).where(FaqWord.faq_id == faq.id)).all() == []
    with pytest.raises(NotFound):
        faqs.published(session, faq.id)
    # Taken back, it can be neither taken back again nor published.
    with pytest.raises(Invalid):
        faqs.send_consent_code(session, faq, secret=SECRET, now=later)
    with pytest.raises(Invalid):
        faqs.publish(session, legal.supervisor, faq.id, now=later)


@pytest.mark.parametrize("state", ["asked", "consented", "submitted"])
def test_an_unpublished_one_is_not_found_by_the_public(session, legal, state):
    faq = {
        "asked": lambda: proposed(session, legal)[0],
        "consented": lambda: consented(session, legal),
        "submitted": lambda: submitted(session, legal),
    }[state]()
    with pytest.raises(NotFound):
        faqs.published(session, faq.id)
    with pytest.raises(NotFound):
        faqs.published(session, faq.id + 1000)


def test_the_adviser_is_texted_when_the_resident_agrees(session, legal, sms):
    faq = consented(session, legal)
    texted = sms.recent(legal.adviser.phone)[0]
    assert legal.consultation.reference in texted.body
    assert texted.body.endswith(f"/legal/faq/drafts/{faq.id}")
