"""Day-before reminders of volunteer activities, as the worker's sweep writes them: once per
seated volunteer, in their language, none for the waiting, the cancelled or a cancelled
activity, and again for a new time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.notifications.models import SmsMessage
from portal.permissions import Role
from portal.volunteering import activities as services
from portal.volunteering import activity_reminders
from portal.volunteering.models import SignUpState
from tests import factories

pytestmark = pytest.mark.usefixtures("app_context")

NOW = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)  # Monday 08:00 in Shanghai
START = datetime(2026, 12, 8, 6, 0, tzinfo=UTC)  # Tuesday 14:00
DAY_BEFORE = START - timedelta(hours=24)


@pytest.fixture
def tree(session):
    return factories.tree(session)


@pytest.fixture
def coordinator(session, tree):
    return factories.user(session, Role.COORDINATOR, tree.community)


@pytest.fixture
def activity(session, tree):
    return factories.activity(session, tree.community, starts_at=START, seats=2, title="助老送餐")


def signed_up(session, tree, activity, count):
    people = [factories.volunteer(session, tree.community) for _ in range(count)]
    made = [services.sign_up(session, p.user, activity, now=NOW) for p in people]
    return people, made


def reminders(session) -> list[SmsMessage]:
    return list(
        session.scalars(
            select(SmsMessage)
            .where(SmsMessage.kind == "volunteer_activity_reminder")
            .order_by(SmsMessage.id)
        )
    )


def test_each_seated_volunteer_is_reminded_once_the_day_before(session, tree, activity):
    people, made = signed_up(session, tree, activity, 3)
    assert activity_reminders.sweep(session, DAY_BEFORE - timedelta(minutes=5)) == 0
    assert activity_reminders.sweep(session, DAY_BEFORE) == 2
    assert activity_reminders.sweep(session, DAY_BEFORE + timedelta(hours=1)) == 0
    sent = reminders(session)
    assert [m.phone for m in sent] == [people[0].user.phone, people[1].user.phone]
    assert made[0].reminded_at == DAY_BEFORE and made[2].reminded_at is None
    assert all(m.expires_at == START for m in sent)
    assert "助老送餐" in sent[0].body and "社区服务中心" in sent[0].body
    assert sent[0].body.startswith("志愿活动提醒"), "in Chinese unless the volunteer chose"


def test_the_reminder_is_in_the_volunteer_s_language(session, tree, activity):
    people, _ = signed_up(session, tree, activity, 1)
    people[0].user.locale = "en"
    activity_reminders.sweep(session, DAY_BEFORE)
    [sent] = reminders(session)
    assert sent.body.startswith("Volunteer reminder") and "14:00" in sent.body


def test_no_reminder_for_a_cancelled_activity_or_a_cancelled_sign_up(
    session, tree, activity, coordinator
):
    people, made = signed_up(session, tree, activity, 2)
    services.cancel_sign_up(session, people[0].user, made[0], now=NOW)
    assert made[0].state is SignUpState.CANCELLED
    assert activity_reminders.sweep(session, DAY_BEFORE) == 1
    other = factories.activity(session, tree.community, starts_at=START, seats=2)
    signed_up(session, tree, other, 1)
    services.cancel(session, coordinator, other, reason="暴雨", now=NOW)
    assert activity_reminders.sweep(session, DAY_BEFORE + timedelta(minutes=5)) == 0
    assert [m.phone for m in reminders(session)] == [people[1].user.phone]


def test_a_moved_activity_is_reminded_again_of_its_new_time(session, tree, activity, coordinator):
    _, made = signed_up(session, tree, activity, 1)
    activity_reminders.sweep(session, DAY_BEFORE)
    later = START + timedelta(days=1)
    services.edit(session, coordinator, activity, starts_at=later,
                  ends_at=later + timedelta(hours=2), location=activity.location, seats=2,
                  now=DAY_BEFORE + timedelta(hours=1))  # fmt: skip
    assert made[0].reminded_at is None
    assert activity_reminders.sweep(session, DAY_BEFORE + timedelta(hours=2)) == 0
    assert activity_reminders.sweep(session, later - timedelta(hours=24)) == 1
    keys = [m.idempotency_key for m in reminders(session)]
    assert len(keys) == len(set(keys)) == 2


def test_no_reminder_once_the_activity_has_started(session, tree, activity):
    signed_up(session, tree, activity, 1)
    assert activity_reminders.sweep(session, START) == 0


def test_no_reminder_for_a_volunteer_seated_after_the_reminder_s_hour(session, tree, activity):
    # One signs up two days ahead; another on the morning of the activity, when the page that
    # seated them had just given the time: a "tomorrow" text minutes later would only confuse.
    early = factories.volunteer(session, tree.community)
    late = factories.volunteer(session, tree.community)
    services.sign_up(session, early.user, activity, now=NOW)
    morning = START - timedelta(hours=5)
    seated = services.sign_up(session, late.user, activity, now=morning)
    assert activity_reminders.sweep(session, morning + timedelta(minutes=5)) == 1
    assert [m.phone for m in reminders(session)] == [early.user.phone]
    assert seated.reminded_at is not None, "never picked up again by a later sweep"
    assert activity_reminders.sweep(session, morning + timedelta(hours=1)) == 0
