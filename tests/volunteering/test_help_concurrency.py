"""Coordinators confirming help at the same moment, on SQLite and PostgreSQL: one elder's stored
hours pay for exactly as much help as they cover, to the minute, and one request confirmed by
two coordinators at once is paid once.

Each thread has its own session and commits as a view does; they start together at a barrier.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.db import db, utcnow
from portal.ledger import services as ledger
from portal.ledger.models import LedgerTransfer, Unit
from portal.permissions import SYSTEM, Role
from portal.volunteering import help_requests as services
from portal.volunteering import timebank
from portal.volunteering.models import HelpRequest, HelpState
from tests import factories
from tests.accounts.test_concurrency import outcomes, together


@pytest.fixture
def app(fresh_app):
    return fresh_app(migrate=True)


def make_world(app, *, requests: int, held: int, volunteers: int = 4) -> dict:
    """An elder holding `held` minutes, `requests` matched requests for an hour of help each
    (started an hour ago), and two coordinators of the community."""
    with app.app_context():
        rules = app.extensions[timebank.RULES]
        now = utcnow()
        tree = factories.tree(db.session)
        coordinators = [
            factories.user(db.session, Role.COORDINATOR, tree.community, name=f"协调员{i}")
            for i in range(2)
        ]
        elder = factories.elder(db.session, tree.community, born=date(1950, 1, 1))
        issuer = timebank.issuer_account(db.session, tree.community, now=now)
        own = timebank.person_account(db.session, elder.user, rules, now=now)
        # Enough to ask for them all; then all but `held` is spent some other way (a gift),
        # so that the requests promise more than the elder holds when they are confirmed.
        asked_for = max(held, requests * 60)
        ledger.post(db.session, SYSTEM, unit=Unit.MINUTES, kind=timebank.BANKED,
                    legs=[(issuer, -asked_for), (own, asked_for)], now=now)  # fmt: skip
        helpers = [
            factories.volunteer(db.session, tree.community, name=f"志愿者{i}")
            for i in range(volunteers)
        ]
        made = []
        for index in range(requests):
            asked = services.ask_for_help(
                db.session, elder.user, elder, service_kind="company",
                starts_at=now + timedelta(minutes=1 + index), minutes=60, location="幸福里12栋",
                note="", payer="own", rules=rules, now=now - timedelta(hours=1),
            )  # fmt: skip
            services.match_volunteer(
                db.session, coordinators[0], asked, volunteer=helpers[index % volunteers],
                now=now - timedelta(hours=1),
            )  # fmt: skip
            made.append(asked.id)
        if asked_for > held:
            ledger.post(db.session, SYSTEM, unit=Unit.MINUTES, kind=timebank.BANKED,
                        legs=[(own, held - asked_for), (issuer, asked_for - held)],
                        now=now)  # fmt: skip
        db.session.commit()
        return {
            "requests": made,
            "coordinators": [each.id for each in coordinators],
            "elder_user": elder.user_id,
            "own": own.id,
            "volunteer_users": [each.user_id for each in helpers],
        }


def confirm(app, request_id: int, coordinator_id: int) -> None:
    services.confirm_done(
        db.session,
        db.session.get(User, coordinator_id),
        db.session.get(HelpRequest, request_id),
        minutes=60,
        rules=app.extensions[timebank.RULES],
        now=utcnow() + timedelta(hours=1),
    )


def test_twenty_confirmations_paid_from_hours_covering_five_pay_exactly_five(app):
    world = make_world(app, requests=20, held=5 * 60)
    results = together(
        app, 20, lambda i: confirm(app, world["requests"][i], world["coordinators"][i % 2])
    )
    assert outcomes(results) == {"ok": 5, "Invalid": 15}
    refused = {message for outcome, message in results if outcome == "Invalid"}
    assert refused == {"The older resident holds 0 hours: confirm at most that much."}
    with app.app_context():
        states = db.session.scalars(
            select(HelpRequest.state).where(HelpRequest.id.in_(world["requests"]))
        ).all()
        assert sorted(states) == sorted([HelpState.DONE] * 5 + [HelpState.MATCHED] * 15)
        assert ledger.balance(db.session, world["own"]) == 0
        paid = db.session.scalar(
            select(func.count())
            .select_from(LedgerTransfer)
            .where(LedgerTransfer.kind == timebank.SPENT)
        )
        assert paid == 5
        rules = app.extensions[timebank.RULES]
        earned = sum(
            timebank.person_account(
                db.session, db.session.get(User, user_id), rules, now=utcnow()
            ).balance
            for user_id in world["volunteer_users"]
        )
        assert earned == 5 * 60
        assert ledger.mismatches(db.session) == []
        assert ledger.unbalanced_transfers(db.session) == []


def test_two_coordinators_confirming_the_same_help_at_once_pay_it_once(app):
    world = make_world(app, requests=1, held=10 * 60, volunteers=1)
    (request_id,) = world["requests"]
    results = together(app, 2, lambda i: confirm(app, request_id, world["coordinators"][i]))
    assert outcomes(results) == {"ok": 1, "Invalid": 1}
    with app.app_context():
        assert ledger.balance(db.session, world["own"]) == 9 * 60
        transfers = db.session.scalars(
            select(LedgerTransfer).where(LedgerTransfer.kind == timebank.SPENT)
        ).all()
        assert [each.subject for each in transfers] == [f"volunteering.help:{request_id}"]
        assert db.session.get(HelpRequest, request_id).state is HelpState.DONE
        assert ledger.mismatches(db.session) == []


def test_two_asks_at_once_for_the_last_hours_one_wins(app):
    with app.app_context():
        rules = app.extensions[timebank.RULES]
        now = utcnow()
        tree = factories.tree(db.session)
        elder = factories.elder(db.session, tree.community, born=date(1950, 1, 1))
        issuer = timebank.issuer_account(db.session, tree.community, now=now)
        own = timebank.person_account(db.session, elder.user, rules, now=now)
        ledger.post(db.session, SYSTEM, unit=Unit.MINUTES, kind=timebank.BANKED,
                    legs=[(issuer, -90), (own, 90)], now=now)  # fmt: skip
        db.session.commit()
        elder_id = elder.id

    def ask(index: int) -> None:
        from portal.volunteering.models import Elder

        asking = db.session.get(Elder, elder_id)
        services.ask_for_help(
            db.session, asking.user, asking, service_kind="company",
            starts_at=utcnow() + timedelta(days=1, hours=index), minutes=90,
            location="幸福里12栋", note="", payer="own", rules=rules, now=utcnow(),
        )  # fmt: skip

    results = together(app, 2, ask)
    assert outcomes(results) == {"ok": 1, "Invalid": 1}
    with app.app_context():
        made = db.session.scalars(select(HelpRequest)).all()
        assert [(each.minutes, each.state) for each in made] == [(90, HelpState.ASKED)]


def test_a_request_sent_twice_at_once_is_made_once(app):
    with app.app_context():
        rules = app.extensions[timebank.RULES]
        now = utcnow()
        tree = factories.tree(db.session)
        elder = factories.elder(db.session, tree.community, born=date(1950, 1, 1))
        issuer = timebank.issuer_account(db.session, tree.community, now=now)
        own = timebank.person_account(db.session, elder.user, rules, now=now)
        ledger.post(db.session, SYSTEM, unit=Unit.MINUTES, kind=timebank.BANKED,
                    legs=[(issuer, -600), (own, 600)], now=now)  # fmt: skip
        db.session.commit()
        elder_id = elder.id
    starts_at = (utcnow() + timedelta(days=1)).replace(microsecond=0)

    def ask(_index: int) -> None:
        from portal.volunteering.models import Elder

        asking = db.session.get(Elder, elder_id)
        services.ask_for_help(
            db.session, asking.user, asking, service_kind="company", starts_at=starts_at,
            minutes=60, location="幸福里12栋", note="", payer="own", rules=rules, now=utcnow(),
        )  # fmt: skip

    results = together(app, 2, ask)
    assert outcomes(results) == {"ok": 1, "Invalid": 1}
    assert ("Invalid", "Help at this time has been asked for already.") in results
    with app.app_context():
        assert len(db.session.scalars(select(HelpRequest)).all()) == 1
