"""Posting, undoing and reading the ledger, on the database."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from portal.errors import NotFound
from portal.ledger import services as ledger
from portal.ledger.models import (
    AccountKind,
    AppendOnly,
    LedgerAccount,
    LedgerMovement,
    LedgerTransfer,
    Unit,
)
from portal.ledger.rules import (
    AlreadyPosted,
    AlreadyReversed,
    Insufficient,
    InvalidTransfer,
    NotReversible,
    OverCap,
    Unbalanced,
)
from portal.permissions import SYSTEM
from tests.ledger.conftest import NOW, bank


def give(session, books, giver, taker, minutes, **fields):
    return ledger.post(
        session,
        books.alice,
        unit=Unit.MINUTES,
        kind="hours.given",
        legs=[(giver, -minutes), (taker, minutes)],
        now=NOW,
        **fields,
    )


def counts(session) -> tuple[int, int]:
    return (
        session.scalar(select(func.count(LedgerTransfer.id))),
        session.scalar(select(func.count(LedgerMovement.id))),
    )


def test_an_account_is_made_once_and_found_again(session, books):
    again = ledger.account(session, "minutes", "person", user=books.alice)
    assert again.id == books.alice_hours.id and again.cap == 600
    points = ledger.account(session, Unit.POINTS, AccountKind.PERSON, user=books.alice)
    assert points.id != books.alice_hours.id and points.balance == 0
    assert session.scalar(select(func.count(LedgerAccount.id))) == 5


def test_an_account_has_the_owner_its_kind_needs(session, books):
    with pytest.raises(InvalidTransfer):
        ledger.account(session, Unit.MINUTES, AccountKind.PERSON, place=books.community)
    with pytest.raises(InvalidTransfer):
        ledger.account(session, Unit.MINUTES, AccountKind.POOL, user=books.alice)
    with pytest.raises(InvalidTransfer):
        ledger.account(session, Unit.POINTS, AccountKind.PERSON, user=books.alice, cap=-1)
    with pytest.raises(InvalidTransfer):
        ledger.set_cap(session, books.alice_hours, 1.5)


def test_banking_moves_minutes_out_of_the_issuer(session, books):
    transfer = bank(session, books, books.alice_hours, 90, subject="volunteering.attendance:1")
    assert ledger.balance(session, books.alice_hours) == 90
    assert ledger.balance(session, books.issuer.id) == -90, "the issuer alone goes below zero"
    assert transfer.created_by_id == books.coordinator.id
    assert transfer.unit is Unit.MINUTES and transfer.subject == "volunteering.attendance:1"
    assert sorted((m.account_id, m.amount, m.balance_after) for m in transfer.movements) == sorted(
        [(books.issuer.id, -90, -90), (books.alice_hours.id, 90, 90)]
    )


def test_the_command_line_posts_without_a_person(session, books):
    transfer = ledger.post(
        session,
        SYSTEM,
        unit=Unit.MINUTES,
        kind="hours.banked",
        legs=[(books.issuer, -30), (books.bob_hours, 30)],
        now=NOW,
    )
    assert transfer.created_by_id is None


def test_refusals_are_said_in_chinese_to_a_chinese_reader(session, books):
    from flask_babel import force_locale

    with force_locale("zh_Hans_CN"), pytest.raises(Insufficient) as refused:
        give(session, books, books.alice_hours, books.bob_hours, 1)
    assert refused.value.message == "该账户的时长不足。"


def test_the_same_cause_is_posted_once(session, books):
    bank(session, books, books.alice_hours, 60, subject="volunteering.attendance:7")
    with pytest.raises(AlreadyPosted) as refused:
        bank(session, books, books.alice_hours, 60, subject="volunteering.attendance:7")
    assert refused.value.message == "This has already been recorded."
    assert ledger.balance(session, books.alice_hours) == 60
    # Another kind about the same subject, or no subject, is another cause.
    give(
        session, books, books.alice_hours, books.bob_hours, 30, subject="volunteering.attendance:7"
    )
    bank(session, books, books.bob_hours, 10)
    bank(session, books, books.bob_hours, 10)
    assert ledger.balance(session, books.bob_hours) == 50


def test_spending_more_than_the_account_holds_is_refused_and_changes_nothing(session, books):
    bank(session, books, books.alice_hours, 60)
    before = counts(session)
    with pytest.raises(Insufficient) as refused:
        give(session, books, books.alice_hours, books.bob_hours, 61)
    assert refused.value.message == "There are not enough hours in this account."
    assert counts(session) == before
    assert ledger.balance(session, books.alice_hours) == 60
    assert ledger.balance(session, books.bob_hours) == 0
    give(session, books, books.alice_hours, books.bob_hours, 60)
    assert ledger.balance(session, books.alice_hours) == 0


def test_a_pool_cannot_go_below_zero(session, books):
    with pytest.raises(Insufficient):
        ledger.post(
            session,
            books.coordinator,
            unit=Unit.MINUTES,
            kind="hours.spent",
            legs=[(books.pool, -30), (books.bob_hours, 30)],
            now=NOW,
        )


def test_a_credit_over_the_cap_is_refused(session, books):
    bank(session, books, books.alice_hours, 570)
    with pytest.raises(OverCap):
        bank(session, books, books.alice_hours, 31)
    bank(session, books, books.alice_hours, 30)
    assert ledger.balance(session, books.alice_hours) == 600


def test_a_cap_changes_but_never_below_the_balance(session, books):
    bank(session, books, books.alice_hours, 300)
    # Finding the account again never changes its cap (that would lock it out of order).
    assert (
        ledger.account(session, Unit.MINUTES, AccountKind.PERSON, user=books.alice, cap=900).cap
        == 600
    )
    assert ledger.set_cap(session, books.alice_hours, 300).cap == 300
    with pytest.raises(OverCap):
        ledger.set_cap(session, books.alice_hours, 299)
    assert session.get(LedgerAccount, books.alice_hours.id).cap == 300
    with pytest.raises(OverCap):
        bank(session, books, books.alice_hours, 1)
    ledger.set_cap(session, books.alice_hours, None)
    bank(session, books, books.alice_hours, 1000)
    assert ledger.balance(session, books.alice_hours) == 1300


def test_malformed_transfers_are_refused(session, books):
    with pytest.raises(Unbalanced):
        ledger.post(
            session,
            books.alice,
            unit=Unit.MINUTES,
            kind="hours.given",
            legs=[(books.issuer, -60), (books.bob_hours, 59)],
            now=NOW,
        )
    points = ledger.account(session, Unit.POINTS, AccountKind.PERSON, user=books.bob)
    with pytest.raises(InvalidTransfer):
        ledger.post(
            session,
            books.alice,
            unit=Unit.MINUTES,
            kind="hours.given",
            legs=[(books.issuer, -60), (points, 60)],
            now=NOW,
        )
    with pytest.raises(InvalidTransfer):
        bank(session, books, books.alice_hours, 60, subject="x" * 81)
    with pytest.raises(InvalidTransfer):
        give(session, books, books.bob_hours, books.bob_hours, 0)
    assert counts(session) == (0, 0)


def test_a_reversal_moves_the_amounts_back(session, books):
    banked = bank(session, books, books.alice_hours, 120, subject="volunteering.attendance:3")
    undone = ledger.reverse(session, books.coordinator, banked, reason="Counted twice", now=NOW)
    assert undone.kind == ledger.REVERSAL and undone.reverses_id == banked.id
    assert undone.memo == "Counted twice" and undone.created_by_id == books.coordinator.id
    assert ledger.balance(session, books.alice_hours) == 0
    assert ledger.balance(session, books.issuer) == 0
    assert ledger.reversal_of(session, banked).id == undone.id
    assert sorted(m.amount for m in undone.movements) == [-120, 120]


def test_a_transfer_is_reversed_once_and_a_reversal_never(session, books):
    banked = bank(session, books, books.alice_hours, 120)
    undone = ledger.reverse(session, books.coordinator, banked, reason="Wrong person", now=NOW)
    with pytest.raises(AlreadyReversed):
        ledger.reverse(session, books.coordinator, banked, reason="Again", now=NOW)
    with pytest.raises(NotReversible):
        ledger.reverse(session, books.coordinator, undone, reason="Undo the undoing", now=NOW)
    assert counts(session) == (2, 4)


def test_a_reversal_needs_a_reason(session, books):
    banked = bank(session, books, books.alice_hours, 120)
    with pytest.raises(InvalidTransfer):
        ledger.reverse(session, books.coordinator, banked, reason="  ", now=NOW)


def test_hours_spent_meanwhile_cannot_be_reversed(session, books):
    banked = bank(session, books, books.alice_hours, 120)
    give(session, books, books.alice_hours, books.bob_hours, 100)
    with pytest.raises(Insufficient) as refused:
        ledger.reverse(session, books.coordinator, banked, reason="Counted twice", now=NOW)
    assert refused.value.message == "There are not enough hours in this account."
    assert ledger.reversal_of(session, banked) is None
    assert ledger.balance(session, books.alice_hours) == 20


def test_history_is_newest_first_in_pages(session, books):
    made = [bank(session, books, books.bob_hours, minutes) for minutes in range(1, 8)]
    first = ledger.history(session, books.bob_hours, limit=3)
    assert [m.amount for m in first] == [7, 6, 5]
    assert [m.balance_after for m in first] == [28, 21, 15]
    second = ledger.history(session, books.bob_hours.id, before_id=first[-1].id, limit=3)
    assert [m.amount for m in second] == [4, 3, 2]
    last = ledger.history(session, books.bob_hours, before_id=second[-1].id, limit=3)
    assert [m.amount for m in last] == [1]
    assert last[0].transfer.id == made[0].id
    assert ledger.history(session, books.alice_hours) == []


def test_recompute_sums_every_account_and_mismatches_finds_a_wrong_balance(session, books):
    bank(session, books, books.alice_hours, 60)
    give(session, books, books.alice_hours, books.bob_hours, 45)
    assert ledger.recompute(session) == {
        books.issuer.id: -60,
        books.pool.id: 0,
        books.alice_hours.id: 15,
        books.bob_hours.id: 45,
    }
    assert ledger.mismatches(session) == []
    assert ledger.unbalanced_transfers(session) == []
    # A balance written behind the ledger's back (as a bad migration would).
    session.execute(
        update(LedgerAccount).where(LedgerAccount.id == books.bob_hours.id).values(balance=50)
    )
    [wrong] = ledger.mismatches(session)
    assert (wrong.account_id, wrong.kept, wrong.summed) == (books.bob_hours.id, 50, 45)


@pytest.mark.parametrize(
    "change",
    [
        lambda session, t: setattr(t, "memo", "edited"),
        lambda session, t: setattr(t.movements[0], "amount", 61),
        lambda session, t: session.delete(t.movements[0]),
        lambda session, t: session.delete(t),
    ],
    ids=["edit a transfer", "edit a movement", "delete a movement", "delete a transfer"],
)
def test_the_orm_refuses_changes_to_the_ledger(session, books, change):
    transfer = bank(session, books, books.alice_hours, 60)
    change(session, transfer)
    with pytest.raises(AppendOnly):
        session.flush()


@pytest.mark.parametrize(
    "statement",
    [
        update(LedgerMovement).values(amount=1),
        delete(LedgerMovement),
        update(LedgerTransfer).values(memo=""),
        delete(LedgerTransfer),
    ],
)
def test_bulk_changes_to_the_ledger_are_refused(session, books, statement):
    bank(session, books, books.alice_hours, 60)
    with pytest.raises(AppendOnly):
        session.execute(statement)
    assert counts(session) == (1, 2)


def test_reading_a_transfer_leaves_it_unchanged(session, books):
    transfer = bank(session, books, books.alice_hours, 60)
    session.expire_all()
    read = ledger.get_transfer(session, transfer.id)
    assert [m.amount for m in read.movements]
    session.flush()
    with pytest.raises(NotFound):
        ledger.get_transfer(session, transfer.id + 1000)
    with pytest.raises(NotFound):
        ledger.balance(session, 10**9)


def test_the_database_itself_refuses_to_change_or_delete_ledger_rows(session, books):
    """Raw SQL gets past the models' guards; the triggers of the migration do not let it."""
    transfer = bank(session, books, books.alice_hours, 90, subject="volunteering.attendance:7")
    for statement in (
        "UPDATE ledger_movements SET amount = amount * 2",
        "DELETE FROM ledger_movements",
        "UPDATE ledger_transfers SET memo = 'changed'",
        "DELETE FROM ledger_transfers",
    ):
        with pytest.raises(DBAPIError), session.begin_nested():
            session.execute(text(statement))
    assert ledger.get_transfer(session, transfer.id).memo == ""
    assert counts(session)[1] == 2


def test_the_nightly_check_logs_an_error_when_the_ledger_does_not_add_up(session, books, caplog):
    from portal.ledger import check

    bank(session, books, books.alice_hours, 90)
    assert check(session, NOW)
    session.execute(
        text("UPDATE ledger_accounts SET balance = balance + 1 WHERE id = :id"),
        {"id": books.alice_hours.id},
    )
    assert not check(session, NOW)
    assert "do not match their movements" in caplog.text
