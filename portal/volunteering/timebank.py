"""The time bank (时间银行): its rules, and the ledger accounts hours move between.

Hours are kept on the shared ledger (portal/ledger) in minutes: each person's own account
(capped at the storage limit), each community's pool (donations, hours over a volunteer's cap,
and what pays for the help of priority elderly residents), and each district's issuing account,
out of which confirmed hours come into being. Every figure is a rule a district may change; the
defaults are Nanjing's city-wide scheme (《南京市养老服务时间银行实施方案》): storage capped at
1,500 hours, stored time spent from 60, and hours buy services only, never money.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from babel.numbers import format_decimal
from flask_babel import get_locale
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.audit import services as audit
from portal.i18n import CHINESE
from portal.idnumbers import age_on  # noqa: F401  (the time bank's rules read ages)
from portal.ledger import services as ledger
from portal.ledger.models import AccountKind, LedgerAccount, Unit
from portal.ledger.rules import OverCap
from portal.permissions import Actor, Permission, require
from portal.places.models import Place, PlaceKind

# Where the app keeps its rules (TimeBankRules).
RULES = "portal.volunteering.rules"

# What caused a transfer of hours, as the ledger records it.
BANKED = "hours.banked"  # confirmed service to the elderly, from the district's issuer
SPENT = "hours.spent"  # help received, paid to the volunteer who gave it
GIVEN = "hours.given"  # from a volunteer to a confirmed relative
DONATED = "hours.donated"  # from a volunteer to their community's pool
GRANTED = "hours.granted"  # from the district to a community's pool, for priority elderly


@dataclass(frozen=True)
class TimeBankRules:
    """The numbers of a district's time bank."""

    # The most a person's account may hold; confirmed hours above it go to the community's pool.
    cap_minutes: int = 1500 * 60
    # From this age a person may spend their stored hours on help.
    spending_age: int = 60
    # Below this age a volunteer registers only with a guardian.
    adult_age: int = 18

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> TimeBankRules:
        return cls(
            cap_minutes=config.get("TIME_BANK_CAP_HOURS", 1500) * 60,
            spending_age=config.get("TIME_BANK_SPENDING_AGE", 60),
            adult_age=config.get("VOLUNTEER_ADULT_AGE", 18),
        )


def hours_text(minutes: int) -> str:
    """Minutes as hours, in the language of the page or SMS being written: 90 → "1.5",
    90000 → "1,500"."""
    return format_decimal(minutes / 60, "#,##0.#", locale=str(get_locale() or CHINESE))


def hours_figure(minutes: int) -> int | float:
    """Minutes as a number of hours for a spreadsheet, as the pages write them: 90 → 1.5,
    60 → 1, 0 → 0 (never "1.0", and never grouped like "1,500", which Excel reads as text)."""
    return minutes // 60 if minutes % 60 == 0 else minutes / 60


def district_of(place: Place) -> Place:
    """The district a place lies in (itself, if it is one)."""
    if place.kind is PlaceKind.DISTRICT:
        return place
    for above in place.ancestors:
        if above.kind is PlaceKind.DISTRICT:
            return above
    raise ValueError(f"{place!r} lies in no district")


def person_account(
    session: Session, user: User, rules: TimeBankRules, *, now: datetime
) -> LedgerAccount:
    """`user`'s own hours, capped by the rules when it is opened (a district's new cap reaches
    accounts already open through portal.ledger.services.set_cap)."""
    return ledger.account(
        session, Unit.MINUTES, AccountKind.PERSON, user=user, cap=rules.cap_minutes, now=now
    )


def pool_account(session: Session, community: Place, *, now: datetime) -> LedgerAccount:
    """The hours a community holds in common: donations, and hours over volunteers' caps."""
    return ledger.account(session, Unit.MINUTES, AccountKind.POOL, place=community, now=now)


def issuer_account(session: Session, place: Place, *, now: datetime) -> LedgerAccount:
    """The district's issuing account, out of which confirmed hours come (it alone goes below
    zero: its balance is minus every hour the district has banked)."""
    return ledger.account(
        session, Unit.MINUTES, AccountKind.ISSUER, place=district_of(place), now=now
    )


@dataclass(frozen=True)
class CapApplied:
    """What one batch of `apply_cap` did."""

    # Accounts whose cap changed.
    changed: int
    # Accounts holding more than the rules' cap: capped at what they hold instead.
    held_above: int
    # The id of the last account looked at, to go on after; None when none was left.
    last_id: int | None


def apply_cap(
    session: Session,
    actor: Actor,
    rules: TimeBankRules,
    *,
    after_id: int = 0,
    batch: int = 500,
    now: datetime,
) -> CapApplied:
    """Give the rules' cap to up to `batch` people's accounts (those after account `after_id`)
    that hold a different one, each through ledger.set_cap, which locks it and reads its
    balance afresh. Hours are never taken away: an account already holding more than the cap
    is capped at what it holds, the lowest the ledger allows, so it receives nothing more; a
    later run lowers it again as its hours are spent, until it reaches the rules' cap."""
    require(actor, Permission.MANAGE_VOLUNTEERING)
    cap = rules.cap_minutes
    accounts = session.scalars(
        select(LedgerAccount)
        .where(
            LedgerAccount.unit == Unit.MINUTES,
            LedgerAccount.kind == AccountKind.PERSON,
            LedgerAccount.id > after_id,
            or_(LedgerAccount.cap.is_(None), LedgerAccount.cap != cap),
        )
        .order_by(LedgerAccount.id)
        .limit(batch)
    ).all()
    changed, held_above = [], []
    for held in accounts:
        before = held.cap
        try:
            ledger.set_cap(session, held, cap)
        except OverCap:
            # set_cap read the account afresh under its lock: `held` has today's balance.
            ledger.set_cap(session, held, held.balance)
            held_above.append(held.id)
        if held.cap != before:
            changed.append(held.id)
    if changed:
        audit.record(
            session, "volunteering.cap_applied", actor=actor, now=now,
            details={"cap": cap, "changed": changed, "held_above": held_above},
        )  # fmt: skip
    return CapApplied(len(changed), len(held_above), accounts[-1].id if accounts else None)
