"""Summons (吹哨): whoever handles an appeal calls a unit to act by a deadline; the unit's
officers answer, and the one who summoned it is told.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from portal.accounts.models import User
from portal.appeals.models import (
    Appeal,
    EventKind,
    Summons,
)
from portal.appeals.services.access import require_act, require_handler, units_of
from portal.appeals.services.routing import summon_units
from portal.appeals.services.timeline import add_event, audit_step
from portal.appeals.states import Action
from portal.errors import Forbidden, Invalid, NotFound
from portal.i18n import CHINESE, name_in
from portal.notifications.services import queue_sms
from portal.permissions import Actor, require_staff
from portal.units.services import members

# A unit is given between an hour and a month to answer a summons.
SUMMONS_HOURS = (1, 24 * 30)


def summon(
    session: Session,
    actor: User,
    appeal: Appeal,
    unit_id: Any,
    hours: Any,
    note: str,
    *,
    now: datetime,
) -> Summons:
    """Whoever handles the appeal calls a unit to act within `hours`; the unit's officers
    are texted, and the sweep tells both sides if the deadline passes unanswered."""
    require_act(actor, appeal, Action.SUMMON)
    require_handler(actor, appeal)
    unit = next((u for u in summon_units(session, appeal) if u.id == unit_id), None)
    if unit is None:
        raise Invalid(_l("Choose the unit to summon."), field="unit")
    low, high = SUMMONS_HOURS
    if not isinstance(hours, int) or not low <= hours <= high:
        raise Invalid(
            _l("Give between %(low)d and %(high)d hours.", low=low, high=high), field="hours"
        )
    note = (note or "").strip()
    if len(note) < 2:
        raise Invalid(_l("Say what the unit is asked to do."), field="note")
    waiting = session.scalar(
        select(Summons.id).where(
            Summons.appeal_id == appeal.id,
            Summons.unit_id == unit.id,
            Summons.answered_at.is_(None),
        )
    )
    if waiting is not None:
        raise Invalid(_l("This unit was already summoned and has not answered yet."), field="unit")
    summons = Summons(
        appeal_id=appeal.id,
        unit=unit,
        summoned_by_id=actor.id,
        note=note[:2000],
        created_at=now,
        due_at=now + timedelta(hours=hours),
    )
    session.add(summons)
    session.flush()
    details = {"unit": unit.id, "hours": hours}
    add_event(session, appeal, EventKind.SUMMONED, actor=actor, now=now, note=note, details=details)
    audit_step(session, "appeals.summon", actor, appeal, now, details)
    for user in members(session, unit):
        locale = user.locale or CHINESE
        queue_sms(
            session,
            phone=user.phone,
            kind="appeal_summoned",
            params={
                "tracking": appeal.tracking,
                "building": name_in(appeal.building, locale),
                "place": name_in(unit, locale),
                "hours": hours,
            },
            locale=locale,
            key=f"appeal:{appeal.id}:summons:{summons.id}:{user.id}",
            cause=f"appeals:{appeal.id}",
            now=now,
        )
    return summons


def summonses(session: Session, appeal: Appeal) -> list[Summons]:
    return list(
        session.scalars(
            select(Summons).where(Summons.appeal_id == appeal.id).order_by(Summons.created_at)
        )
    )


def waiting_summonses(session: Session, actor: Actor) -> list[Summons]:
    """The summonses `actor`'s units have still to answer, soonest deadline first."""
    units = units_of(actor)
    if not units:
        return []
    return list(
        session.scalars(
            select(Summons)
            .join(Appeal, Appeal.id == Summons.appeal_id)
            .where(
                Summons.unit_id.in_(units),
                Summons.answered_at.is_(None),
                Appeal.is_open.is_(True),
            )
            .options(contains_eager(Summons.appeal))
            .order_by(Summons.due_at, Summons.id)
            .limit(100)
        )
    )


def answer_summons(
    session: Session, actor: User, summons: Summons, answer: str, *, now: datetime
) -> None:
    """A member of the summoned unit says what the unit did or will do; the one who
    summoned it is texted."""
    require_staff(actor)
    if summons.unit_id not in units_of(actor):
        raise Forbidden(_l("Only the summoned unit can answer."), summons=summons.id)
    locked = session.scalar(
        select(Summons)
        .where(Summons.id == summons.id)
        .with_for_update(of=Summons)
        .execution_options(populate_existing=True)
    )
    if locked is None or locked.answered_at is not None:
        raise Invalid(_l("This summons is already answered."))
    if not summons.appeal.is_open:
        raise Invalid(_l("This report is no longer being handled: no answer is needed."))
    answer = (answer or "").strip()
    if len(answer) < 2:
        raise Invalid(_l("Say what your unit did or will do."), field="answer")
    summons.answer = answer[:2000]
    summons.answered_at = now
    summons.answered_by_id = actor.id
    appeal = summons.appeal
    details = {"unit": summons.unit_id}
    add_event(
        session,
        appeal,
        EventKind.SUMMONS_ANSWERED,
        actor=actor,
        now=now,
        note=answer,
        details=details,
    )
    audit_step(session, "appeals.answer_summons", actor, appeal, now, details)
    told = summons.summoned_by
    locale = told.locale or CHINESE
    queue_sms(
        session,
        phone=told.phone,
        kind="appeal_answered",
        params={"tracking": appeal.tracking, "place": name_in(summons.unit, locale)},
        locale=locale,
        key=f"appeal:{appeal.id}:summons:{summons.id}:answered",
        cause=f"appeals:{appeal.id}",
        now=now,
    )


def get_summons(session: Session, actor: Actor, summons_id: int) -> Summons:
    summons = session.get(Summons, summons_id)
    if summons is None:
        raise NotFound(_l("There is no such summons."))
    if summons.unit_id not in units_of(actor):
        raise Forbidden(_l("Only the summoned unit can answer."), summons=summons.id)
    return summons
