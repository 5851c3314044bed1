"""`flask --app portal ledger check` on a database of its own."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from portal.db import db
from portal.ledger import services as ledger
from portal.ledger.models import AccountKind, LedgerAccount, LedgerMovement, Unit
from portal.permissions import SYSTEM
from tests import factories
from tests.ledger.conftest import NOW

pytestmark = pytest.mark.usefixtures("english_terminal")


@pytest.fixture
def cli_app(fresh_app):
    return fresh_app(migrate=True)


def check(app):
    return app.test_cli_runner().invoke(args=["ledger", "check"])


def banked(app) -> tuple[int, int]:
    """Two hours banked to a volunteer: (the volunteer's account, the transfer)."""
    with app.app_context():
        tree = factories.tree(db.session)
        issuer = ledger.account(db.session, Unit.MINUTES, AccountKind.ISSUER, place=tree.district)
        hours = ledger.account(
            db.session, Unit.MINUTES, AccountKind.PERSON, user=factories.user(db.session)
        )
        transfer = ledger.post(
            db.session,
            SYSTEM,
            unit=Unit.MINUTES,
            kind="hours.banked",
            legs=[(issuer, -120), (hours, 120)],
            now=NOW,
        )
        db.session.commit()
        return hours.id, transfer.id


def test_a_ledger_that_adds_up_passes(cli_app):
    result = check(cli_app)
    assert result.exit_code == 0, result.output
    assert result.output == "The ledger adds up: 0 accounts checked.\n"
    banked(cli_app)
    result = check(cli_app)
    assert result.exit_code == 0, result.output
    assert result.output == "The ledger adds up: 2 accounts checked.\n"


def test_a_balance_changed_behind_the_ledgers_back_fails_the_check(cli_app):
    hours_id, _transfer_id = banked(cli_app)
    with cli_app.app_context():
        db.session.execute(
            update(LedgerAccount).where(LedgerAccount.id == hours_id).values(balance=180)
        )
        db.session.commit()
    result = check(cli_app)
    assert result.exit_code == 1
    assert result.output == (
        f"Account {hours_id} (person, minutes) keeps 180 but its movements add up to 120.\n"
    )


def test_a_transfer_that_does_not_add_up_fails_the_check(cli_app):
    hours_id, transfer_id = banked(cli_app)
    with cli_app.app_context():
        # A movement written behind the ledger's back, its balance kept in step.
        db.session.add(
            LedgerMovement(
                transfer_id=transfer_id,
                account_id=hours_id,
                amount=30,
                balance_after=150,
                created_at=NOW,
            )
        )
        db.session.execute(
            update(LedgerAccount).where(LedgerAccount.id == hours_id).values(balance=150)
        )
        db.session.commit()
    result = check(cli_app)
    assert result.exit_code == 1
    assert result.output == f"Transfer {transfer_id} does not add up to zero.\n"
