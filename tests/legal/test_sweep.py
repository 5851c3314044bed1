"""The sweep: the adviser is texted a day before an answer is due, the supervisors once it
has passed (in working days, across a weekend, 国庆 and its make-up Saturday); answered
consultations close 7 days after the last answer; a guardian who never confirms closes it;
one nobody could take is given again, and the supervisors are told once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.legal import answering, clocks
from portal.legal.models import ClosedBecause, Consultation, ConsultationState
from portal.legal.sweep import sweep
from tests import factories
from tests.legal import helpers
from tests.legal.helpers import SETTINGS

pytestmark = pytest.mark.usefixtures("app_context")
SECOND = timedelta(seconds=1)


def shanghai(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC) - timedelta(hours=8)


def end_of(year: int, month: int, day: int) -> datetime:
    """The last moment of a day in Shanghai, in UTC."""
    return shanghai(year, month, day, 0) + timedelta(days=1) - timedelta(microseconds=1)


def _kinds(sms, phone):
    return [message.kind for message in sms.recent(phone)]


def test_across_a_weekend_reminder_a_day_before_then_escalation_at_the_deadline(session, sms):
    world = helpers.world(session)
    # Asked on Friday 27 November 2026: two working days are Monday and Tuesday.
    made = helpers.consultation(session, world.tree.community, now=shanghai(2026, 11, 27))
    assert made.due_at == end_of(2026, 12, 1)
    # The reminder: on the morning of the day before.
    assert made.sweep_at == clocks.remind_at(made.due_at) == shanghai(2026, 11, 30, 9)

    sweep(session, SETTINGS, made.sweep_at - SECOND)
    assert made.reminded_at is None
    sweep(session, SETTINGS, made.sweep_at)
    assert made.reminded_at == shanghai(2026, 11, 30, 9)
    assert _kinds(sms, world.adviser.phone)[0] == "legal_due_soon"
    assert made.sweep_at == made.due_at

    sweep(session, SETTINGS, made.due_at - SECOND)
    assert made.escalated_at is None and not sms.recent(world.supervisor.phone)
    sweep(session, SETTINGS, made.due_at)
    assert made.escalated_at == made.due_at
    assert _kinds(sms, world.supervisor.phone) == ["legal_overdue"]
    # The deadline is midnight: the supervisors' text waits for the morning.
    assert sms.recent(world.supervisor.phone)[0].next_attempt_at == shanghai(2026, 12, 2, 8)
    # Only the district's supervisors: not one of another district.
    assert not sms.recent(world.elsewhere.phone)
    assert made.sweep_at is None
    sweep(session, SETTINGS, made.due_at + timedelta(days=3))
    assert _kinds(sms, world.supervisor.phone) == ["legal_overdue"]
    assert _kinds(sms, world.adviser.phone).count("legal_due_soon") == 1


def test_a_deadline_already_passed_tells_the_supervisors_and_reminds_nobody(session, sms):
    world = helpers.world(session)
    made = helpers.consultation(session, world.tree.community, now=shanghai(2026, 11, 27))
    # The worker was stopped over the deadline: the reminder has nothing left to say.
    sweep(session, SETTINGS, made.due_at + timedelta(hours=2))
    assert made.escalated_at is not None and made.reminded_at is None
    assert "legal_due_soon" not in _kinds(sms, world.adviser.phone)
    assert _kinds(sms, world.supervisor.phone) == ["legal_overdue"]
    assert made.sweep_at is None


def test_across_national_day_and_its_make_up_saturday(session, sms):
    world = helpers.world(session)
    # Asked on Wednesday 30 September 2026: 1–7 October are holidays; the answer is due at
    # the end of Friday 9 October, the second working day.
    made = helpers.consultation(session, world.tree.community, now=shanghai(2026, 9, 30))
    assert made.due_at == end_of(2026, 10, 9)
    sweep(session, SETTINGS, end_of(2026, 10, 7))
    assert made.reminded_at is None and made.escalated_at is None
    sweep(session, SETTINGS, end_of(2026, 10, 8))
    assert made.reminded_at is not None and made.escalated_at is None
    sweep(session, SETTINGS, end_of(2026, 10, 9))
    assert made.escalated_at == end_of(2026, 10, 9)

    # Answered on Friday 9 October, followed up at once: the follow-up's one working day is
    # the make-up Saturday, 10 October.
    answering.clear(session, world.adviser, made, now=shanghai(2026, 10, 9, 12))
    answering.answer(session, world.adviser, made, "答复", [], settings=SETTINGS,
                     now=shanghai(2026, 10, 9, 12))  # fmt: skip
    helpers.follow_up(session, made, now=shanghai(2026, 10, 9, 15))
    assert made.due_at == end_of(2026, 10, 10)
    assert made.sweep_at == shanghai(2026, 10, 9, 9)


def test_answered_ones_close_seven_days_after_the_last_answer(session):
    world = helpers.world(session)
    made = helpers.consultation(session, world.tree.community)
    answered_at = helpers.TUESDAY_10AM + timedelta(hours=2)
    answering.clear(session, world.adviser, made, now=answered_at)
    answering.answer(session, world.adviser, made, "答复", [], settings=SETTINGS,
                     now=answered_at)  # fmt: skip
    sweep(session, SETTINGS, answered_at + timedelta(days=7) - SECOND)
    assert made.state is ConsultationState.ANSWERED
    sweep(session, SETTINGS, answered_at + timedelta(days=7))
    assert made.state is ConsultationState.CLOSED
    assert made.closed_because is ClosedBecause.LAPSED
    assert made.closed_at == answered_at + timedelta(days=7)
    assert made.sweep_at is None


def test_a_guardian_who_never_confirms_closes_it_after_a_day(session):
    world = helpers.world(session)
    resident = factories.user(session)
    asked = helpers.TUESDAY_10AM
    minor = Consultation(
        reference=helpers.reference(), user_id=resident.id, community_id=world.tree.community.id,
        topic_id=helpers.topic(session).id, state=ConsultationState.AWAITING_GUARDIAN,
        consented_at=asked, created_at=asked, is_minor=True, guardian_phone="13900000000",
    )  # fmt: skip
    session.add(minor)
    session.flush()
    sweep(session, SETTINGS, asked + timedelta(hours=23))
    assert minor.state is ConsultationState.AWAITING_GUARDIAN
    sweep(session, SETTINGS, asked + timedelta(days=1))
    assert minor.state is ConsultationState.CLOSED
    assert minor.closed_because is ClosedBecause.UNCONFIRMED


def test_nobody_to_take_it_tells_the_supervisors_once_and_tries_again(session, sms):
    tree = factories.tree(session)
    supervisor = factories.user(session, helpers.Role.LEGAL_SUPERVISOR, tree.district)
    made = helpers.consultation(session, tree.community)
    assert made.adviser_id is None
    sweep(session, SETTINGS, helpers.TUESDAY_10AM)
    sweep(session, SETTINGS, helpers.TUESDAY_10AM + timedelta(minutes=1))
    assert _kinds(sms, supervisor.phone) == ["legal_unassigned"]
    adviser = factories.user(session, helpers.Role.LEGAL_ADVISER, tree.street)
    sweep(session, SETTINGS, helpers.TUESDAY_10AM + timedelta(minutes=2))
    assert made.adviser_id == adviser.id
    assert _kinds(sms, adviser.phone) == ["legal_consultation_new"]
    assert made.sweep_at == clocks.remind_at(made.due_at)


def test_an_adviser_who_left_hands_it_to_the_next_at_the_reminder(session, sms):
    world = helpers.world(session)
    made = helpers.consultation(session, world.tree.community, now=shanghai(2026, 11, 27))
    assert made.adviser_id == world.adviser.id
    # Their account is closed before the reminder: the next adviser takes it, same deadline.
    world.adviser.disabled_at = shanghai(2026, 11, 28)
    due = made.due_at
    sweep(session, SETTINGS, made.sweep_at)
    assert made.adviser_id == world.second.id and made.due_at == due
    assert _kinds(sms, world.second.phone)[-1] == "legal_consultation_new"
    assert "legal_due_soon" in _kinds(sms, world.second.phone)
    assert "legal_due_soon" not in _kinds(sms, world.adviser.phone)
