"""Posting a batch of transfers at once (post_many): the same guarantees as one post after
another, all or nothing, on the database and under concurrency."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.db import db
from portal.ledger import services as ledger
from portal.ledger.models import LedgerAccount, LedgerMovement, LedgerTransfer, Unit
from portal.ledger.rules import AlreadyPosted, Insufficient, InvalidTransfer, OverCap, Unbalanced
from portal.ledger.services import TransferSpec
from portal.permissions import SYSTEM
from tests.accounts.test_concurrency import outcomes, together
from tests.ledger.conftest import NOW
from tests.ledger.test_concurrency import app, ids  # noqa: F401  (fixtures)


def banking(books, held, minutes, subject=None) -> TransferSpec:
    return TransferSpec("hours.banked", [(books.issuer, -minutes), (held, minutes)], subject)


def post_many(session, books, *specs, unit=Unit.MINUTES):
    return ledger.post_many(session, books.coordinator, unit=unit, transfers=specs, now=NOW)


def counts(session) -> tuple[int, int]:
    return (
        session.scalar(select(func.count(LedgerTransfer.id))),
        session.scalar(select(func.count(LedgerMovement.id))),
    )


def kept(session, *accounts) -> list[int]:
    """The balances the database holds (not the session's objects)."""
    return [ledger.balance(session, held) for held in accounts]


def test_a_batch_posts_every_transfer_in_order_with_running_balances(session, books):
    ledger.post(session, books.coordinator, unit="minutes", kind="hours.banked",
                legs=[(books.issuer, -60), (books.alice_hours, 60)], now=NOW)  # fmt: skip
    written = post_many(
        session,
        books,
        banking(books, books.alice_hours, 90, "volunteering.sign_up:1"),
        banking(books, books.bob_hours, 120, "volunteering.sign_up:2"),
        TransferSpec(
            "hours.banked",
            [(books.issuer, -300), (books.alice_hours, 150), (books.pool, 150)],
            "volunteering.sign_up:3",
            memo="重阳节",
        ),
    )
    assert [t.subject for t in written] == [f"volunteering.sign_up:{n}" for n in (1, 2, 3)]
    assert written[0].id < written[1].id < written[2].id
    assert written[2].memo == "重阳节" and written[2].created_by_id == books.coordinator.id
    assert [(m.account_id, m.amount) for m in written[2].movements] == [
        (books.issuer.id, -300), (books.alice_hours.id, 150), (books.pool.id, 150)
    ]  # fmt: skip
    assert kept(session, books.issuer, books.alice_hours, books.bob_hours, books.pool) == [
        -570, 300, 120, 150
    ]  # fmt: skip
    assert books.alice_hours.balance == 300 and books.issuer.balance == -570
    assert [m.balance_after for m in ledger.history(session, books.issuer)] == [
        -570, -270, -150, -60
    ]  # fmt: skip
    assert [m.balance_after for m in ledger.history(session, books.alice_hours)] == [300, 150, 60]
    assert ledger.mismatches(session) == [] and ledger.unbalanced_transfers(session) == []


def test_a_transfer_may_spend_what_one_before_it_in_the_batch_credited(session, books):
    post_many(
        session,
        books,
        banking(books, books.bob_hours, 60),
        TransferSpec("hours.donated", [(books.bob_hours, -60), (books.pool, 60)]),
    )
    assert kept(session, books.bob_hours, books.pool) == [0, 60]


@pytest.mark.parametrize(
    "refused, error",
    [
        # Alice's cap is 600: the second banking would hold 660.
        (lambda b: banking(b, b.alice_hours, 360), OverCap),
        # Bob spends more than the batch left him.
        (
            lambda b: TransferSpec("hours.given", [(b.bob_hours, -61), (b.alice_hours, 61)]),
            Insufficient,
        ),
        (
            lambda b: TransferSpec("hours.given", [(b.bob_hours, -60), (b.alice_hours, 30)]),
            Unbalanced,
        ),
        (
            lambda b: TransferSpec("hours.given", [(b.bob_hours, -0.5), (b.alice_hours, 0.5)]),
            InvalidTransfer,
        ),
        (lambda b: TransferSpec("", [(b.issuer, -30), (b.alice_hours, 30)]), InvalidTransfer),
        (lambda b: banking(b, b.alice_hours, 30, "volunteering.sign_up:1"), AlreadyPosted),
    ],
)
def test_a_refused_batch_writes_nothing(session, books, refused, error):
    before = counts(session)
    with pytest.raises(error):
        post_many(
            session,
            books,
            banking(books, books.alice_hours, 300, "volunteering.sign_up:1"),
            banking(books, books.bob_hours, 60, "volunteering.sign_up:2"),
            refused(books),
        )
    assert counts(session) == before
    assert kept(session, books.issuer, books.alice_hours, books.bob_hours) == [0, 0, 0]
    # Nothing half-done stands in the way of posting the good ones after.
    post_many(session, books, banking(books, books.alice_hours, 300, "volunteering.sign_up:1"))
    assert kept(session, books.alice_hours) == [300]


def test_a_cause_already_in_the_ledger_refuses_the_whole_batch(session, books):
    post_many(session, books, banking(books, books.alice_hours, 60, "volunteering.sign_up:7"))
    before = counts(session)
    with pytest.raises(AlreadyPosted):
        post_many(
            session,
            books,
            banking(books, books.bob_hours, 60, "volunteering.sign_up:8"),
            banking(books, books.alice_hours, 60, "volunteering.sign_up:7"),
        )
    assert counts(session) == before and kept(session, books.bob_hours) == [0]
    # Another kind about the same subject is another cause.
    post_many(
        session,
        books,
        TransferSpec(
            "hours.given",
            [(books.alice_hours, -30), (books.bob_hours, 30)],
            "volunteering.sign_up:7",
        ),
    )
    assert kept(session, books.alice_hours, books.bob_hours) == [30, 30]


def test_an_empty_batch_posts_nothing_and_units_never_mix(session, books):
    assert post_many(session, books) == []
    points = ledger.account(session, Unit.POINTS, "person", user=books.alice)
    with pytest.raises(InvalidTransfer):
        post_many(session, books, banking(books, points, 30))
    assert counts(session) == (0, 0)


# --- on committed data, threads at once (SQLite and PostgreSQL) ------------------------------


def spend_in_batches(source: int, target: int):
    """Each thread donates 30 minutes twice in one batch."""

    def action(_index: int) -> None:
        giver = db.session.get(LedgerAccount, source)
        pool = db.session.get(LedgerAccount, target)
        donation = TransferSpec("hours.donated", [(giver, -30), (pool, 30)])
        ledger.post_many(
            db.session, SYSTEM, unit=Unit.MINUTES, transfers=[donation, donation], now=NOW
        )

    return action


def test_ten_batches_spending_from_five_hours_at_once_leave_exactly_zero(app, ids):  # noqa: F811
    results = together(app, 10, spend_in_batches(ids["hours"], ids["pool"]))
    assert outcomes(results) == {"ok": 5, "Insufficient": 5}
    with app.app_context():
        assert ledger.balance(db.session, ids["hours"]) == 0
        assert ledger.balance(db.session, ids["pool"]) == 300
        assert ledger.mismatches(db.session) == []
        assert ledger.unbalanced_transfers(db.session) == []


def test_ten_posting_one_batch_at_once_post_it_once(app, ids):  # noqa: F811
    def action(_index: int) -> None:
        issuer = db.session.get(LedgerAccount, ids["issuer"])
        hours = db.session.get(LedgerAccount, ids["hours"])
        pool = db.session.get(LedgerAccount, ids["pool"])
        ledger.post_many(db.session, SYSTEM, unit=Unit.MINUTES, now=NOW, transfers=[
            TransferSpec("hours.banked", [(issuer, -60), (hours, 60)], "volunteering.sign_up:1"),
            TransferSpec("hours.banked", [(issuer, -90), (pool, 90)], "volunteering.sign_up:2"),
        ])  # fmt: skip

    results = together(app, 10, action)
    assert outcomes(results) == {"ok": 1, "AlreadyPosted": 9}
    with app.app_context():
        subjects = db.session.scalars(
            select(LedgerTransfer.subject).where(LedgerTransfer.subject.is_not(None))
        ).all()
        assert sorted(subjects) == ["volunteering.sign_up:1", "volunteering.sign_up:2"]
        assert ledger.balance(db.session, ids["hours"]) == 360
        assert ledger.balance(db.session, ids["pool"]) == 90
        assert ledger.mismatches(db.session) == []
