"""Reminders of volunteer activities: each seated volunteer is texted the day before, in their
language, through the outbox.

The worker runs `sweep` every few minutes. A reminder goes once per sign-up and start time:
the sign-up's `reminded_at` says it was written and the outbox's idempotency key says so again,
so two workers never send it twice; moving the activity clears the mark (activities.edit) and
the new time has a key of its own. Cancelled activities and sign-ups are never reminded, and
neither is a volunteer seated after the reminder's hour (signing up for this afternoon, or moved
up from the waiting list): the page or the SMS that seated them gave the time minutes before.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from portal.i18n import CHINESE
from portal.notifications.services import queue_sms
from portal.volunteering.activities import sms_params
from portal.volunteering.models import Activity, ActivityState, SignUp, SignUpState, Volunteer

# How long before the start the reminder goes.
DAY_BEFORE = timedelta(hours=24)
# Sign-ups one sweep takes; the rest wait for the next.
BATCH = 200


def will_remind(sign_up: SignUp, activity: Activity) -> bool:
    """Whether the seated volunteer gets the day-before reminder: only if seated before its
    hour (a page telling them "we text you the day before" must be true)."""
    seated = sign_up.seated_at
    return seated is not None and seated <= activity.starts_at - DAY_BEFORE


def sweep(session: Session, now: datetime) -> int:
    """Write the reminders that have come due; returns how many were written."""
    due = list(
        session.scalars(
            select(SignUp)
            .join(SignUp.activity)
            .join(SignUp.volunteer)
            .join(Volunteer.user)
            .options(
                contains_eager(SignUp.activity),
                contains_eager(SignUp.volunteer).contains_eager(Volunteer.user),
            )
            .where(
                SignUp.state == SignUpState.SEATED,
                SignUp.reminded_at.is_(None),
                Activity.state == ActivityState.PUBLISHED,
                Activity.starts_at > now,
                Activity.starts_at <= now + DAY_BEFORE,
            )
            .order_by(Activity.starts_at, SignUp.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True, of=SignUp)
        )
    )
    written = 0
    for each in due:
        activity, user = each.activity, each.volunteer.user
        each.reminded_at = now
        if not will_remind(each, activity):
            continue
        written += 1
        queue_sms(
            session,
            phone=user.phone,
            kind="volunteer_activity_reminder",
            params=sms_params(activity),
            locale=user.locale or CHINESE,
            key=f"volunteering:remind:{each.id}:{int(activity.starts_at.timestamp())}",
            cause=f"volunteering:activity:{activity.id}",
            # A reminder not delivered before the activity starts is of no use.
            expires_at=activity.starts_at,
            now=now,
        )
    session.flush()
    return written
