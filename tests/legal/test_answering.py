"""The adviser's answer: only after declaring no conflict, only by the adviser it is given
to; the waiting question is marked answered, the clocks move, and the resident is texted a
link to the thread."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.errors import Invalid, NotFound
from portal.legal import answering, clocks, thread
from portal.legal.models import ConsultationEntry, ConsultationState, EntryKind
from tests.legal import helpers
from tests.legal.helpers import SETTINGS, TUESDAY_10AM

pytestmark = pytest.mark.usefixtures("app_context")
LATER = TUESDAY_10AM + timedelta(hours=3)
CITED = [answering.Citation("中华人民共和国民法典", "第七百二十二条")]


def _answer(session, adviser, made, body="押金应当退还。", citations=CITED, now=LATER):
    return answering.answer(session, adviser, made, body, citations, settings=SETTINGS, now=now)


def test_the_answer_waits_for_the_conflict_check(session):
    world = helpers.world(session)
    made = helpers.consultation(session, world.tree.community)
    with pytest.raises(Invalid, match="no conflict"):
        _answer(session, world.adviser, made)
    answering.clear(session, world.adviser, made, now=LATER)
    assert made.cleared_at == LATER
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.actor_id == world.adviser.id)
    )
    assert "legal.consultation.cleared" in list(actions)


def test_only_the_assigned_adviser_answers(session):
    world = helpers.world(session)
    made = helpers.consultation(session, world.tree.community)
    for other in (world.second, world.supervisor, world.district_adviser):
        with pytest.raises(NotFound):
            answering.clear(session, other, made, now=LATER)
        with pytest.raises(NotFound):
            _answer(session, other, made)


def test_an_answer_closes_the_question_and_texts_the_resident(session, sms):
    world = helpers.world(session)
    made = helpers.consultation(session, world.tree.community)
    answering.clear(session, world.adviser, made, now=LATER)
    entry = _answer(session, world.adviser, made)
    assert entry.kind is EntryKind.ANSWER and entry.citations == [
        {"law": "中华人民共和国民法典", "article": "第七百二十二条"}
    ]
    question = session.scalar(
        select(ConsultationEntry).where(
            ConsultationEntry.consultation_id == made.id,
            ConsultationEntry.kind == EntryKind.QUESTION,
        )
    )
    assert question.answered_at == LATER
    assert made.state is ConsultationState.ANSWERED
    assert (made.due_at, made.last_answer_at) == (None, LATER)
    assert made.sweep_at == clocks.closes_at(SETTINGS, LATER)
    answered = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "legal.consultation.answered")
    )
    assert (answered.actor_id, answered.details) == (world.adviser.id, {"entry": entry.id})
    message = sms.recent(made.user.phone)[0]
    assert message.kind == "legal_answered"
    assert f"https://portal.example/legal/consultations/{made.reference}" in message.body
    # Nothing waits now: a second answer is refused until the resident follows up.
    with pytest.raises(Invalid):
        _answer(session, world.adviser, made)


def test_a_follow_up_is_answered_in_its_turn(session):
    world = helpers.world(session)
    made = helpers.consultation(session, world.tree.community)
    answering.clear(session, world.adviser, made, now=LATER)
    _answer(session, world.adviser, made)
    helpers.follow_up(session, made, now=LATER + timedelta(hours=1))
    _answer(session, world.adviser, made, body="可以向法院起诉。", citations=[],
            now=LATER + timedelta(hours=2))  # fmt: skip
    entries = thread.entries(session, made)
    assert [e.kind for e in entries] == ["question", "answer", "question", "answer"]
    assert all(e.answered_at for e in entries if e.kind == "question")


def test_an_empty_answer_and_bad_citations_are_refused(session):
    world = helpers.world(session)
    made = helpers.consultation(session, world.tree.community)
    answering.clear(session, world.adviser, made, now=LATER)
    with pytest.raises(Invalid, match="Write your answer"):
        _answer(session, world.adviser, made, body="  ")
    with pytest.raises(Invalid, match="name of the law"):
        answering.parse_citations([("", "第五条")])
    assert answering.parse_citations([("", ""), (" 劳动合同法 ", "第四十七条")]) == [
        answering.Citation("劳动合同法", "第四十七条")
    ]
    assert made.state is ConsultationState.WAITING


def test_a_conflict_needs_a_reason(session):
    world = helpers.world(session)
    made = helpers.consultation(session, world.tree.community)
    with pytest.raises(Invalid, match="Say what the conflict is"):
        answering.declare_conflict(session, world.adviser, made, "  ", settings=SETTINGS,
                                   now=LATER)  # fmt: skip
    assert made.adviser_id == world.adviser.id
