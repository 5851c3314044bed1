"""Asking a legal question, with time passed in: the first answer's deadline in working days
(across a weekend, 国庆 2026 and its make-up Saturday), the consent required, and a minor's
question held back, with no adviser and no SMS to one, until the guardian's code."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from portal.accounts.models import PhoneCode
from portal.errors import Invalid, NotFound
from portal.legal import asking
from portal.legal.models import (
    Consultation,
    ConsultationEntry,
    ConsultationState,
    EntryKind,
    LegalTopic,
)
from portal.legal.settings import LegalSettings
from portal.permissions import Role
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")
SECRET = b"test-secret"
SETTINGS = LegalSettings(base_url="https://wg.example.cn")
GUARDIAN = "13912340000"


def shanghai(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def end_of(year: int, month: int, day: int) -> datetime:
    """The last moment of a day in Shanghai, in UTC: when an answer due that day is late."""
    return datetime(year, month, day, 23, 59, 59, 999999, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.fixture
def tree(session):
    return factories.tree(session)


@pytest.fixture
def adviser(session, tree):
    return factories.user(session, Role.LEGAL_ADVISER, tree.community, name="赵律师")


@pytest.fixture
def resident(session):
    return factories.user(session, phone="13800138000", name="居民")


def topic(session) -> LegalTopic:
    return session.scalars(select(LegalTopic).order_by(LegalTopic.position)).first()


def question(session, **fields) -> asking.Question:
    values = {
        "topic_id": topic(session).id,
        "body": "房东不退押金，我该怎么办？",
        "other_party": "王某",
        "consented": True,
    } | fields
    return asking.Question(**values)


def ask(session, resident, tree, now, **fields) -> Consultation:
    return asking.ask(
        session, resident, tree.community, question(session, **fields), settings=SETTINGS,
        secret=SECRET, locale="zh_Hans_CN", now=now,
    )  # fmt: skip


def to(sms, phone):
    return list(sms.recent(phone))


def test_a_question_goes_to_the_communitys_adviser_who_is_texted(
    app_context, session, tree, adviser, resident, sms
):
    now = shanghai(2026, 12, 1)
    made = ask(session, resident, tree, now)
    assert made.reference.startswith("L") and len(made.reference) == 8
    assert made.state is ConsultationState.WAITING and made.adviser_id == adviser.id
    assert made.consented_at == now and made.asked_at == now and made.other_party == "王某"
    entry = session.scalars(select(ConsultationEntry)).one()
    assert entry.kind is EntryKind.QUESTION and entry.body == "房东不退押金，我该怎么办？"
    assert entry.due_at == made.due_at == end_of(2026, 12, 3)
    # The sweep first looks on the morning of the day before, to remind the adviser.
    assert made.sweep_at == shanghai(2026, 12, 2, 9)
    [text] = to(sms, adviser.phone)
    assert made.reference in text.body and "房东" not in text.body
    assert "12月3日" in text.body


@pytest.mark.parametrize(
    ("asked", "due"),
    [
        # Friday: Saturday and Sunday do not count; Monday and Tuesday do.
        (shanghai(2026, 12, 4), end_of(2026, 12, 8)),
        # Half past eleven on Friday night in Shanghai is still Friday (15:30 UTC).
        (shanghai(2026, 12, 4, 23, 30), end_of(2026, 12, 8)),
        # 国庆 2026: 1–7 October are off; Thursday the 8th and Friday the 9th count.
        (shanghai(2026, 9, 30), end_of(2026, 10, 9)),
        (shanghai(2026, 10, 3), end_of(2026, 10, 9)),
        # Saturday 10 October 2026 is a make-up working day: it counts, Sunday does not.
        (shanghai(2026, 10, 9), end_of(2026, 10, 12)),
        (shanghai(2026, 10, 8), end_of(2026, 10, 10)),
    ],
)
def test_the_first_answer_is_due_at_the_end_of_the_second_working_day(
    app_context, session, tree, adviser, resident, asked, due
):
    made = ask(session, resident, tree, asked)
    assert made.due_at == due


def test_consent_is_required_and_every_mistake_is_said_at_once(
    app_context, session, tree, adviser, resident, sms
):
    with pytest.raises(Invalid) as refused:
        ask(session, resident, tree, shanghai(2026, 12, 1), consented=False, body="",
            topic_id=None)  # fmt: skip
    fields = {problem.details["field"] for problem in refused.value.problems}
    assert fields == {"consent", "question", "topic"}
    assert session.scalar(select(func.count()).select_from(Consultation)) == 0
    assert to(sms, adviser.phone) == []


def test_a_question_longer_than_2000_characters_is_refused_and_2000_chinese_ones_pass(
    app_context, session, tree, adviser, resident
):
    with pytest.raises(Invalid, match="2,000"):
        ask(session, resident, tree, shanghai(2026, 12, 1), body="法" * 2001)
    # A line break sent as CRLF counts as one character.
    made = ask(
        session, resident, tree, shanghai(2026, 12, 1), body="法" * 1000 + "\r\n" + "律" * 999
    )
    assert made.state is ConsultationState.WAITING


def test_a_minors_question_waits_for_the_guardians_code(
    app_context, session, tree, adviser, resident, sms
):
    asked = shanghai(2026, 12, 7, 23, 55)
    made = ask(session, resident, tree, asked, is_minor=True, guardian_phone="139 1234 0000")
    assert made.state is ConsultationState.AWAITING_GUARDIAN and made.is_minor
    assert made.guardian_phone == GUARDIAN
    assert made.adviser_id is None and made.asked_at is None and made.due_at is None
    assert to(sms, adviser.phone) == []
    code = sms.code(GUARDIAN)
    # A wrong code is refused and the question stays where it was.
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(Invalid):
        asking.confirm_guardian(session, resident, made, wrong, settings=SETTINGS,
                                secret=SECRET, now=asked)  # fmt: skip
    assert made.state is ConsultationState.AWAITING_GUARDIAN and made.adviser_id is None
    assert to(sms, adviser.phone) == []
    # The deadline counts from the moment the guardian confirms: asked on Monday night,
    # confirmed after midnight, it is due at the end of Thursday, not Wednesday.
    confirmed = shanghai(2026, 12, 8, 0, 2)
    asking.confirm_guardian(session, resident, made, code, settings=SETTINGS, secret=SECRET,
                            now=confirmed)  # fmt: skip
    assert made.state is ConsultationState.WAITING and made.adviser_id == adviser.id
    assert made.guardian_confirmed_at == made.asked_at == confirmed
    assert made.due_at == end_of(2026, 12, 10)
    assert len(to(sms, adviser.phone)) == 1
    code_row = session.scalars(select(PhoneCode).where(PhoneCode.phone == GUARDIAN)).one()
    assert code_row.subject == f"legal:{made.reference}"


@pytest.mark.parametrize("phone", ["12345", "", "138 0013 8000"])
def test_a_bad_guardian_phone_or_the_residents_own_is_refused(
    app_context, session, tree, adviser, resident, phone
):
    with pytest.raises(Invalid) as refused:
        ask(session, resident, tree, shanghai(2026, 12, 1), is_minor=True, guardian_phone=phone)
    assert refused.value.details["field"] == "guardian_phone"


def test_only_the_resident_confirms_their_guardians_code(
    app_context, session, tree, adviser, resident, sms
):
    made = ask(session, resident, tree, shanghai(2026, 12, 1), is_minor=True,
               guardian_phone=GUARDIAN)  # fmt: skip
    other = factories.user(session, name="别人")
    with pytest.raises(NotFound):
        asking.confirm_guardian(session, other, made, sms.code(GUARDIAN), settings=SETTINGS,
                                secret=SECRET, now=shanghai(2026, 12, 1))  # fmt: skip


def test_with_no_adviser_anywhere_the_question_waits_without_one_and_nobody_is_texted(
    app_context, session, tree, resident, sms
):
    made = ask(session, resident, tree, shanghai(2026, 12, 1))
    assert made.state is ConsultationState.WAITING and made.adviser_id is None
    assert made.due_at == end_of(2026, 12, 3)
    # No adviser to remind: the sweep looks at the deadline itself.
    assert made.sweep_at == made.due_at
    assert sms.recent() == []


def test_documents_sent_with_the_form_are_kept_by_the_consultation(
    app, app_context, session, tree, adviser, resident
):
    from portal.uploads.web import store

    sent = factories.upload(session, store(app), purpose=asking.DOCUMENT_PURPOSE)
    elsewhere = factories.upload(session, store(app), purpose="appeals.report")
    made = ask(session, resident, tree, shanghai(2026, 12, 1), documents=[sent, elsewhere])
    assert [each.name for each in asking.documents(session, made)] == [sent.name]
    assert asking.find_document(session, made, elsewhere.name) is None


def test_the_same_question_sent_twice_in_a_moment_is_one_consultation(
    app_context, session, tree, adviser, resident, sms
):
    first = ask(session, resident, tree, shanghai(2026, 12, 1, 10, 0))
    again = ask(session, resident, tree, shanghai(2026, 12, 1, 10, 1))
    assert again is first and len(sms.recent(adviser.phone)) == 1
    # Asked again later, or another question, it is a new one.
    later = ask(session, resident, tree, shanghai(2026, 12, 1, 11, 0))
    other = ask(session, resident, tree, shanghai(2026, 12, 1, 11, 1), body="另一个问题")
    assert len({first.id, later.id, other.id}) == 3
