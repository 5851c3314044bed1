"""Coordinators confirming the same attendance at the same moment, on SQLite and PostgreSQL:
the hours are banked once and every balance is exact.

Each thread has its own session and commits as a view does; they start together at a barrier.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.db import db
from portal.ledger import services as ledger
from portal.ledger.models import AccountKind, LedgerAccount, LedgerTransfer
from portal.permissions import Role
from portal.volunteering import confirming
from portal.volunteering.models import Activity, SignUp
from tests import factories
from tests.accounts.test_concurrency import together
from tests.volunteering.attendance_world import AFTER, attended, seat, world


@pytest.fixture
def app(fresh_app):
    return fresh_app(migrate=True)


def made(app, volunteers: int = 1) -> dict:
    """An ended activity with `volunteers` attended for 90 minutes each, and two coordinators."""
    with app.app_context():
        w = world(db.session)
        w.sign_up.checked_in_at = w.activity.starts_at
        w.sign_up.checked_out_at = w.activity.starts_at + timedelta(minutes=90)
        for _ in range(volunteers - 1):
            attended(db.session, w.activity, factories.volunteer(db.session, w.tree.community), 90)
        second = factories.user(db.session, Role.SECRETARY, w.tree.community)
        db.session.commit()
        return {
            "activity": w.activity.id,
            "sign_up": w.sign_up.id,
            "coordinators": [w.coordinator.id, second.id],
        }


def coordinator(ids: dict, index: int):
    from portal.accounts.models import User

    return db.session.get(User, ids["coordinators"][index % 2])


def confirm_one(ids: dict, index: int) -> None:
    sign_up = db.session.get(SignUp, ids["sign_up"])
    confirming.confirm(db.session, coordinator(ids, index), sign_up, now=AFTER)


def confirm_all(ids: dict, index: int) -> None:
    activity = db.session.get(Activity, ids["activity"])
    confirming.confirm_all(db.session, coordinator(ids, index), activity, now=AFTER)


def person_balances(app) -> list[int]:
    with app.app_context():
        return sorted(
            db.session.scalars(
                select(LedgerAccount.balance).where(LedgerAccount.kind == AccountKind.PERSON)
            )
        )


def check_ledger(app, banked: int, total: int) -> None:
    with app.app_context():
        transfers = db.session.scalar(
            select(func.count(LedgerTransfer.id)).where(LedgerTransfer.kind == "hours.banked")
        )
        issuer = db.session.scalar(
            select(LedgerAccount.balance).where(LedgerAccount.kind == AccountKind.ISSUER)
        )
        assert transfers == banked
        assert issuer == -total
        assert ledger.mismatches(db.session) == []
        assert ledger.unbalanced_transfers(db.session) == []


def test_two_coordinators_confirming_one_attendance_bank_it_once(app):
    ids = made(app)
    results = together(app, 2, lambda i: confirm_one(ids, i))
    assert Counter(outcome for outcome, _ in results) == {"ok": 1, "Invalid": 1}
    assert {message for outcome, message in results if outcome != "ok"} == {
        "These hours are already confirmed."
    }
    assert person_balances(app) == [90]
    check_ledger(app, banked=1, total=90)


def test_eight_coordinators_confirming_at_once_bank_once(app):
    ids = made(app)
    results = together(app, 8, lambda i: confirm_one(ids, i))
    assert Counter(outcome for outcome, _ in results) == {"ok": 1, "Invalid": 7}
    assert person_balances(app) == [90]
    check_ledger(app, banked=1, total=90)


def test_confirm_all_racing_a_single_confirmation_banks_each_once(app):
    ids = made(app, volunteers=5)
    actions = [confirm_all, confirm_one, confirm_all, confirm_one]
    results = together(app, 4, lambda i: actions[i](ids, i))
    # A confirm-all never refuses (it skips what is confirmed); of the single confirmations, one
    # wins unless a confirm-all got there first.
    singles = Counter(results[i][0] for i in (1, 3))
    assert singles["ok"] <= 1 and singles["ok"] + singles["Invalid"] == 2
    assert results[0][0] == results[2][0] == "ok"
    assert person_balances(app) == [90] * 5
    check_ledger(app, banked=5, total=450)
    with app.app_context():
        assert (
            db.session.scalar(select(func.count(SignUp.id)).where(SignUp.confirmed_at.is_(None)))
            == 0
        )
        assert db.session.get(SignUp, ids["sign_up"]).confirmations == 1


def test_two_activities_of_the_same_volunteers_confirmed_at_once_bank_all(app):
    """Confirm-all of two activities with the same volunteers, and single confirmations of
    the second, at once: every attendance banked once, and nobody waits on anybody for ever."""
    with app.app_context():
        w = world(db.session)
        volunteers = [w.volunteer] + [
            factories.volunteer(db.session, w.tree.community) for _ in range(3)
        ]
        w.sign_up.checked_in_at = w.activity.starts_at
        w.sign_up.checked_out_at = w.activity.starts_at + timedelta(minutes=60)
        for volunteer in volunteers[1:]:
            attended(db.session, w.activity, volunteer, 60)
        second = factories.activity(db.session, w.tree.community, starts_at=w.activity.starts_at)
        seconds = [attended(db.session, second, volunteer, 30) for volunteer in volunteers]
        db.session.commit()
        ids = {"coordinators": [w.coordinator.id, w.coordinator.id]}
        activities = [w.activity.id, second.id]
        second_sign_ups = [sign_up.id for sign_up in seconds]

    def act(index: int) -> None:
        if index < 2:
            confirm_all({**ids, "activity": activities[index]}, index)
        else:
            confirm_one({**ids, "sign_up": second_sign_ups[index - 2]}, index)

    together(app, 2 + len(second_sign_ups), act)
    assert person_balances(app) == [90] * 4
    check_ledger(app, banked=8, total=360)


def test_a_group_scanning_the_code_at_once_are_all_checked_in(fresh_app):
    """Ten volunteers scan the same code within the same second, through the scan's page (a
    GET that writes): each is checked in once, none is turned away by a busy database."""
    import threading

    from portal.db import utcnow
    from portal.volunteering import checkin
    from tests.outbox import Outbox

    app = fresh_app(migrate=True, SIGN_IN_LIMIT_PER_ADDRESS="300 per 10 minutes")
    with app.app_context():
        w = world(db.session, starts_at=utcnow() - timedelta(minutes=10))
        volunteers = [w.volunteer] + [
            factories.volunteer(db.session, w.tree.community) for _ in range(9)
        ]
        for volunteer in volunteers[1:]:
            seat(db.session, w.activity, volunteer)
        phones = [volunteer.user.phone for volunteer in volunteers]
        activity_id = w.activity.id
        db.session.commit()
    browsers = []
    for phone in phones:
        browser = app.test_client()
        assert browser.post("/sign-in", data={"phone": phone}).status_code == 302
        with app.app_context():
            code = Outbox(db.session).code(phone)
        assert browser.post("/sign-in/code", data={"code": code}).status_code == 302
        browsers.append(browser)
    with app.app_context():
        token = checkin.make_token(db.session.get(Activity, activity_id), utcnow())
    barrier = threading.Barrier(len(browsers))
    statuses = [0] * len(browsers)

    def scan(index: int) -> None:
        barrier.wait()
        statuses[index] = browsers[index].get(f"/volunteering/check/{token}").status_code

    threads = [threading.Thread(target=scan, args=(i,)) for i in range(len(browsers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200] * len(browsers)
    with app.app_context():
        checked = db.session.scalars(
            select(SignUp.checked_in_at).where(SignUp.activity_id == activity_id)
        ).all()
    assert len(checked) == 10 and None not in checked
