"""`flask --app portal timebank apply-cap`: a district lowers (or raises) the time bank's cap,
and the accounts already open take it, without losing an hour."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.db import db
from portal.errors import Forbidden
from portal.ledger import services as ledger
from portal.ledger.models import AccountKind, LedgerAccount, Unit
from portal.ledger.rules import OverCap
from portal.permissions import SYSTEM, Role
from portal.volunteering import timebank
from portal.volunteering.timebank import TimeBankRules
from tests import factories
from tests.accounts.test_concurrency import outcomes, together
from tests.ledger.conftest import NOW

pytestmark = pytest.mark.usefixtures("english_terminal")

OLD_CAP, NEW_CAP = 1500 * 60, 100 * 60


@pytest.fixture
def cli_app(fresh_app):
    """A district that has just lowered its cap from 1,500 hours to 100."""
    return fresh_app(migrate=True, TIME_BANK_CAP_HOURS=100)


def apply_cap(app, *args: str):
    return app.test_cli_runner().invoke(args=["timebank", "apply-cap", *args])


def open_accounts(app, held: dict[str, int]) -> dict[str, int]:
    """People's accounts under the old cap, each banked `held` minutes; a pool and a points
    account beside them. Their ids by name."""
    with app.app_context():
        tree = factories.tree(db.session)
        issuer = ledger.account(db.session, Unit.MINUTES, AccountKind.ISSUER, place=tree.district)
        ids = {}
        for name, minutes in held.items():
            user = factories.user(db.session, name=name)
            account = ledger.account(
                db.session, Unit.MINUTES, AccountKind.PERSON, user=user, cap=OLD_CAP
            )
            if minutes:
                ledger.post(
                    db.session, SYSTEM, unit=Unit.MINUTES, kind=timebank.BANKED,
                    legs=[(issuer, -minutes), (account, minutes)], now=NOW,
                )  # fmt: skip
            ids[name] = account.id
        ids["pool"] = ledger.account(
            db.session, Unit.MINUTES, AccountKind.POOL, place=tree.community
        ).id
        points_owner = factories.user(db.session, name="积分")
        ids["points"] = ledger.account(
            db.session, Unit.POINTS, AccountKind.PERSON, user=points_owner, cap=500
        ).id
        db.session.commit()
        return ids


def caps(app, ids: dict[str, int]) -> dict[str, int | None]:
    with app.app_context():
        return {name: db.session.get(LedgerAccount, id_).cap for name, id_ in ids.items()}


def bank(app, account_id: int, minutes: int) -> None:
    with app.app_context():
        held = db.session.get(LedgerAccount, account_id)
        issuer = db.session.scalar(
            select(LedgerAccount).where(LedgerAccount.kind == AccountKind.ISSUER)
        )
        ledger.post(
            db.session, SYSTEM, unit=Unit.MINUTES, kind=timebank.BANKED,
            legs=[(issuer, -minutes), (held, minutes)], now=NOW,
        )  # fmt: skip
        db.session.commit()


def test_every_account_takes_the_new_cap_in_batches(cli_app):
    ids = open_accounts(cli_app, {"张": 0, "王": 120, "李": 3000, "赵": 5970, "钱": 6000})
    result = apply_cap(cli_app, "--batch", "2")
    assert result.exit_code == 0, result.output
    assert result.output == "5 accounts changed; the cap is 100 hours.\n"
    assert caps(cli_app, ids) == {
        "张": NEW_CAP, "王": NEW_CAP, "李": NEW_CAP, "赵": NEW_CAP, "钱": NEW_CAP,
        "pool": None, "points": 500,
    }  # fmt: skip
    with cli_app.app_context():
        events = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "volunteering.cap_applied")
            .order_by(AuditEvent.id)
        ).all()
        assert [event.details["changed"] for event in events] == [
            [ids["张"], ids["王"]], [ids["李"], ids["赵"]], [ids["钱"]]
        ]  # fmt: skip
        assert {(event.origin, event.details["cap"]) for event in events} == {("cli", NEW_CAP)}
    # Nothing left to change: a second run says so and writes nothing.
    result = apply_cap(cli_app)
    assert result.output == "0 accounts changed; the cap is 100 hours.\n"
    # The account at the new cap receives nothing more; the one below it, up to the cap.
    with pytest.raises(OverCap):
        bank(cli_app, ids["钱"], 30)
    bank(cli_app, ids["赵"], 30)
    with pytest.raises(OverCap):
        bank(cli_app, ids["赵"], 30)


def test_an_account_over_the_new_cap_keeps_its_hours_and_receives_nothing_more(cli_app):
    ids = open_accounts(cli_app, {"王": 120, "李": 7200})
    result = apply_cap(cli_app)
    assert result.exit_code == 0, result.output
    assert result.output == (
        "2 accounts changed; the cap is 100 hours.\n"
        "1 account holds more than that: it keeps its hours, capped at what it holds, and "
        "receives nothing more until it is under. Run this again later.\n"
    )
    assert caps(cli_app, ids)["李"] == 7200
    with cli_app.app_context():
        assert ledger.balance(db.session, ids["李"]) == 7200
        assert ledger.mismatches(db.session) == []
    with pytest.raises(OverCap):
        bank(cli_app, ids["李"], 30)
    # They spend an hour; the next run lowers their cap to what they hold, then to the cap.
    with cli_app.app_context():
        spender = db.session.get(LedgerAccount, ids["李"])
        pool = db.session.get(LedgerAccount, ids["pool"])
        ledger.post(
            db.session, SYSTEM, unit=Unit.MINUTES, kind=timebank.DONATED,
            legs=[(spender, -60), (pool, 60)], now=NOW,
        )  # fmt: skip
        db.session.commit()
    result = apply_cap(cli_app)
    assert result.output.startswith("1 account changed; the cap is 100 hours.\n1 account holds")
    assert caps(cli_app, ids)["李"] == 7140
    with cli_app.app_context():
        spender = db.session.get(LedgerAccount, ids["李"])
        pool = db.session.get(LedgerAccount, ids["pool"])
        ledger.post(
            db.session, SYSTEM, unit=Unit.MINUTES, kind=timebank.DONATED,
            legs=[(spender, -1200), (pool, 1200)], now=NOW,
        )  # fmt: skip
        db.session.commit()
    result = apply_cap(cli_app)
    assert result.output == "1 account changed; the cap is 100 hours.\n"
    assert caps(cli_app, ids)["李"] == NEW_CAP


def test_a_raised_cap_reaches_every_account(fresh_app):
    app = fresh_app(migrate=True, TIME_BANK_CAP_HOURS=2000)
    ids = open_accounts(app, {"王": 120, "李": OLD_CAP})
    result = apply_cap(app)
    assert result.output == "2 accounts changed; the cap is 2,000 hours.\n"
    assert caps(app, ids) == {"王": 120_000, "李": 120_000, "pool": None, "points": 500}
    bank(app, ids["李"], 30)


def test_only_an_administrator_of_the_whole_portal_applies_the_cap(session, app_context):
    tree = factories.tree(session)
    held = ledger.account(
        session, Unit.MINUTES, AccountKind.PERSON, user=factories.user(session), cap=OLD_CAP
    )
    rules = TimeBankRules(cap_minutes=NEW_CAP)
    for who in (
        factories.user(session, Role.ADMIN, tree.district),
        factories.user(session, Role.SECRETARY, tree.community),
    ):
        with pytest.raises(Forbidden):
            timebank.apply_cap(session, who, rules, now=NOW)
    assert held.cap == OLD_CAP
    admin = factories.user(session, Role.ADMIN)
    done = timebank.apply_cap(session, admin, rules, now=NOW)
    assert (done.changed, done.held_above, done.last_id, held.cap) == (1, 0, held.id, NEW_CAP)


def test_a_banking_and_the_new_cap_at_once_lose_no_hour(fresh_app):
    """An hour banked into an account just under the new cap as the cap is applied: either the
    banking goes first and the account is capped at what it then holds, or the cap goes first
    and the banking is refused (confirming sends such hours to the pool)."""
    app = fresh_app(migrate=True, TIME_BANK_CAP_HOURS=100)
    ids = open_accounts(app, {"王": NEW_CAP - 30})
    rules = app.extensions[timebank.RULES]

    def action(index: int) -> None:
        if index == 0:
            timebank.apply_cap(db.session, SYSTEM, rules, now=NOW)
            return
        held = db.session.get(LedgerAccount, ids["王"])
        issuer = db.session.scalar(
            select(LedgerAccount).where(LedgerAccount.kind == AccountKind.ISSUER)
        )
        ledger.post(
            db.session, SYSTEM, unit=Unit.MINUTES, kind=timebank.BANKED,
            legs=[(issuer, -60), (held, 60)], now=NOW,
        )  # fmt: skip

    results = together(app, 2, action)
    with app.app_context():
        held = db.session.get(LedgerAccount, ids["王"])
        if outcomes(results)["ok"] == 2:
            assert (held.balance, held.cap) == (NEW_CAP + 30, NEW_CAP + 30)
        else:
            assert results[1][0] == "OverCap"
            assert (held.balance, held.cap) == (NEW_CAP - 30, NEW_CAP)
        assert ledger.mismatches(db.session) == []
