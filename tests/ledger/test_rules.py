"""The ledger's arithmetic alone: what a transfer must be, what balances may hold, and how a
credit splits at a cap."""

from __future__ import annotations

import pytest

from portal.errors import Invalid
from portal.ledger.rules import (
    AlreadyPosted,
    AlreadyReversed,
    Insufficient,
    InvalidTransfer,
    LedgerError,
    Leg,
    NotReversible,
    OverCap,
    Unbalanced,
    check_balances,
    check_legs,
    split_at_cap,
)


def test_a_balanced_transfer_of_whole_amounts_passes():
    check_legs([Leg(1, -60), Leg(2, 60)])
    check_legs([Leg(1, -90), Leg(2, 60), Leg(3, 30)])


@pytest.mark.parametrize(
    ("legs", "error"),
    [
        ([], InvalidTransfer),
        ([Leg(1, 0)], InvalidTransfer),
        ([Leg(1, 60)], InvalidTransfer),
        ([Leg(1, -60), Leg(2, 0), Leg(3, 60)], InvalidTransfer),
        ([Leg(1, -60), Leg(1, 60)], InvalidTransfer),
        ([Leg(1, -0.5), Leg(2, 0.5)], InvalidTransfer),
        ([Leg(1, -1.0), Leg(2, 1.0)], InvalidTransfer),
        ([Leg(1, True), Leg(2, -1)], InvalidTransfer),
        ([Leg(1, "60"), Leg(2, -60)], InvalidTransfer),
        ([Leg(1, -60), Leg(2, 59)], Unbalanced),
        ([Leg(1, 60), Leg(2, 60)], Unbalanced),
    ],
)
def test_malformed_transfers_are_refused(legs, error):
    with pytest.raises(error):
        check_legs(legs)


def test_every_ledger_error_is_a_domain_error_with_a_message():
    for error in (
        InvalidTransfer("A transfer cannot move nothing."),
        Unbalanced(),
        Insufficient(unit="minutes"),
        Insufficient(unit="points"),
        Insufficient(),
        OverCap(unit="minutes"),
        OverCap(),
        AlreadyPosted(),
        AlreadyReversed(),
        NotReversible(),
    ):
        assert isinstance(error, LedgerError) and isinstance(error, Invalid)
        assert error.status == 400 and error.message
    assert Insufficient(unit="minutes").message == "There are not enough hours in this account."
    assert Insufficient(unit="points").message == "There are not enough points in this account."


def test_balances_within_zero_and_their_caps_pass():
    check_balances({1: 0, 2: 600, 3: 10}, {1: None, 2: 600, 3: None}, set())
    check_balances({1: -500, 2: 500}, {}, {1})


def test_a_balance_below_zero_is_insufficient_unless_it_may_go_negative():
    with pytest.raises(Insufficient) as refused:
        check_balances({1: -1, 2: 1}, {}, set(), unit="minutes")
    assert refused.value.details == {"unit": "minutes", "account_id": 1, "short": 1}
    assert refused.value.message == "There are not enough hours in this account."
    with pytest.raises(Insufficient):
        check_balances({1: -1, 2: 1}, {}, {2})


def test_a_balance_over_its_cap_is_refused():
    with pytest.raises(OverCap) as refused:
        check_balances({1: -61, 2: 601}, {2: 600}, {1}, unit="minutes")
    assert refused.value.details["account_id"] == 2 and refused.value.details["over"] == 1
    with pytest.raises(OverCap):
        check_balances({1: 1}, {1: 0}, set())


@pytest.mark.parametrize(
    ("amount", "balance", "cap", "split"),
    [
        (60, 0, None, (60, 0)),
        (60, 540, 600, (60, 0)),  # exactly fills the cap
        (60, 570, 600, (30, 30)),
        (60, 600, 600, (0, 60)),  # already full
        (60, 650, 600, (0, 60)),  # over a cap lowered meanwhile: nothing fits
        (1, 0, 0, (0, 1)),
        (600, 0, 600, (600, 0)),
        (601, 0, 600, (600, 1)),
    ],
)
def test_split_at_cap(amount, balance, cap, split):
    assert split_at_cap(amount, balance, cap) == split
    assert sum(split_at_cap(amount, balance, cap)) == amount


@pytest.mark.parametrize("amount", [0, -60, 1.5, True])
def test_split_at_cap_takes_a_credit(amount):
    with pytest.raises(InvalidTransfer):
        split_at_cap(amount, 0, 600)
