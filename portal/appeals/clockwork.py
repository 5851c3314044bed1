"""The clock sweep: what the worker does when a deadline of an appeal passes, and the clean-up
of what residents left unfinished (an unconfirmed appeal expires after a day and is deleted
30 days later).

Every appeal carries `sweep_at`, the moment its running deadline passes; the sweep reads only
rows whose moment has come (one index), acts, and either the action sets a new deadline or
`sweep_at` is cleared, so no row is read twice for the same deadline.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.appeals.models import (
    Appeal,
    AppealEvent,
    AppealState,
    EventKind,
    Summons,
)
from portal.appeals.services import (
    LEVEL_OF_KIND,
    MAX_ESCALATIONS,
    add_event,
    alert_queue,
    finish,
    handlers_of,
    photo_owner,
    set_due,
    supervisor_place,
)
from portal.appeals.settings import AppealSettings
from portal.appeals.states import Action, allowed
from portal.i18n import CHINESE, name_in
from portal.notifications.services import queue_sms
from portal.units.services import members
from portal.uploads import services as uploads

# How long an appeal nobody confirmed is kept (its phone number is personal data that
# nobody needs once the code was never typed).
KEEP_EXPIRED = timedelta(days=30)


def sweep(
    session: Session, now: datetime, *, settings: AppealSettings, batch: int = 200
) -> dict[str, int]:
    """Act on every deadline that has passed (the worker runs this every 30 seconds).

    Rows are read oldest deadline first through the sweep_at index, in one batch, locked;
    a row another worker holds is skipped and taken on the next run.
    """
    done: Counter[str] = Counter()
    due = (
        select(Appeal)
        .where(Appeal.sweep_at <= now)
        .order_by(Appeal.sweep_at)
        .limit(batch)
        .with_for_update(skip_locked=True, of=Appeal)
    )
    for appeal in list(session.scalars(due)):
        done[_act_on_deadline(session, appeal, now, settings)] += 1
    done["summonses"] = _overdue_summonses(session, now, batch)
    session.flush()
    kinds = ("expired", "escalated", "overdue", "closed", "callbacks", "summonses", "purged")
    return {kind: done[kind] for kind in kinds}


def _act_on_deadline(
    session: Session, appeal: Appeal, now: datetime, settings: AppealSettings
) -> str:
    state = appeal.state
    told = appeal.overdue_alerted_at
    if told is not None and appeal.due_at is not None and told >= appeal.due_at:
        # This deadline was reported already (a contact recorded or a restore after the
        # alert set it again): nothing more to do for it.
        appeal.sweep_at = None
        return "nothing"
    if allowed(Action.EXPIRE, state):
        finish(appeal, AppealState.EXPIRED, now, closed=False)
        appeal.sweep_at = now + KEEP_EXPIRED
        add_event(session, appeal, EventKind.EXPIRED, actor=None, now=now)
        return "expired"
    if state == AppealState.EXPIRED:
        # Its photos, let go, go with the upload store's hourly purge of unattached files.
        uploads.release(session, photo_owner(appeal))
        session.execute(delete(AppealEvent).where(AppealEvent.appeal_id == appeal.id))
        session.delete(appeal)
        return "purged"
    if allowed(Action.ESCALATE, state):
        return "escalated" if _escalate(session, appeal, now, settings) else "top"
    if allowed(Action.ALERT_OVERDUE, state):
        _alert_overdue(session, appeal, now)
        return "overdue"
    if allowed(Action.CLOSE_UNREVIEWED, state):
        finish(appeal, AppealState.CLOSED, now)
        add_event(
            session, appeal, EventKind.CLOSED, actor=None, now=now, details={"reviewed": False}
        )
        return "closed"
    if allowed(Action.ALERT_CALLBACK, state) and appeal.needs_callback:
        _alert_overdue(session, appeal, now)
        return "callbacks"
    appeal.sweep_at = None  # nothing runs in this state
    return "nothing"


def _escalate(session: Session, appeal: Appeal, now: datetime, settings: AppealSettings) -> bool:
    """Nobody took it in time: offer it to the next place up, and tell both. At the district,
    the top, it stays (its officers were told when it arrived) and the sweep leaves it."""
    upper = supervisor_place(appeal)
    if upper is None or appeal.escalations >= MAX_ESCALATIONS:
        appeal.sweep_at = None
        return False
    clocks = settings.clocks
    passed_over = {"unit": appeal.unit_id} if appeal.unit_id else {"from": appeal.queue_place_id}
    appeal.escalations += 1
    # Both are told: those it was offered to, and those it is offered to now.
    # The moment is in the key: after a relevel or a transfer the count starts again.
    step = f"up:{appeal.escalations}:{now.timestamp()}"
    alert_queue(session, appeal, "appeal_escalated", now=now, step=step, place=upper, clocks=clocks)
    appeal.unit = None
    appeal.queue_place = upper
    if upper.kind in LEVEL_OF_KIND:
        appeal.level = LEVEL_OF_KIND[upper.kind]
    appeal.accept_due_at = now + settings.clocks.accept
    set_due(appeal, appeal.accept_due_at)
    session.flush()
    details = {**passed_over, "to": upper.id}
    add_event(session, appeal, EventKind.ESCALATED, actor=None, now=now, details=details)
    alert_queue(session, appeal, "appeal_escalated", now=now, step=step, place=upper, clocks=clocks)
    return True


def _alert_overdue(session: Session, appeal: Appeal, now: datetime) -> None:
    """A deadline passed while handling (or while a call-back waits): the supervisor, the
    place above the queue, is told once."""
    waiting_contact = appeal.due_at == appeal.contact_due_at and appeal.first_contact_at is None
    if appeal.needs_callback:
        clock = "callback"
    elif waiting_contact and appeal.resolve_due_at > now:
        clock = "contact"
    else:
        # Contact and resolution missed at once: the resolution is the one to report.
        clock = "resolve"
    missed = appeal.due_at
    appeal.overdue_alerted_at = now
    if clock == "contact":
        # The missed contact is reported; the deadline that runs on is the resolution's.
        set_due(appeal, appeal.resolve_due_at)
    else:
        appeal.sweep_at = None
    add_event(session, appeal, EventKind.OVERDUE, actor=None, now=now, details={"clock": clock})
    for user in handlers_of(session, supervisor_place(appeal) or appeal.queue_place):
        queue_sms(
            session,
            phone=user.phone,
            kind="appeal_overdue",
            params={"tracking": appeal.tracking, "clock": clock},
            locale=user.locale or CHINESE,
            key=f"appeal:{appeal.id}:overdue:{clock}:{missed.timestamp()}:{user.id}",
            cause=f"appeals:{appeal.id}",
            now=now,
        )


def _overdue_summonses(session: Session, now: datetime, batch: int) -> int:
    """A summoned unit has not answered by its deadline: the one who summoned it and the
    unit's own members are told, once."""
    due = (
        select(Summons)
        .join(Appeal, Appeal.id == Summons.appeal_id)
        .where(
            Appeal.is_open.is_(True),
            Summons.answered_at.is_(None),
            Summons.due_at <= now,
            Summons.overdue_alerted_at.is_(None),
        )
        .order_by(Summons.due_at)
        .limit(batch)
        .with_for_update(skip_locked=True, of=Summons)
    )
    told = 0
    for summons in session.scalars(due):
        summons.overdue_alerted_at = now
        appeal = summons.appeal
        details = {"clock": "summons", "unit": summons.unit_id}
        add_event(session, appeal, EventKind.OVERDUE, actor=None, now=now, details=details)
        for user in [summons.summoned_by, *members(session, summons.unit)]:
            locale = user.locale or CHINESE
            queue_sms(
                session,
                phone=user.phone,
                kind="appeal_overdue",
                params={
                    "tracking": appeal.tracking,
                    "clock": "summons",
                    "place": name_in(summons.unit, locale),
                },
                locale=locale,
                key=f"appeal:{appeal.id}:summons:{summons.id}:overdue:{user.id}",
                cause=f"appeals:{appeal.id}",
                now=now,
            )
        told += 1
    return told
