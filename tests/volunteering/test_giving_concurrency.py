"""Gifts and decisions made at the same moment, on SQLite and PostgreSQL: twenty gifts of an
hour from an account holding five give exactly five, and the ledger still adds up; two
coordinators deciding on one relative at once decide once.

Each thread has its own session and commits as a view does; they start together at a barrier.
"""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.db import db, utcnow
from portal.ledger import services as ledger
from portal.ledger.models import LedgerTransfer
from portal.notifications.models import SmsMessage
from portal.permissions import SYSTEM, Role
from portal.volunteering import giving, timebank
from portal.volunteering.models import Evidence, Kinship, Relative, RelativeState, Volunteer
from tests import factories
from tests.accounts.test_concurrency import together

RULES = timebank.TimeBankRules()


@pytest.fixture
def app(fresh_app):
    return fresh_app(migrate=True)


def make_world(app, *, held: int, relatives: int) -> tuple[int, list[int]]:
    """A volunteer holding `held` minutes and `relatives` confirmed relatives: the volunteer's
    account id and the relatives' ids."""
    with app.app_context():
        now = utcnow()
        tree = factories.tree(db.session)
        volunteer = factories.volunteer(db.session, tree.community, name="张三丰")
        issuer = timebank.issuer_account(db.session, tree.community, now=now)
        own = timebank.person_account(db.session, volunteer.user, RULES, now=now)
        ledger.post(db.session, SYSTEM, unit="minutes", kind=timebank.BANKED,
                    legs=[(issuer, -held), (own, held)], now=now)  # fmt: skip
        made = []
        for index in range(relatives):
            made.append(
                Relative(
                    volunteer_id=volunteer.id,
                    user_id=factories.user(db.session, name=f"亲属{index}").id,
                    kinship=Kinship.PARENT if index < 2 else Kinship.GRANDPARENT,
                    name=f"亲属{index}",
                    state=RelativeState.CONFIRMED,
                    evidence=Evidence.HOUSEHOLD_REGISTER,
                    declared_at=now,
                    decided_at=now,
                )
            )
        db.session.add_all(made)
        db.session.commit()
        return own.id, [each.id for each in made]


def test_twenty_gifts_of_an_hour_at_once_from_five_hours_give_exactly_five(app):
    account_id, relatives = make_world(app, held=300, relatives=4)

    def give(index: int) -> None:
        relative = db.session.get(Relative, relatives[index % len(relatives)])
        user = db.session.get(Volunteer, relative.volunteer_id).user
        db.session.expire_all()
        giving.give_hours(db.session, user, relative, minutes=60, rules=RULES, now=utcnow())

    results = together(app, 20, give)
    assert Counter(outcome for outcome, _ in results) == {"ok": 5, "Invalid": 15}
    assert {message for outcome, message in results if outcome == "Invalid"} == {
        "You hold 0 hours: give at most that."
    }
    with app.app_context():
        assert ledger.balance(db.session, account_id) == 0
        assert ledger.mismatches(db.session) == []
        assert ledger.unbalanced_transfers(db.session) == []
        gifts = db.session.scalars(
            select(LedgerTransfer).where(LedgerTransfer.kind == timebank.GIVEN)
        ).all()
        assert len(gifts) == 5
        texted = db.session.scalars(
            select(SmsMessage).where(SmsMessage.kind == "time_bank_hours_received")
        ).all()
        assert len(texted) == 5, "each relative given to is texted once a gift"


def test_two_coordinators_deciding_at_once_decide_once(app):
    with app.app_context():
        tree = factories.tree(db.session)
        volunteer = factories.volunteer(db.session, tree.community, name="张三丰")
        waiting = factories.relative(db.session, volunteer, state=RelativeState.DECLARED)
        deciders = [
            factories.user(db.session, Role.COORDINATOR, tree.community).id for _ in range(2)
        ]
        db.session.commit()
        relative_id, phone = waiting.id, volunteer.user.phone

    def decide(index: int) -> None:
        actor = db.session.get(User, deciders[index])
        relative = db.session.get(Relative, relative_id)
        if index == 0:
            giving.confirm_relative(db.session, actor, relative, evidence="certificate",
                                    now=utcnow())  # fmt: skip
        else:
            giving.refuse_relative(db.session, actor, relative, reason="姓名不符", now=utcnow())

    results = together(app, 2, decide)
    assert Counter(outcome for outcome, _ in results) == {"ok": 1, "Invalid": 1}
    with app.app_context():
        decided = db.session.get(Relative, relative_id)
        winner = RelativeState.CONFIRMED if results[0][0] == "ok" else RelativeState.REFUSED
        assert decided.state is winner
        texts = db.session.scalars(select(SmsMessage.kind).where(SmsMessage.phone == phone)).all()
        assert len(texts) == 1, "the volunteer is texted the one decision"
