"""Reminders of meetings, as the worker's sweep writes them without HTTP: the day before and an
hour before, once each, in the resident's language; none for a cancelled meeting or the old
time of a moved one; only the nearest still of use for a meeting booked late."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.meetings import booking as engine
from portal.meetings import reminders
from portal.meetings.models import BookingEvent, BookingEventKind, Venue
from portal.meetings.secretary import MeetingSettings
from portal.notifications.models import SmsMessage
from tests.meetings.conftest import MONDAY_8AM, schedule_for, shanghai

pytestmark = pytest.mark.usefixtures("app_context")

SETTINGS = MeetingSettings(base_url="https://portal.example")
RESIDENT = engine.Booker(phone="13800138000", name="李阿姨", locale="zh_Hans_CN")
CENTRE = "光明社区党群服务中心"
# Wednesday 9 December, 10:00: reminded on Tuesday at 10:00 and on Wednesday at 09:00.
WEDNESDAY_10AM = shanghai(9, 10)


@pytest.fixture(autouse=True)
def centre(session, tree):
    tree.community.service_centre_zh = CENTRE
    tree.community.service_centre_en = "Guangming Community Service Centre"
    session.flush()


def book(session, schedule, start, now=MONDAY_8AM, booker=RESIDENT):
    return engine.book(session, booker, schedule.id, start, about="想谈谈小区停车的事", now=now)


def sweep(session, now) -> int:
    return reminders.sweep(session, SETTINGS, now)


def texts(session, phone=RESIDENT.phone) -> list[SmsMessage]:
    return list(
        session.scalars(
            select(SmsMessage)
            .where(SmsMessage.phone == phone, SmsMessage.kind.like("meeting_remind%"))
            .order_by(SmsMessage.id)
        )
    )


def reminded(session, made) -> list[dict]:
    events = session.scalars(
        select(BookingEvent).where(
            BookingEvent.booking_id == made.id, BookingEvent.kind == BookingEventKind.REMINDED
        )
    )
    return [event.details for event in events]


def test_the_day_before_and_the_hour_before_each_once(session, schedule):
    made = book(session, schedule, WEDNESDAY_10AM)
    assert sweep(session, shanghai(8, 9, 59)) == 0
    assert sweep(session, shanghai(8, 10)) == 1
    [day_before] = texts(session)
    assert day_before.kind == "meeting_remind_day_before"
    assert "12月9日周三 10:00" in day_before.body and CENTRE in day_before.body
    assert f"https://portal.example/m/{made.reference}" in day_before.body
    assert day_before.expires_at == WEDNESDAY_10AM, "of no use once the meeting has started"
    assert made.reminded_day_before_at == shanghai(8, 10) and made.reminded_hour_before_at is None
    assert sweep(session, shanghai(8, 10, 1)) == 0
    assert sweep(session, shanghai(9, 8, 59)) == 0
    assert sweep(session, shanghai(9, 9)) == 1
    assert sweep(session, shanghai(9, 9, 30)) == 0
    assert sweep(session, shanghai(9, 10, 30)) == 0, "the meeting has started"
    assert [m.kind for m in texts(session)] == [
        "meeting_remind_day_before",
        "meeting_remind_hour_before",
    ]
    assert [d["reminder"] for d in reminded(session, made)] == ["day_before", "hour_before"]
    assert made.reminded_hour_before_at == shanghai(9, 9)


def test_the_reminder_is_in_the_resident_s_language_and_a_phone_meeting_says_we_call(
    session, tree, secretary
):
    phoned = schedule_for(session, secretary, tree.community, venue=Venue.PHONE)
    english = engine.Booker(phone="13900139000", locale="en")
    book(session, phoned, WEDNESDAY_10AM, booker=english)
    sweep(session, shanghai(8, 10))
    [text] = texts(session, english.phone)
    assert "Meeting reminder: Wed 9 Dec 10:00, we will call you." in text.body
    assert CENTRE not in text.body and "Service Centre" not in text.body


def test_no_reminder_for_a_cancelled_meeting(session, schedule):
    made = book(session, schedule, WEDNESDAY_10AM)
    engine.cancel(session, made, booker=RESIDENT, now=MONDAY_8AM + timedelta(hours=1))
    for moment in (shanghai(8, 10), shanghai(9, 9), shanghai(9, 9, 45)):
        assert sweep(session, moment) == 0
    assert texts(session) == [] and reminded(session, made) == []


def test_a_moved_meeting_is_reminded_of_its_new_time_only(session, schedule, secretary):
    made = book(session, schedule, WEDNESDAY_10AM)
    assert sweep(session, shanghai(8, 10)) == 1, "the day before the first time"
    thursday = shanghai(10, 14)
    engine.move(session, made, thursday, actor=secretary, now=shanghai(8, 11))
    assert made.reminded_day_before_at is None, "the move clears the marks"
    for old_moment in (shanghai(9, 9), shanghai(9, 9, 30)):
        assert sweep(session, old_moment) == 0, "nothing for the old time"
    assert sweep(session, shanghai(9, 14)) == 1
    assert sweep(session, shanghai(10, 13)) == 1
    sent = texts(session)
    assert [m.kind for m in sent] == [
        "meeting_remind_day_before",
        "meeting_remind_day_before",
        "meeting_remind_hour_before",
    ]
    assert "12月9日周三 10:00" in sent[0].body
    assert all("12月10日周四 14:00" in m.body for m in sent[1:])
    assert len({m.idempotency_key for m in sent}) == 3, "a key per reminder and start time"


def test_a_meeting_booked_40_minutes_ahead_gets_the_hour_before_reminder_only(session, schedule):
    made = book(session, schedule, shanghai(7, 10), now=shanghai(7, 9, 20))
    assert sweep(session, shanghai(7, 9, 21)) == 1
    assert sweep(session, shanghai(7, 9, 22)) == 0
    [text] = texts(session)
    assert text.kind == "meeting_remind_hour_before"
    assert made.reminded_day_before_at is None


def test_a_meeting_booked_after_the_day_before_moment_is_not_reminded_of_it(session, schedule):
    """The booked SMS has just said when: a day-before reminder a minute later says nothing."""
    three_hours = book(session, schedule, shanghai(7, 14), now=shanghai(7, 11))
    next_day = book(session, schedule, shanghai(8, 10), now=shanghai(7, 11),
                    booker=engine.Booker(phone="13900139000"))  # fmt: skip
    assert sweep(session, shanghai(7, 11, 1)) == 0
    assert sweep(session, shanghai(7, 13)) == 1
    assert [m.kind for m in texts(session)] == ["meeting_remind_hour_before"]
    assert three_hours.reminded_hour_before_at == shanghai(7, 13)
    assert next_day.reminded_day_before_at is None


def test_a_day_before_reminder_long_overdue_is_left_for_the_hour_before(session, schedule):
    """A worker stopped for hours: a day-before reminder a little late still goes; one
    later than LATE_AT_MOST does not, and the hour-before one goes at its time."""
    late = book(session, schedule, WEDNESDAY_10AM)
    later = book(session, schedule, shanghai(9, 14), booker=engine.Booker(phone="13900139000"))
    assert sweep(session, shanghai(8, 11, 30)) == 1, "10:00 passed 90 minutes ago: still of use"
    assert late.reminded_day_before_at == shanghai(8, 11, 30)
    assert sweep(session, shanghai(8, 16, 30)) == 0, "14:00 passed two and a half hours ago"
    assert later.reminded_day_before_at is None
    assert sweep(session, shanghai(9, 13)) == 1
    assert later.reminded_hour_before_at == shanghai(9, 13)


def test_someone_who_walked_in_is_not_reminded(session, schedule, secretary):
    engine.book(session, RESIDENT, schedule.id, shanghai(7, 12), now=shanghai(7, 11, 50),
                actor=secretary, walk_in=True)  # fmt: skip
    assert sweep(session, shanghai(7, 11, 51)) == 0


def test_the_worker_runs_the_reminders_every_minute(app):
    job = app.extensions["portal.jobs"]["meetings.remind"]
    assert job.every == timedelta(minutes=1)


def test_the_reminder_moments_come_from_the_configuration():
    settings = MeetingSettings.from_config(
        {
            "BASE_URL": "https://portal.example/",
            "MEETING_REMIND_DAY_BEFORE_HOURS": 48,
            "MEETING_REMIND_HOUR_BEFORE_MINUTES": 90,
        }
    )
    assert settings.remind_day_before == timedelta(hours=48)
    assert settings.remind_hour_before == timedelta(minutes=90)
    with pytest.raises(ValueError, match="MEETING_REMIND"):
        MeetingSettings.from_config(
            {"BASE_URL": "x", "MEETING_REMIND_DAY_BEFORE_HOURS": 1,
             "MEETING_REMIND_HOUR_BEFORE_MINUTES": 60}
        )  # fmt: skip


def test_other_settings_move_the_moments(session, schedule):
    made = book(session, schedule, WEDNESDAY_10AM)
    two_days = MeetingSettings(
        base_url="https://portal.example", remind_day_before=timedelta(hours=48)
    )
    assert reminders.sweep(session, two_days, shanghai(7, 10)) == 1
    assert made.reminded_day_before_at == shanghai(7, 10)
