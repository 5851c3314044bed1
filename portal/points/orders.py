"""Orders in the points shop (积分超市): a resident spends points on a reward, picks it up with
a code, or cancels; a coordinator hands it over by the code; the worker cancels what was not
picked up in time.

An order is one transaction: the resident's row is locked first (so that ten taps at once
count the per-person limit one at a time), one is taken from stock by a conditional UPDATE
(the CHECK stock >= 0 is the database's last guard), the price leaves the resident's points
account for the district's issuing account in one ledger transfer (which refuses to go below
zero), and the order is written with its pick-up code. A refusal after the first write rolls
back its savepoint: nothing is half-saved, even by a caller that commits after a refusal.

A cancelled order (by the resident, or lapsed) gets its points back by a reversal of the
payment and its stock back by an SQL increment; a reward that had none left publishes
RewardRestocked, in the same transaction, for the residents who asked to be told.

Functions take a Session, the acting person, plain values and `now`; they flush, never commit.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from portal.accounts.models import User
from portal.audit import services as audit
from portal.errors import Forbidden, Invalid, NotFound
from portal.events import publish
from portal.i18n import CHINESE, SHANGHAI
from portal.ledger import services as ledger
from portal.ledger.models import Unit
from portal.ledger.rules import Insufficient
from portal.notifications.services import queue_sms
from portal.numbers import ascii_digits, parse_id, typed
from portal.permissions import SYSTEM, Actor, Permission, can, holds_anywhere, require
from portal.points import accounts, awards
from portal.points.events import RewardRestocked
from portal.points.models import OrderState, Reward, RewardOrder
from portal.points.settings import PointsSettings
from portal.web.templating import local_time
from portal.workdays.services import calendar_from

ORDERED_SMS = "points_ordered"
LAPSED_SMS = "points_order_lapsed"
# What a payment for an order is, as the ledger records it, and what it is about.
PAID = "points.order"
ORDER_SUBJECT = "points.order:"
CODE_DIGITS = 8
# Tries at a pick-up code no order has: two of 100 million clash rarely, thrice never.
CODE_TRIES = 5
# The most lapsed orders one sweep cancels: the rest wait for the next pass.
BATCH = 200


def order_subject(order_id: int) -> str:
    return f"{ORDER_SUBJECT}{order_id}"


def order_id_of(subject: str | None) -> int | None:
    """The order a transfer's subject names, if it names one."""
    if not subject or not subject.startswith(ORDER_SUBJECT):
        return None
    number = subject[len(ORDER_SUBJECT) :]
    return int(number) if number.isascii() and number.isdigit() else None


def collect_by(session: Session, now: datetime, days: int) -> datetime:
    """The last moment to pick an order up: the end of the Shanghai day `days` after today, or
    of the first working day after it when that day is a weekend or a holiday (the pick-up
    place keeps working hours: the last day to come must be one it is open). A resident is
    told a day, not a minute, so the whole of that day is theirs."""
    after = now.astimezone(SHANGHAI).date() + timedelta(days=days - 1)
    last_day = calendar_from(session, after.year).nth_working_day_after(after, 1)
    return datetime.combine(last_day, time(23, 59, 59), tzinfo=SHANGHAI)


def last_day(order: RewardOrder) -> date:
    """The Shanghai day an order is to be picked up by."""
    return order.collect_by.astimezone(SHANGHAI).date()


def order_url(base_url: str, order_id: int) -> str:
    return f"{base_url.rstrip('/')}/points/orders/{order_id}"


def handover_url(base_url: str, code: str) -> str:
    """What an order's QR code carries: the coordinators' hand-over page, with the code."""
    return f"{base_url.rstrip('/')}/points/desk/handover?code={code}"


def _signed_in(actor: Actor) -> None:
    if not getattr(actor, "is_authenticated", False) or getattr(actor, "id", None) is None:
        raise Forbidden(_l("Sign in with your mobile number to use the points shop."))


def listed_reward(session: Session, reward_id: Any) -> Reward:
    """A reward on a shop's shelf, read afresh; NotFound for a missing or retired one."""
    try:
        number = parse_id(reward_id)
    except ValueError:
        number = None
    found = (
        session.scalar(
            select(Reward).where(Reward.id == number).execution_options(populate_existing=True)
        )
        if number is not None
        else None
    )
    if found is None or found.retired_at is not None:
        raise NotFound(_l("This reward is no longer offered."))
    return found


def ordered_count(session: Session, user_id: int, reward_id: int) -> int:
    """How many of a reward a resident has had or is waiting for (cancelled ones aside)."""
    return session.scalar(
        select(func.count())
        .select_from(RewardOrder)
        .where(
            RewardOrder.reward_id == reward_id,
            RewardOrder.user_id == user_id,
            RewardOrder.state != OrderState.CANCELLED,
        )
    )


