"""The ledger's arithmetic, with no database: what a transfer must be, and what balances may
hold after it.

services.py reads the balances under a lock and asks these functions whether a transfer may
be written; they raise a LedgerError saying why not, in words the person acting understands.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from portal.errors import Invalid

MINUTES = "minutes"
POINTS = "points"


class LedgerError(Invalid):
    """A transfer the ledger refuses; `message` says why."""

    default: Any = _l("The ledger cannot record this transfer.")
    by_unit: dict[str, Any] = {}  # noqa: RUF012

    def __init__(self, message: Any = None, *, unit: str | None = None, **details: Any) -> None:
        if message is None:
            message = self.by_unit.get(unit or "", self.default)
        super().__init__(message, unit=unit, **details)


class InvalidTransfer(LedgerError):
    """The legs of a transfer are malformed: too few, not whole numbers, zero, an account twice,
    or accounts of another unit."""


class Unbalanced(LedgerError):
    """The amounts of a transfer do not add up to zero."""

    default = _l("The amounts of a transfer must add up to zero.")


class Insufficient(LedgerError):
    """An account would go below zero."""

    default = _l("There is not enough in this account for that.")
    by_unit = {  # noqa: RUF012
        MINUTES: _l("There are not enough hours in this account."),
        POINTS: _l("There are not enough points in this account."),
    }


class OverCap(LedgerError):
    """An account would hold more than its cap allows."""

    default = _l("That would take this account over its limit.")
    by_unit = {  # noqa: RUF012
        MINUTES: _l("That would take this account over the most hours it may hold."),
        POINTS: _l("That would take this account over the most points it may hold."),
    }


class AlreadyPosted(LedgerError):
    """A transfer of the same kind about the same thing is already in the ledger."""

    default = _l("This has already been recorded.")


class AlreadyReversed(LedgerError):
    """The transfer has been undone already."""

    default = _l("This transfer has already been undone.")


class NotReversible(LedgerError):
    """An undoing is not undone in turn: a new transfer is recorded instead."""

    default = _l("An undoing cannot itself be undone. Record a new transfer instead.")


@dataclass(frozen=True)
class Leg:
    """One account's part in a transfer: credited when positive, debited when negative."""

    account_id: int
    amount: int


def is_whole(amount: Any) -> bool:
    """Whether `amount` is a whole number: an int, not a bool or a float."""
    return isinstance(amount, int) and not isinstance(amount, bool)


def check_legs(legs: Iterable[Leg]) -> None:
    """Refuse a transfer that is not at least two non-zero whole amounts, one an account, adding
    up to zero."""
    legs = list(legs)
    if len(legs) < 2:
        raise InvalidTransfer(_l("A transfer moves an amount between at least two accounts."))
    if not all(is_whole(leg.amount) for leg in legs):
        raise InvalidTransfer(_l("Amounts are whole numbers of minutes or points."))
    if any(leg.amount == 0 for leg in legs):
        raise InvalidTransfer(_l("A transfer cannot move nothing."))
    if len({leg.account_id for leg in legs}) != len(legs):
        raise InvalidTransfer(_l("A transfer names each account once."))
    if sum(leg.amount for leg in legs) != 0:
        raise Unbalanced()


def check_balances(
    after: Mapping[int, int],
    caps: Mapping[int, int | None],
    may_go_negative: Set[int],
    *,
    unit: str | None = None,
) -> None:
    """Refuse balances below zero (but for the accounts in `may_go_negative`) or above their
    cap; `unit` chooses the words ("hours", "points")."""
    for account_id, balance in sorted(after.items()):
        if balance < 0 and account_id not in may_go_negative:
            raise Insufficient(unit=unit, account_id=account_id, short=-balance)
    for account_id, balance in sorted(after.items()):
        cap = caps.get(account_id)
        if cap is not None and balance > cap:
            raise OverCap(unit=unit, account_id=account_id, over=balance - cap)


def split_at_cap(amount: int, balance: int, cap: int | None) -> tuple[int, int]:
    """How much of a credit of `amount` fits in an account holding `balance` under `cap`, and
    how much is over: (fits, over), adding up to `amount`."""
    if not is_whole(amount) or amount <= 0:
        raise InvalidTransfer(_l("A credit is a whole number above zero."))
    if cap is None:
        return amount, 0
    fits = min(amount, max(cap - balance, 0))
    return fits, amount - fits
