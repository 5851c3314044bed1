"""Volunteers spending from one account, coordinators confirming one attendance and accounts
opened at the same moment, on SQLite and PostgreSQL: the ledger holds exactly.

Each thread has its own session and commits as a view does; they start together at a barrier.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.db import db
from portal.ledger import services as ledger
from portal.ledger.models import AccountKind, LedgerAccount, LedgerTransfer, Unit
from portal.permissions import SYSTEM
from tests import factories
from tests.accounts.test_concurrency import outcomes, together
from tests.ledger.conftest import NOW


@pytest.fixture
def app(fresh_app):
    return fresh_app(migrate=True)


@pytest.fixture
def ids(app) -> dict[str, int]:
    """A volunteer holding 300 minutes banked from the district, and the community's pool."""
    with app.app_context():
        tree = factories.tree(db.session)
        volunteer = factories.user(db.session, name="王大爷")
        issuer = ledger.account(db.session, Unit.MINUTES, AccountKind.ISSUER, place=tree.district)
        pool = ledger.account(db.session, Unit.MINUTES, AccountKind.POOL, place=tree.community)
        hours = ledger.account(db.session, Unit.MINUTES, AccountKind.PERSON, user=volunteer)
        ledger.post(
            db.session,
            SYSTEM,
            unit=Unit.MINUTES,
            kind="hours.banked",
            legs=[(issuer, -300), (hours, 300)],
            now=NOW,
        )
        db.session.commit()
        return {
            "issuer": issuer.id,
            "pool": pool.id,
            "hours": hours.id,
            "volunteer": volunteer.id,
            "community": tree.community.id,
        }


def move(kind: str, source: int, target: int, minutes: int, subject: str | None = None):
    def action(_index: int) -> None:
        ledger.post(
            db.session,
            SYSTEM,
            unit=Unit.MINUTES,
            kind=kind,
            legs=[
                (db.session.get(LedgerAccount, source), -minutes),
                (db.session.get(LedgerAccount, target), minutes),
            ],
            subject=subject,
            now=NOW,
        )

    return action


def test_twenty_spending_an_hour_each_from_five_hours_leave_exactly_zero(app, ids):
    results = together(app, 20, move("hours.donated", ids["hours"], ids["pool"], 60))
    assert outcomes(results) == {"ok": 5, "Insufficient": 15}
    assert {message for outcome, message in results if outcome != "ok"} == {
        "There are not enough hours in this account."
    }
    with app.app_context():
        assert ledger.balance(db.session, ids["hours"]) == 0
        assert ledger.balance(db.session, ids["pool"]) == 300
        assert ledger.recompute(db.session)[ids["hours"]] == 0
        assert ledger.mismatches(db.session) == []
        assert [m.balance_after for m in ledger.history(db.session, ids["hours"])] == [
            0, 60, 120, 180, 240, 300
        ]  # fmt: skip


def test_twenty_posting_one_cause_at_once_post_it_once(app, ids):
    subject = "volunteering.attendance:42"
    results = together(app, 20, move("hours.banked", ids["issuer"], ids["hours"], 90, subject))
    assert outcomes(results) == {"ok": 1, "AlreadyPosted": 19}
    with app.app_context():
        count = db.session.scalar(
            select(func.count(LedgerTransfer.id)).where(LedgerTransfer.subject == subject)
        )
        assert count == 1
        assert ledger.balance(db.session, ids["hours"]) == 390
        assert ledger.mismatches(db.session) == []


def test_two_transfers_crossing_the_same_accounts_do_not_deadlock(app, ids):
    with app.app_context():
        ledger.post(
            db.session,
            SYSTEM,
            unit=Unit.MINUTES,
            kind="hours.banked",
            legs=[(db.session.get(LedgerAccount, ids["issuer"]), -300),
                  (db.session.get(LedgerAccount, ids["pool"]), 300)],
            now=NOW,
        )  # fmt: skip
        db.session.commit()
    forth = move("hours.donated", ids["hours"], ids["pool"], 10)
    back = move("hours.spent", ids["pool"], ids["hours"], 10)
    results = together(app, 20, lambda i: (forth if i % 2 else back)(i))
    assert outcomes(results) == {"ok": 20}
    with app.app_context():
        assert ledger.balance(db.session, ids["hours"]) == 300
        assert ledger.balance(db.session, ids["pool"]) == 300
        assert ledger.mismatches(db.session) == []


def test_ten_undoing_one_transfer_at_once_undo_it_once(app, ids):
    with app.app_context():
        banked = ledger.post(
            db.session,
            SYSTEM,
            unit=Unit.MINUTES,
            kind="hours.banked",
            legs=[(db.session.get(LedgerAccount, ids["issuer"]), -60),
                  (db.session.get(LedgerAccount, ids["hours"]), 60)],
            now=NOW,
        )  # fmt: skip
        db.session.commit()
        banked_id = banked.id

    def undo(_index: int) -> None:
        transfer = ledger.get_transfer(db.session, banked_id)
        ledger.reverse(db.session, SYSTEM, transfer, reason="Counted twice", now=NOW)

    results = together(app, 10, undo)
    assert outcomes(results) == {"ok": 1, "AlreadyReversed": 9}
    with app.app_context():
        assert ledger.balance(db.session, ids["hours"]) == 300
        assert ledger.mismatches(db.session) == []


def test_ten_opening_one_account_at_once_open_one(app, ids):
    def open_account(_index: int) -> None:
        place = db.session.get(factories.Place, ids["community"])
        ledger.account(db.session, Unit.POINTS, AccountKind.POOL, place=place)

    results = together(app, 10, open_account)
    assert outcomes(results) == {"ok": 10}
    with app.app_context():
        count = db.session.scalar(
            select(func.count(LedgerAccount.id)).where(LedgerAccount.unit == Unit.POINTS)
        )
    assert count == 1