def _new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def _write_order(session: Session, values: dict[str, Any]) -> RewardOrder:
    """The order with a pick-up code no other order has (a rare clash tries another)."""
    for attempt in range(CODE_TRIES):
        made = RewardOrder(code=_new_code(), **values)
        try:
            with session.begin_nested():
                session.add(made)
                session.flush()
        except IntegrityError:
            if attempt == CODE_TRIES - 1:
                raise
            continue
        return made
    raise AssertionError("unreachable")


def order(
    session: Session, resident: Actor, reward_id: Any, *, settings: PointsSettings, now: datetime
) -> RewardOrder:
    """Order one of a listed reward: stock down, points paid, a pick-up code texted."""
    _signed_in(resident)
    # Ten taps at once count the per-person limit one at a time.
    awards.lock_user(session, resident)
    reward = listed_reward(session, reward_id)
    limit = reward.per_person
    if limit is not None and ordered_count(session, resident.id, reward.id) >= limit:
        raise Invalid(
            _l("Each person may have %(count)s of this, and you have had them all.",
               count=limit), field="reward", limit=limit,
        )  # fmt: skip
    if reward.stock < 1:
        raise _sold_out()
    # Too few points is found by the ledger itself, under its lock on the accounts: the
    # savepoint then takes back the stock and the order (nothing half-saved).
    try:
        with session.begin_nested():
            made = _pay_and_take(session, resident, reward, settings=settings, now=now)
    except Insufficient:
        held = accounts.held_account(session, resident.id)
        raise _too_dear(ledger.balance(session, held) if held else 0, reward.price) from None
    audit.record(
        session, "points.order", actor=resident, now=now, target=made,
        details={"reward": reward.id, "price": made.price},
    )  # fmt: skip
    user = session.get(User, resident.id)
    queue_sms(
        session, phone=user.phone, kind=ORDERED_SMS,
        params={"code": made.code, "name_zh": reward.name_zh, "name_en": reward.name_en,
                "day": last_day(made).isoformat(), "url": order_url(settings.base_url, made.id),
                "orders_url": f"{settings.base_url.rstrip('/')}/points/orders"},
        locale=user.locale or CHINESE, key=f"points.ordered:{made.id}", now=now,
        cause=f"points_orders:{made.id}",
    )  # fmt: skip
    return made


