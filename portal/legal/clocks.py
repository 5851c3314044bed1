"""The deadlines of a consultation, in working days of the district's calendar (issue 7's
working-day calendar): an answer is due at the end of the Nth working day after the question,
Shanghai time; the adviser is reminded on the morning of the day before, and the supervisors
are told once it has passed, their text held until the morning when that is at night. Pure
rules over the calendar: no rows are changed here.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy.orm import Session

from portal.i18n import SHANGHAI
from portal.legal.models import Consultation, ConsultationState
from portal.legal.settings import LegalSettings
from portal.workdays.services import due_after_working_days

# A deadline is the last moment of its day: the reminder goes at this hour of the day before,
# and texts to staff wait for the morning rather than wake them.
REMINDER_HOUR = time(9, 0)
DAY_STARTS, NIGHT_STARTS = time(8, 0), time(21, 0)


def answer_due(
    session: Session, settings: LegalSettings, asked_at: datetime, *, follow_up: bool
) -> datetime:
    """When the answer to a question asked at `asked_at` is due: the first question's at the
    end of the `first_answer_days`-th working day after it, a follow-up's at the end of the
    `follow_up_days`-th."""
    days = settings.follow_up_days if follow_up else settings.first_answer_days
    return due_after_working_days(session, asked_at, days)


def remind_at(due_at: datetime) -> datetime:
    """When the adviser is texted that an answer is due tomorrow: 09:00 Shanghai time on the
    day before the day it is due."""
    day_before = due_at.astimezone(SHANGHAI).date() - timedelta(days=1)
    return datetime.combine(day_before, REMINDER_HOUR, tzinfo=SHANGHAI).astimezone(UTC)


def daytime(moment: datetime) -> datetime | None:
    """When a text to staff about `moment` may go: None (at once) between 08:00 and 21:00
    Shanghai time, else the next 08:00."""
    local = moment.astimezone(SHANGHAI)
    if DAY_STARTS <= local.time() < NIGHT_STARTS:
        return None
    day = local.date() + timedelta(days=1 if local.time() >= NIGHT_STARTS else 0)
    return datetime.combine(day, DAY_STARTS, tzinfo=SHANGHAI).astimezone(UTC)


def closes_at(settings: LegalSettings, answered_at: datetime) -> datetime:
    """When an answered consultation closes by itself if the resident neither follows up nor
    rates it."""
    return answered_at + timedelta(days=settings.close_after_days)


def follow_ups_left(settings: LegalSettings, follow_ups: int) -> int:
    """How many more follow-ups the resident may ask."""
    return max(settings.most_follow_ups - follow_ups, 0)


def next_sweep(consultation: Consultation, settings: LegalSettings) -> datetime | None:
    """The next moment the worker's sweep must look at `consultation`: the reminder before its
    answer is due, then the deadline itself (to tell the supervisors), or, once answered, the
    moment it closes by itself; None when no clock is left. Whoever changes a consultation's
    state or deadline sets `sweep_at` to this."""
    if consultation.state is ConsultationState.WAITING and consultation.due_at is not None:
        reminder_due = consultation.reminded_at is None and consultation.escalated_at is None
        if reminder_due and consultation.adviser_id is not None:
            return remind_at(consultation.due_at)
        if consultation.escalated_at is None:
            return consultation.due_at
        return None
    if consultation.state is ConsultationState.ANSWERED and consultation.last_answer_at:
        return closes_at(settings, consultation.last_answer_at)
    return None
