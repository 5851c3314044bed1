"""The end of the loop: the resident's rating (the first 不满意 reopens the appeal one level up,
the second asks the street office to call back), the call-back, and staff revealing the
resident's number for a call.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.appeals.events import AppealRated
from portal.appeals.models import (
    Appeal,
    AppealEvent,
    AppealRating,
    AppealState,
    EventKind,
    Rating,
)
from portal.appeals.services.access import can_view, lock, require_act, require_state
from portal.appeals.services.deadlines import finish, set_due, start_clocks
from portal.appeals.services.intake import check_reason
from portal.appeals.services.routing import alert_queue, dispatch_to, place_for_level, queue_in
from portal.appeals.services.timeline import add_event, audit_step
from portal.appeals.settings import AppealSettings
from portal.appeals.states import Action
from portal.catalogue.models import Level
from portal.errors import Forbidden, Invalid
from portal.events import publish
from portal.permissions import require_staff


def review(
    session: Session,
    appeal: Appeal,
    rating: str,
    comment: str,
    *,
    now: datetime,
    settings: AppealSettings,
) -> None:
    """满意 or 基本满意 completes the loop. The first 不满意 reopens it one level up; the
    second sends it to the street office, who call the resident back."""
    lock(session, appeal)
    require_state(appeal, Action.REVIEW)
    try:
        rating = Rating(rating)
    except ValueError:
        raise Invalid(_l("Choose how satisfied you are."), field="rating") from None
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise Invalid(_l("Keep the comment within 500 characters."), field="comment")
    given = AppealRating(appeal_id=appeal.id, rating=rating, comment=comment, rated_at=now)
    session.add(given)
    session.flush()
    appeal.rating = rating
    appeal.reviewed_at = now
    # The timeline step points to the rating, whose comment only staff read there.
    rated = {"rating": rating.value, "rating_id": given.id}
    if rating != Rating.DISSATISFIED:
        finish(appeal, AppealState.REVIEWED, now)
        add_event(session, appeal, EventKind.REVIEWED, actor=None, now=now, details=rated)
    elif appeal.reopen_count == 0:
        add_event(session, appeal, EventKind.REVIEWED, actor=None, now=now, details=rated)
        _reopen(session, appeal, now, settings)
    else:
        finish(appeal, AppealState.REVIEWED, now, closed=False)
        add_event(session, appeal, EventKind.REVIEWED, actor=None, now=now, details=rated)
        appeal.needs_callback = True
        appeal.handler_id = None
        appeal.is_open = True
        set_due(appeal, now + settings.clocks.callback)
        # The street office itself calls back, whichever unit handled it.
        queue_in(session, appeal, place_for_level(appeal.building, Level.STREET))
        alert_queue(
            session, appeal, "appeal_callback", now=now, step="callback", clocks=settings.clocks
        )
    publish(session, AppealRated(appeal, rating, now))


SET_ASIDE = (AppealState.MERGED, AppealState.HIDDEN)


def phone_proven(session: Session, appeal: Appeal) -> bool:
    """Whether the appeal's phone was proven when it entered the loop: filed by a resident
    signed in with it verified, or confirmed by the SMS code sent to it. Only one a grid
    worker filed for a resident on their word (代办 with consent, no code) was not."""
    if appeal.user_id is not None or appeal.filed_by_id is None:
        # A report with no one filing it for the resident enters the loop only by its code.
        return appeal.received_at is not None
    submitted = session.scalar(
        select(AppealEvent.details)
        .where(AppealEvent.appeal_id == appeal.id, AppealEvent.kind == EventKind.SUBMITTED)
        .order_by(AppealEvent.at, AppealEvent.id)
        .limit(1)
    )
    return appeal.received_at is not None and not (submitted or {}).get("consent", False)


def ever_set_aside(session: Session, appeal: Appeal) -> bool:
    """Whether staff ever set the appeal aside as spam (restored or not), or merged it."""
    if appeal.merged_into_id is not None or appeal.state in SET_ASIDE:
        return True
    hidden = session.scalar(
        select(AppealEvent.id)
        .where(AppealEvent.appeal_id == appeal.id, AppealEvent.kind == EventKind.HIDDEN)
        .limit(1)
    )
    return hidden is not None


def ratings(session: Session, appeal: Appeal) -> list[AppealRating]:
    """Every rating the resident gave the appeal, with its comment, oldest first."""
    return list(
        session.scalars(
            select(AppealRating)
            .where(AppealRating.appeal_id == appeal.id)
            .order_by(AppealRating.rated_at, AppealRating.id)
        )
    )


def _reopen(session: Session, appeal: Appeal, now: datetime, settings: AppealSettings) -> None:
    # The first rating (kept in appeal_ratings) and note stay in the timeline; the appeal
    # waits for new ones.
    appeal.rating = None
    appeal.resolution_note = ""
    appeal.reopen_count += 1
    appeal.state = AppealState.REOPENED
    appeal.resolved_at = None
    appeal.accepted_at = None
    start_clocks(appeal, now, settings.clocks)
    dispatch_to(session, appeal, min(appeal.level + 1, Level.STREET))
    add_event(session, appeal, EventKind.REOPENED, actor=None, now=now)
    alert_queue(
        session,
        appeal,
        "appeal_reopened",
        now=now,
        step="reopened",
        clocks=settings.clocks,
        level=appeal.level,
    )


def call_back(session: Session, actor: User, appeal: Appeal, note: str, *, now: datetime) -> None:
    """The street office called the resident back after a second 不满意; the appeal closes."""
    require_act(actor, appeal, Action.CALL_BACK)
    if not appeal.needs_callback:
        raise Invalid(_l("This report does not wait for a call-back."))
    note = check_reason(note)
    appeal.needs_callback = False
    appeal.state = AppealState.CLOSED
    appeal.closed_at = now
    appeal.is_open = False
    set_due(appeal, None)
    add_event(session, appeal, EventKind.CALLED_BACK, actor=actor, now=now, note=note)
    audit_step(session, "appeals.call_back", actor, appeal, now)


def reveal_phone(session: Session, actor: User, appeal: Appeal, *, now: datetime) -> str:
    """The resident's full number, for a call; every look is in the audit log."""
    require_staff(actor)
    if not can_view(actor, appeal):
        raise Forbidden(_l("This report is outside your area."), appeal=appeal.id)
    audit_step(session, "appeals.reveal_phone", actor, appeal, now)
    return appeal.phone
