"""The clocks of an archive query, in working days of the district's calendar (issue 7's
working-day calendar), each due at the end of its day, Shanghai time:

- review: accepted, sent back for more documents, or refused by the end of the
  `review_days`-th working day after it arrives;
- answer: once accepted, answered by the end of the `answer_days`-th;
- assist (协办): the archive asked to help answers by the end of the `assist_days`-th, and
  the receiving archive then has `after_assist_days` more, counted from that deadline when it
  passes the request on and from the answer once it comes;
- while the resident is asked for more documents the running clock stands still: it keeps the
  working days it had left and runs them again from the day the documents arrive.

Pure rules over the calendar: no rows are changed here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from portal.archives.settings import ArchiveSettings
from portal.workdays.services import due_after_working_days, local_date, working_days_between


def review_due(session: Session, settings: ArchiveSettings, arrived_at: datetime) -> datetime:
    """When a request that arrived at `arrived_at` must be accepted, sent back or refused."""
    return due_after_working_days(session, arrived_at, settings.review_days)


def answer_due(session: Session, settings: ArchiveSettings, accepted_at: datetime) -> datetime:
    """When a request accepted at `accepted_at` must be answered."""
    return due_after_working_days(session, accepted_at, settings.answer_days)


def assist_due(session: Session, settings: ArchiveSettings, asked_at: datetime) -> datetime:
    """When an archive asked to help at `asked_at` must answer back."""
    return due_after_working_days(session, asked_at, settings.assist_days)


def answer_due_after_assist(
    session: Session, settings: ArchiveSettings, current_due: datetime, assist_due_at: datetime
) -> datetime:
    """The receiving archive's deadline once it asked another to help: its own, or, when
    later, `after_assist_days` working days after the assisting archive's."""
    after = due_after_working_days(session, assist_due_at, settings.after_assist_days)
    return max(current_due, after)


def due_after_assist_answered(
    session: Session, settings: ArchiveSettings, answered_at: datetime
) -> datetime:
    """The receiving archive's deadline once the archive it asked has answered: the end of the
    `after_assist_days`-th working day after the answer, early or late."""
    return due_after_working_days(session, answered_at, settings.after_assist_days)


def days_left(session: Session, due_at: datetime, stopped_at: datetime) -> int:
    """The working days a clock due at `due_at` has left when it stops at `stopped_at`: those
    after the day it stops, up to its due day (0 once that day has come)."""
    return working_days_between(session, local_date(stopped_at), local_date(due_at))


def resumed_due(session: Session, days: int, resumed_at: datetime) -> datetime:
    """The deadline of a clock that stood still with `days` working days left, once it runs
    again at `resumed_at`: it never has less than one working day, so that documents sent on
    the day a request was due still leave the archivist a day to read them."""
    return due_after_working_days(session, resumed_at, max(days, 1))
