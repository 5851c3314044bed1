"""Confirming a volunteer's hours after an activity, and banking them on the ledger.

A coordinator confirms each attendance as recorded (hours.py), or corrects it with a reason,
or confirms the whole activity as recorded in one action; hours for someone with no check-in
are recorded by hand, with a reason, audited and marked as such (民政部令第67号: never "credit
hours"). Confirming banks the hours in the same transaction: for an activity that serves the
elderly, a transfer "hours.banked" from the district's issuing account to the volunteer's
account, the part over the time bank's storage cap to the community's pool (the volunteer is
texted). Other activities' hours count on the record only. Every confirmation, of any
activity, tells other features (HoursConfirmed: grid points count confirmed hours).

A wrong confirmation is undone by `reverse_confirmation`: the banking is reversed on the
ledger (never edited), and the attendance may be confirmed again; each confirmation banks
under a subject of its own ("volunteering.sign_up:<id>", then ":2", ":3" …), so the ledger's
once-only rule still guards each one. The sign-up's row is locked first, so two coordinators
confirming at once act one after the other, and the second finds it confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.audit import services as audit
from portal.errors import Invalid
from portal.events import publish
from portal.ledger import services as ledger
from portal.ledger.models import AccountKind, LedgerAccount, LedgerTransfer, Unit
from portal.ledger.rules import split_at_cap
from portal.notifications.services import queue_sms
from portal.permissions import Actor, Permission, require
from portal.volunteering import hours, timebank
from portal.volunteering.checkin import locked_sign_up
from portal.volunteering.events import HoursConfirmed, HoursUnconfirmed
from portal.volunteering.models import Activity, SignUp, SignUpState, Volunteer

REASON_LENGTH = 500


def recorded(sign_up: SignUp) -> int | None:
    """The minutes the check-in and check-out record for `sign_up` (None: nothing to count)."""
    activity = sign_up.activity
    return hours.recorded_minutes(
        sign_up.checked_in_at,
        sign_up.checked_out_at,
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
        worth_minutes=activity.worth_minutes,
    )


def subject_of(sign_up: SignUp, confirmation: int | None = None) -> str:
    """The ledger subject of the sign-up's `confirmation`-th banking (by default its latest)."""
    number = sign_up.confirmations if confirmation is None else confirmation
    base = f"volunteering.sign_up:{sign_up.id}"
    return base if number <= 1 else f"{base}:{number}"


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise Invalid(_l("Say why, in a few words."), field="reason")
    if len(text) > REASON_LENGTH:
        raise Invalid(_l("Keep the reason under 500 characters."), field="reason")
    return text


def _minutes(minutes: int | None, activity: Activity) -> int:
    if minutes is None or isinstance(minutes, bool) or not isinstance(minutes, int):
        raise Invalid(_l("Choose the hours."), field="minutes")
    if not hours.is_whole_half_hours(minutes):
        raise Invalid(_l("Hours are kept in half hours: 0, 0.5, 1, 1.5 …"), field="minutes")
    if minutes > activity.worth_minutes:
        raise Invalid(
            _l("This activity is worth at most %(hours)s hours.",
               hours=timebank.hours_text(activity.worth_minutes)),
            field="minutes",
        )  # fmt: skip
    return minutes


def _may_confirm(sign_up: SignUp, now: datetime) -> None:
    if sign_up.state != SignUpState.SEATED:
        raise Invalid(_l("This volunteer has no seat at this activity."))
    if now < sign_up.activity.ends_at:
        raise Invalid(_l("Hours are confirmed after the activity has ended."))
    if sign_up.confirmed_at is not None:
        raise Invalid(_l("These hours are already confirmed."))


@dataclass
class Accounts:
    """The accounts a banking for an activity moves: the district's issuing account, the
    community's pool, and each volunteer's own."""

    issuer: LedgerAccount
    pool: LedgerAccount
    people: dict[int, LedgerAccount]