def _pay_and_take(
    session: Session, resident: Actor, reward: Reward, *, settings: PointsSettings, now: datetime
) -> RewardOrder:
    taken = session.execute(
        update(Reward)
        .where(Reward.id == reward.id, Reward.stock > 0, Reward.retired_at.is_(None))
        .values(stock=Reward.stock - 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        # Another resident took the last one (or a coordinator retired it) since we looked.
        session.refresh(reward)
        if reward.retired_at is not None:
            raise NotFound(_l("This reward is no longer offered."))
        raise _sold_out()
    session.expire(reward, ["stock"])
    made = _write_order(
        session,
        {"reward_id": reward.id, "user_id": resident.id, "price": reward.price,
         "state": OrderState.PLACED, "created_at": now,
         "collect_by": collect_by(session, now, settings.collect_days)},
    )  # fmt: skip
    own = accounts.person_account(session, session.get(User, resident.id), now=now)
    issuer = accounts.issuer_account(session, reward.community, now=now)
    ledger.post(
        session, resident, unit=Unit.POINTS, kind=PAID,
        legs=[(own, -made.price), (issuer, made.price)],
        subject=order_subject(made.id), memo=reward.name_zh, now=now,
    )  # fmt: skip
    return made


def _sold_out() -> Invalid:
    return Invalid(_l("All gone: none of this is left."), field="reward", sold_out=True)


def _too_dear(balance: int, price: int) -> Invalid:
    return Invalid(
        _l("You hold %(balance)s points; this costs %(price)s.",
           balance=accounts.points_text(balance), price=accounts.points_text(price)),
        field="reward",
    )  # fmt: skip


def owned_order(session: Session, resident: Actor, order_id: Any, *, lock: bool = False):
    """The resident's own order; NotFound for anyone else's, the same as a missing one."""
    _signed_in(resident)
    try:
        number = parse_id(order_id)
    except ValueError:
        raise NotFound(_l("There is no such order.")) from None
    query = select(RewardOrder).where(RewardOrder.id == number)
    if lock:
        query = query.with_for_update(of=RewardOrder).execution_options(populate_existing=True)
    found = session.scalar(query)
    if found is None or found.user_id != resident.id:
        raise NotFound(_l("There is no such order."))
    return found


def cancel(session: Session, resident: Actor, order_id: Any, *, now: datetime) -> RewardOrder:
    """The resident cancels an order not yet picked up: points back, stock back."""
    found = owned_order(session, resident, order_id, lock=True)
    if found.state is OrderState.COLLECTED:
        raise Invalid(_l("You picked this up on %(time)s: it cannot be cancelled.",
                         time=local_time(found.collected_at)))  # fmt: skip
    if found.state is OrderState.CANCELLED:
        raise Invalid(_l("This order was cancelled on %(time)s; its points are back.",
                         time=local_time(found.cancelled_at)))  # fmt: skip
    _undo(session, resident, found, now=now)
    audit.record(session, "points.cancel_order", actor=resident, now=now, target=found,
                 details={"reward": found.reward_id, "price": found.price})  # fmt: skip
    return found


def _undo(session: Session, actor: Actor, found: RewardOrder, *, now: datetime) -> None:
    """Refund a placed order (its row locked) by reversing its payment, and return its stock."""
    payment = ledger.transfer_about(session, PAID, order_subject(found.id))
    if payment is not None:
        ledger.reverse(session, actor, payment, reason=found.reward.name_zh, now=now)
    left = session.scalar(
        update(Reward)
        .where(Reward.id == found.reward_id)
        .values(stock=Reward.stock + 1)
        .returning(Reward.stock)
        .execution_options(synchronize_session=False)
    )
    session.expire(found.reward, ["stock"])
    found.state, found.cancelled_at = OrderState.CANCELLED, now
    session.flush()
    # Told only for a reward still offered: a retired one cannot be ordered anyway.
    if left == 1 and found.reward.retired_at is None:
        publish(session, RewardRestocked(reward_id=found.reward_id, now=now))


def _clean_code(code: Any) -> str:
    # Read aloud or copied from the SMS, a code may come with spaces or full-width digits.
    written = "".join(typed(code if isinstance(code, str) else None).split())
    if not written:
        raise Invalid(_l("Type the 8 digits of the pick-up code."), field="code")
    if len(written) != CODE_DIGITS or ascii_digits(written) is None:
        raise Invalid(_l("A pick-up code is 8 digits. Check what you typed."), field="code")
    return written


def _no_such_code() -> Invalid:
    return Invalid(_l("There is no order with this code. Check the digits."), field="code")


def require_hand_over(actor: Actor) -> None:
    """Refuse whoever hands rewards over in no community (Forbidden)."""
    if not holds_anywhere(actor, Permission.AWARD_POINTS):
        require(actor, Permission.AWARD_POINTS, None)


def order_by_code(session: Session, coordinator: Actor, code: Any, *, lock: bool = False):
    """The order of a pick-up code in a community where `coordinator` hands rewards over; an
    order of another community is "no such code", as a wrong code is (nothing leaks)."""
    require_hand_over(coordinator)
    query = select(RewardOrder).where(RewardOrder.code == _clean_code(code))
    if lock:
        query = query.with_for_update(of=RewardOrder).execution_options(populate_existing=True)
    found = session.scalar(query)
    if found is None or not can(coordinator, Permission.AWARD_POINTS, found.reward.community):
        raise _no_such_code()
    return found


def hand_over(session: Session, coordinator: Actor, code: Any, *, now: datetime) -> RewardOrder:
    """A coordinator hands a reward over to whoever shows its code. Allowed until the worker
    cancels the order (a resident a little late is still served)."""
    found = order_by_code(session, coordinator, code, lock=True)
    if found.state is OrderState.COLLECTED:
        raise Invalid(_l("Handed over already, on %(time)s.", time=local_time(found.collected_at)),
                      field="code")  # fmt: skip
    if found.state is OrderState.CANCELLED:
        raise Invalid(_l("This order was cancelled on %(time)s and its points refunded.",
                         time=local_time(found.cancelled_at)), field="code")  # fmt: skip
    found.state, found.collected_at = OrderState.COLLECTED, now
    found.handed_over_by_id = coordinator.id
    session.flush()
    audit.record(session, "points.hand_over", actor=coordinator, now=now, target=found,
                 details={"reward": found.reward_id, "user": found.user_id})  # fmt: skip
    return found


def sweep_uncollected(session: Session, now: datetime) -> int:
    """Cancel and refund the orders not picked up by their day, texting each resident; returns
    how many. Rows another worker holds are skipped; a cancelled order is never met again."""
    due = list(
        session.scalars(
            select(RewardOrder)
            .where(RewardOrder.state == OrderState.PLACED, RewardOrder.collect_by < now)
            .order_by(RewardOrder.collect_by, RewardOrder.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True, of=RewardOrder)
            .execution_options(populate_existing=True)
            .options(selectinload(RewardOrder.user))
        )
    )
    for found in due:
        _undo(session, SYSTEM, found, now=now)
        queue_sms(
            session, phone=found.user.phone, kind=LAPSED_SMS,
            params={"name_zh": found.reward.name_zh, "name_en": found.reward.name_en,
                    "points": found.price},
            locale=found.user.locale or CHINESE, key=f"points.lapsed:{found.id}", now=now,
            cause=f"points_orders:{found.id}",
        )  # fmt: skip
    if due:
        audit.record(session, "points.lapse_orders", actor=SYSTEM, now=now,
                     details={"orders": [found.id for found in due]})  # fmt: skip
    return len(due)
