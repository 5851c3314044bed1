"""The resident's thread, with time passed in: follow-ups once answered, each with its own
deadline, up to the district's number; rating closes the consultation; nobody but the
resident follows up or rates."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.errors import Invalid, NotFound
from portal.legal import thread
from portal.legal.models import (
    ClosedBecause,
    Consultation,
    ConsultationEntry,
    ConsultationState,
    EntryKind,
    Rating,
)
from portal.legal.settings import LegalSettings
from portal.permissions import Role
from tests import factories
from tests.legal.test_asking import SETTINGS, ask, end_of, shanghai


def answer(session, consultation: Consultation, now) -> None:
    """What the adviser's answer does (part B's answering.py), enough for the thread."""
    waiting = session.scalars(
        select(ConsultationEntry).where(
            ConsultationEntry.consultation_id == consultation.id,
            ConsultationEntry.kind == EntryKind.QUESTION,
            ConsultationEntry.answered_at.is_(None),
        )
    ).one()
    waiting.answered_at = now
    session.add(
        ConsultationEntry(
            consultation_id=consultation.id, kind=EntryKind.ANSWER,
            author_id=consultation.adviser_id, body="可以起诉。",
            citations=[{"law": "中华人民共和国民法典", "article": "第七百零三条"}], written_at=now,
        )
    )  # fmt: skip
    consultation.state = ConsultationState.ANSWERED
    consultation.last_answer_at = now
    consultation.due_at = None
    session.flush()


@pytest.fixture
def tree(session):
    return factories.tree(session)


@pytest.fixture
def adviser(session, tree):
    return factories.user(session, Role.LEGAL_ADVISER, tree.community, name="赵律师")


@pytest.fixture
def resident(session):
    return factories.user(session, phone="13800138000", name="居民")


@pytest.fixture
def answered(app_context, session, tree, adviser, resident):
    made = ask(session, resident, tree, shanghai(2026, 12, 1))
    answer(session, made, shanghai(2026, 12, 2))
    return made


def follow_up(session, resident, made, now, body="押金条丢了怎么办？"):
    return thread.follow_up(session, resident, made, body, settings=SETTINGS, now=now)


def test_a_follow_up_is_due_the_next_working_day_and_the_adviser_is_texted(
    session, answered, resident, adviser, sms
):
    answered.reminded_at = answered.escalated_at = shanghai(2026, 12, 2)
    # Friday: the answer is due at the end of Monday.
    entry = follow_up(session, resident, answered, shanghai(2026, 12, 4, 16))
    assert entry.due_at == answered.due_at == end_of(2026, 12, 7)
    assert answered.state is ConsultationState.WAITING and answered.follow_ups == 1
    assert answered.reminded_at is None and answered.escalated_at is None
    assert answered.sweep_at == shanghai(2026, 12, 6, 9)
    texts = sms.recent(adviser.phone)
    assert len(texts) == 2 and answered.reference in texts[0].body
    assert "押金条" not in texts[0].body


def test_a_follow_up_on_the_eve_of_the_make_up_saturday_is_due_that_saturday(
    app_context, session, tree, adviser, resident
):
    made = ask(session, resident, tree, shanghai(2026, 10, 8))
    answer(session, made, shanghai(2026, 10, 9, 9))
    follow_up(session, resident, made, shanghai(2026, 10, 9, 11))
    assert made.due_at == end_of(2026, 10, 10)


def test_follow_ups_stop_at_the_districts_number(session, answered, resident):
    assert thread.can_follow_up(answered, SETTINGS)
    for day in (3, 7):
        follow_up(session, resident, answered, shanghai(2026, 12, day))
        # Not before the answer.
        with pytest.raises(Invalid):
            follow_up(session, resident, answered, shanghai(2026, 12, day, 11))
        answer(session, answered, shanghai(2026, 12, day, 15))
    assert answered.follow_ups == SETTINGS.most_follow_ups == 2
    assert not thread.can_follow_up(answered, SETTINGS)
    with pytest.raises(Invalid, match="legal service day"):
        follow_up(session, resident, answered, shanghai(2026, 12, 8))
    assert answered.state is ConsultationState.ANSWERED and answered.follow_ups == 2
    # A district that allows none.
    assert not thread.can_follow_up(answered, LegalSettings(most_follow_ups=0))


def test_rating_closes_it_and_keeps_the_comment(session, answered, resident):
    now = shanghai(2026, 12, 3)
    thread.rate(session, resident, answered, "basically_satisfied", " 回答很清楚 ", now=now)
    assert answered.state is ConsultationState.CLOSED
    assert answered.closed_because is ClosedBecause.RATED and answered.closed_at == now
    assert answered.rating is Rating.BASICALLY_SATISFIED and answered.rated_at == now
    assert answered.rating_comment == "回答很清楚" and answered.sweep_at is None
    # Closed: no more follow-ups, nor a second rating.
    with pytest.raises(Invalid):
        follow_up(session, resident, answered, shanghai(2026, 12, 4))
    with pytest.raises(Invalid):
        thread.rate(session, resident, answered, "satisfied", now=now)


def test_a_question_not_yet_answered_cannot_be_rated_nor_rated_with_nonsense(
    app_context, session, tree, adviser, resident
):
    made = ask(session, resident, tree, shanghai(2026, 12, 1))
    with pytest.raises(Invalid):
        thread.rate(session, resident, made, "satisfied", now=shanghai(2026, 12, 1))
    answer(session, made, shanghai(2026, 12, 2))
    with pytest.raises(Invalid) as refused:
        thread.rate(session, resident, made, "great", now=shanghai(2026, 12, 2))
    assert refused.value.details["field"] == "rating"


def test_only_the_resident_follows_up_rates_or_finds_it(session, answered, resident, adviser):
    other = factories.user(session, name="别人")
    for actor in (other, adviser):
        with pytest.raises(NotFound):
            follow_up(session, actor, answered, shanghai(2026, 12, 3))
        with pytest.raises(NotFound):
            thread.rate(session, actor, answered, "satisfied", now=shanghai(2026, 12, 3))
        with pytest.raises(NotFound):
            thread.own_consultation(session, actor, answered.reference)
    assert thread.own_consultation(session, resident, answered.reference.lower()) is answered
    assert thread.residents_consultations(session, other) == []
    assert thread.residents_consultations(session, resident) == [answered]
    assert [entry.kind for entry in thread.entries(session, answered)] == [
        EntryKind.QUESTION,
        EntryKind.ANSWER,
    ]


def test_the_deadline_reads_with_its_weekday_in_both_languages(app):
    from flask_babel import force_locale

    from portal.legal.views.resident import due_words

    with app.test_request_context():
        with force_locale("zh_Hans_CN"):
            assert due_words(end_of(2026, 12, 8)) == "最晚12月8日（周二）"
        with force_locale("en"):
            assert due_words(end_of(2026, 12, 8)) == "by Tue 8 Dec"