def _accounts(
    session: Session, activity: Activity, sign_ups: list[SignUp], now: datetime
) -> Accounts | None:
    """The accounts banking `sign_ups` moves, opened where there are none and then locked.

    All are opened before any is locked: a transaction opening an account another is opening
    waits for it, and must hold no account meanwhile, or the two could wait on each other.
    They are locked in id order, as the ledger locks them, and read afresh: what fits under a
    volunteer's cap is read under the lock the transfer is written under."""
    if not activity.serves_elderly:
        return None
    rules = current_app.extensions[timebank.RULES]
    issuer = timebank.issuer_account(session, activity.community, now=now)
    pool = timebank.pool_account(session, activity.community, now=now)
    users = {sign_up.volunteer.user_id: sign_up.volunteer.user for sign_up in sign_ups}
    people = {
        held.user_id: held
        for held in session.scalars(
            select(LedgerAccount).where(
                LedgerAccount.unit == Unit.MINUTES,
                LedgerAccount.kind == AccountKind.PERSON,
                LedgerAccount.user_id.in_(users),
            )
        )
        if held.cap == rules.cap_minutes
    }
    for user_id, user in users.items():
        if user_id not in people:
            people[user_id] = timebank.person_account(session, user, rules, now=now)
    ids = [issuer.id, pool.id, *(held.id for held in people.values())]
    for chunk in range(0, len(ids), 500):
        session.scalars(
            select(LedgerAccount)
            .where(LedgerAccount.id.in_(sorted(ids)[chunk : chunk + 500]))
            .order_by(LedgerAccount.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
    return Accounts(issuer, pool, people)


def _banking(
    sign_up: SignUp, accounts: Accounts | None, held: dict[int, int]
) -> tuple[ledger.TransferSpec, int] | None:
    """The transfer banking the confirmed minutes of an activity serving the elderly, the part
    over the cap to the pool, and that part; `held`: the people's balances as the banking
    before this one leaves them (kept in step here)."""
    minutes = sign_up.confirmed_minutes or 0
    if accounts is None or minutes <= 0:
        return None
    person = accounts.people[sign_up.volunteer.user_id]
    # Locked by _accounts: its balance is read under the lock the transfer is written under.
    balance = held.get(person.id, person.balance)
    kept, over = split_at_cap(minutes, balance, person.cap)
    held[person.id] = balance + kept
    legs = [(accounts.issuer, -minutes)]
    if kept:
        legs.append((person, kept))
    if over:
        legs.append((accounts.pool, over))
    spec = ledger.TransferSpec(
        kind=timebank.BANKED, legs=legs, subject=subject_of(sign_up), memo=sign_up.activity.title
    )
    return spec, over


def _tell_over(session: Session, sign_up: SignUp, over: int, now: datetime) -> None:
    """Text the volunteer that `over` minutes went to the pool, past their cap."""
    volunteer = sign_up.volunteer
    queue_sms(
        session,
        phone=volunteer.user.phone,
        kind="volunteer_hours_donated",
        params={"minutes": over},
        locale=volunteer.user.locale or "zh_Hans_CN",
        key=f"volunteering.hours_donated:{subject_of(sign_up)}",
        now=now,
        cause=f"volunteer_sign_ups:{sign_up.id}",
    )


def _bank(
    session: Session, actor: Actor, sign_up: SignUp, accounts: Accounts | None, now: datetime
) -> LedgerTransfer | None:
    """Bank the confirmed minutes of an activity serving the elderly; over the cap, to the pool."""
    found = _banking(sign_up, accounts, {})
    if found is None:
        return None
    spec, over = found
    transfer = ledger.post(
        session, actor, unit=Unit.MINUTES, kind=spec.kind, legs=spec.legs,
        subject=spec.subject, memo=spec.memo, now=now,
    )  # fmt: skip
    if over:
        _tell_over(session, sign_up, over, now)
    return transfer


def _mark(
    actor: Actor, sign_up: SignUp, minutes: int, *, reason: str | None, by_hand: bool, now: datetime
) -> None:
    sign_up.confirmed_minutes = minutes
    sign_up.confirmed_at = now
    sign_up.confirmed_by_id = getattr(actor, "id", None)
    sign_up.correction_reason = reason
    sign_up.recorded_by_hand = by_hand or by_organiser(sign_up, minutes)
    sign_up.confirmations += 1


def by_organiser(sign_up: SignUp, minutes: int) -> bool:
    """Whether confirmed time is the organiser's record rather than the volunteer's own scans
    (民政部令第67号: only hours from checking in and out oneself are credit hours, which no
    one adds to): a check-in or check-out by name, or more time than the scans recorded."""
    if sign_up.checked_in_by_id is not None or sign_up.checked_out_by_id is not None:
        return True
    return minutes > (recorded(sign_up) or 0)


def _tell_confirmed(session: Session, sign_up: SignUp, now: datetime) -> None:
    """Publish the attendance's confirmation (its record is keyed once, whatever follows)."""
    activity = sign_up.activity
    publish(
        session,
        HoursConfirmed(
            volunteer=sign_up.volunteer.user, minutes=sign_up.confirmed_minutes or 0,
            community=activity.community, record=f"service:{sign_up.id}", about=activity.title,
            now=now,
        ),
    )  # fmt: skip


def _confirm(
    session: Session,
    actor: Actor,
    sign_up: SignUp,
    minutes: int,
    *,
    reason: str | None,
    by_hand: bool,
    now: datetime,
) -> SignUp:
    """Confirm one attendance and bank it (confirm_all banks a whole activity at once)."""
    accounts = _accounts(session, sign_up.activity, [sign_up], now)
    _mark(actor, sign_up, minutes, reason=reason, by_hand=by_hand, now=now)
    _bank(session, actor, sign_up, accounts, now)
    session.flush()
    _tell_confirmed(session, sign_up, now)
    return sign_up


def confirm(
    session: Session,
    actor: Actor,
    sign_up: SignUp,
    *,
    minutes: int | None = None,
    reason: str | None = None,
    now: datetime,
) -> SignUp:
    """Confirm an attendance as recorded (`minutes` None or the same), or corrected to
    `minutes` with a `reason`; the hours are banked at once."""
    locked = locked_sign_up(session, actor, sign_up.id, sign_up.activity)
    _may_confirm(locked, now)
    was = recorded(locked)
    if minutes is None or minutes == was:
        if was is None:
            raise Invalid(
                _l(
                    "Nothing was recorded (no check-in or no check-out): choose the hours and say why."
                )
            )
        result = _confirm(
            session,
            actor,
            locked,
            was,
            reason=None,
            by_hand=False,
            now=now,
        )
        audit.record(session, "volunteering.hours_confirmed", actor=actor, now=now,
                     target=locked, details={"minutes": was})  # fmt: skip
        return result
    minutes = _minutes(minutes, locked.activity)
    why = _reason(reason)
    if locked.checked_in_at is None:
        return record_by_hand(session, actor, locked, minutes=minutes, reason=why, now=now)
    result = _confirm(
        session,
        actor,
        locked,
        minutes,
        reason=why,
        by_hand=False,
        now=now,
    )
    audit.record(session, "volunteering.hours_corrected", actor=actor, now=now, target=locked,
                 details={"minutes": minutes, "recorded": was, "reason": why})  # fmt: skip
    return result


def record_by_hand(
    session: Session,
    actor: Actor,
    sign_up: SignUp,
    *,
    minutes: int | None,
    reason: str | None,
    now: datetime,
) -> SignUp:
    """Record and confirm hours for a volunteer who did not check in (a kind of their own)."""
    locked = locked_sign_up(session, actor, sign_up.id, sign_up.activity)
    _may_confirm(locked, now)
    if locked.checked_in_at is not None:
        raise Invalid(_l("This volunteer checked in: confirm or correct the recorded time."))
    minutes = _minutes(minutes, locked.activity)
    why = _reason(reason)
    result = _confirm(
        session,
        actor,
        locked,
        minutes,
        reason=why,
        by_hand=True,
        now=now,
    )
    audit.record(session, "volunteering.hours_recorded_by_hand", actor=actor, now=now,
                 target=locked, details={"minutes": minutes, "reason": why})  # fmt: skip
    return result


@dataclass(frozen=True)
class ConfirmedAll:
    confirmed: int  # confirmed now, as recorded
    left: int  # seated, not confirmed, with nothing recorded: to record by hand or correct


def confirm_all(
    session: Session, actor: Actor, activity: Activity, *, now: datetime
) -> ConfirmedAll:
    """Confirm, as recorded, every attendance of the activity not yet confirmed that has a
    record; those without one are left for the coordinator."""
    require(actor, Permission.COORDINATE_VOLUNTEERS, activity.community)
    if now < activity.ends_at:
        raise Invalid(_l("Hours are confirmed after the activity has ended."))
    # Locked, and read afresh: a single confirmation committed meanwhile is seen here.
    waiting = session.scalars(
        select(SignUp)
        .where(
            SignUp.activity_id == activity.id,
            SignUp.state == SignUpState.SEATED,
            SignUp.confirmed_at.is_(None),
        )
        .order_by(SignUp.id)
        .with_for_update()
        .execution_options(populate_existing=True)
        .options(selectinload(SignUp.volunteer).selectinload(Volunteer.user))
    ).all()
    recorded_now = [(sign_up, recorded(sign_up)) for sign_up in waiting]
    to_confirm = [(sign_up, minutes) for sign_up, minutes in recorded_now if minutes is not None]
    accounts = _accounts(session, activity, [sign_up for sign_up, _ in to_confirm], now)
    # Every attendance marked first, then banked: the marks are written together.
    for sign_up, minutes in to_confirm:
        _mark(actor, sign_up, minutes, reason=None, by_hand=False, now=now)
    # Banked in one batch (the ledger's post_many: the accounts locked once, a few statements
    # in all), all or nothing like the confirmation itself.
    held: dict[int, int] = {}
    bankings = [
        (sign_up, found)
        for sign_up, _minutes in to_confirm
        if (found := _banking(sign_up, accounts, held)) is not None
    ]
    ledger.post_many(
        session, actor, unit=Unit.MINUTES, transfers=[spec for _, (spec, _) in bankings], now=now
    )
    for sign_up, (_spec, over) in bankings:
        if over:
            _tell_over(session, sign_up, over, now)
    session.flush()
    for sign_up, _minutes in to_confirm:
        _tell_confirmed(session, sign_up, now)
    confirmed, left = len(to_confirm), len(waiting) - len(to_confirm)
    audit.record(session, "volunteering.activity_confirmed", actor=actor, now=now,
                 target=activity, details={"confirmed": confirmed, "left": left})  # fmt: skip
    return ConfirmedAll(confirmed, left)


def reverse_confirmation(
    session: Session, actor: Actor, sign_up: SignUp, *, reason: str | None, now: datetime
) -> SignUp:
    """Undo a wrong confirmation: its banking is reversed on the ledger, and the attendance
    waits to be confirmed again."""
    locked = locked_sign_up(session, actor, sign_up.id, sign_up.activity)
    why = _reason(reason)
    if locked.confirmed_at is None:
        raise Invalid(_l("These hours are not confirmed: there is nothing to undo."))
    banked = ledger.transfer_about(session, timebank.BANKED, subject_of(locked))
    if banked is not None:
        ledger.reverse(session, actor, banked, reason=why, now=now)
    audit.record(session, "volunteering.confirmation_reversed", actor=actor, now=now,
                 target=locked, details={"minutes": locked.confirmed_minutes,
                                         "banked": banked is not None, "reason": why})  # fmt: skip
    locked.confirmed_minutes = None
    locked.confirmed_at = None
    locked.confirmed_by_id = None
    locked.correction_reason = None
    locked.recorded_by_hand = False
    session.flush()
    publish(session, HoursUnconfirmed(record=f"service:{locked.id}", reason=why, now=now))
    return locked
