"""Who may see an appeal and who may act on it: staff by the place of its queue or a unit they
work for, residents by their account or their proved phone; finding an appeal by number.
"""

from __future__ import annotations

import hmac

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, object_session

from portal.accounts.models import User
from portal.appeals.labels import STATE_LABELS
from portal.appeals.models import (
    Appeal,
    AppealState,
    Summons,
)
from portal.appeals.states import Action, allowed
from portal.errors import Forbidden, Invalid, NotFound
from portal.numbers import ascii_digits, typed
from portal.permissions import Actor, Permission, can, holds_anywhere, require_staff
from portal.places.models import Building
from portal.units.services import units_of_member


def lock(session: Session, appeal: Appeal) -> None:
    """Lock the appeal's row and re-read it, so that two actions at once (two taps, a handler
    and the sweep) happen one after the other, each on the state the other left."""
    session.scalars(
        select(Appeal)
        .where(Appeal.id == appeal.id)
        .with_for_update(of=Appeal)
        .execution_options(populate_existing=True)
    ).one()


def session_of(appeal: Appeal) -> Session:
    session = object_session(appeal)
    if session is None:
        raise ValueError("the appeal is not in a session")
    return session


def can_view(actor: Actor, appeal: Appeal) -> bool:
    """Staff see the appeals of their area, wherever in the chain the queue now sits; a
    unit's officers see those in its queue or that it was summoned to."""
    if can(actor, Permission.VIEW_APPEALS, appeal.building) or can_act(actor, appeal):
        return True
    units = units_of(actor)
    return (
        bool(units)
        and session_of(appeal).scalar(
            select(Summons.id).where(Summons.appeal_id == appeal.id, Summons.unit_id.in_(units))
        )
        is not None
    )


def can_act(actor: Actor, appeal: Appeal) -> bool:
    """Only staff whose area holds the queue the appeal now sits in may act on it: once it is
    passed up to the community, the grid worker can no longer take it. A unit's queue is
    worked by its members."""
    if appeal.unit_id is not None:
        return appeal.unit_id in units_of(actor)
    if appeal.queue_place is None:
        return False
    return can(actor, Permission.HANDLE_APPEALS, appeal.queue_place)


def units_of(actor: Actor) -> frozenset[int]:
    """The live units `actor` works for."""
    session = object_session(actor) if getattr(actor, "id", None) is not None else None
    if session is None:
        return frozenset()
    return units_of_member(session, actor.id)


def available_actions(actor: Actor, appeal: Appeal) -> frozenset[Action]:
    """The steps `actor` may take on `appeal` now (the buttons to show; the steps check again)."""
    if not can_act(actor, appeal):
        return frozenset()
    handles = appeal.handler_id == actor.id
    wanted = {
        Action.ACCEPT: True,
        Action.CONTACT: appeal.first_contact_at is None,
        Action.START: handles,
        Action.RESOLVE: handles,
        Action.RELEVEL: True,
        Action.TRANSFER: True,
        Action.SUMMON: handles,
        Action.MERGE: True,
        Action.HIDE: True,
        Action.RESTORE: True,
        Action.CALL_BACK: appeal.needs_callback,
        Action.RECLASSIFY: True,
    }
    return frozenset(a for a, ok in wanted.items() if ok and allowed(a, appeal.state))


def require_act(actor: Actor, appeal: Appeal, action: Action) -> None:
    require_staff(actor)
    lock(session_of(appeal), appeal)
    if not can_act(actor, appeal):
        raise Forbidden(_l("This report is in another team's queue."), appeal=appeal.id)
    require_state(appeal, action)


def require_handler(actor: User, appeal: Appeal) -> None:
    if appeal.handler_id != actor.id:
        raise Forbidden(_l("Only the person who took this report can do this."))


def require_state(appeal: Appeal, action: Action) -> None:
    if not allowed(action, appeal.state):
        raise Invalid(
            _l("This cannot be done now: the report is %(state)s.", state=state_word(appeal)),
            state=appeal.state.value,
        )


def state_word(appeal: Appeal) -> str:
    return str(STATE_LABELS[appeal.state]).lower()


def get_for_staff(session: Session, actor: Actor, tracking: str) -> Appeal:
    """The appeal staff open by number. One outside their area is answered as one that does
    not exist: otherwise trying numbers would tell which are real, and where."""
    require_staff(actor)
    appeal = find(session, tracking)
    if appeal is None or appeal.state == AppealState.UNCONFIRMED or not can_view(actor, appeal):
        raise NotFound(_l("There is no report with this number in your area."))
    return appeal


def tracking_of(session: Session, appeal_id: int | None) -> str | None:
    """The tracking number of an appeal another feature links to."""
    if appeal_id is None:
        return None
    return session.scalar(select(Appeal.tracking).where(Appeal.id == appeal_id))


def find(session: Session, tracking: str) -> Appeal | None:
    number = typed(tracking).strip().upper()
    if not number or len(number) > 12:
        return None
    return session.scalar(select(Appeal).where(Appeal.tracking == number))


def files_for_resident(actor: Actor, building: Building) -> bool:
    """Staff who handle appeals where the building is file for its residents (代办)."""
    return (
        getattr(actor, "is_authenticated", False)
        and actor.is_staff
        and can(actor, Permission.HANDLE_APPEALS, building)
    )


def files_anywhere(actor: Actor) -> bool:
    """Whether `actor` files for residents somewhere: grid workers, secretaries and officers
    in their area; legal advisers, archivists and administrators do not handle appeals."""
    return getattr(actor, "is_staff", False) and holds_anywhere(actor, Permission.HANDLE_APPEALS)


def require_files_anywhere(actor: Actor) -> None:
    require_staff(actor)
    if not files_anywhere(actor):
        raise Forbidden(
            _l(
                "Reports for residents are sent by their grid worker, community secretary or "
                "street officer. Your role does not handle reports."
            )
        )


def owns_verified(user: Actor, phone: str) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and not user.is_staff
        and user.phone == phone
        and user.phone_verified_at is not None
    )


def owns_by_phone(user: Actor) -> bool:
    """A resident who proved this number by SMS owns the appeals filed with it."""
    return (
        getattr(user, "is_authenticated", False)
        and not user.is_staff
        and user.phone_verified_at is not None
    )


def is_owner(user: Actor, appeal: Appeal) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return appeal.user_id == user.id or (owns_by_phone(user) and appeal.phone == user.phone)


def residents_appeals(user: Actor) -> Select:
    """A signed-in resident's own appeals, newest first."""
    return (
        select(Appeal)
        .where(
            (Appeal.user_id == user.id) | (Appeal.phone == user.phone)
            if owns_by_phone(user)
            else Appeal.user_id == user.id,
            Appeal.state != AppealState.UNCONFIRMED,
        )
        .order_by(Appeal.created_at.desc(), Appeal.id.desc())
    )


def phone_matches(appeal: Appeal, last_four: str) -> bool:
    """Whether `last_four` are the last four digits of the appeal's phone, typed in ASCII or
    full-width digits, with or without spaces."""
    digits = ascii_digits("".join((last_four or "").split()))
    return (
        digits is not None and len(digits) == 4 and hmac.compare_digest(digits, appeal.phone[-4:])
    )
