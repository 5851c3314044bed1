"""The sign-in limits and those of the code service hold when requests arrive at the same
moment, on SQLite and PostgreSQL.

Each test releases its threads together at a barrier; each thread has its own session and
commits as the views do (a refused attempt is kept, so it counts).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from portal.accounts import codes, services
from portal.accounts.models import PhoneCode, User
from portal.appeals.services import APPEAL_CODE
from portal.db import db, utcnow
from portal.errors import DomainError
from tests import factories
from tests.factories import CODE_SECRET
from tests.outbox import Outbox

PHONE = "13800138000"


@pytest.fixture
def app(fresh_app):
    return fresh_app(migrate=True)


def together(app, count: int, action: Callable[[int], object]) -> list[tuple[str, str]]:
    """Run `action(i)` in `count` threads at once; each result is (outcome, message)."""
    barrier = threading.Barrier(count)
    results: list[tuple[str, str]] = [("missing", "")] * count

    def run(index: int) -> None:
        with app.test_request_context(headers={"Accept-Language": "en"}):
            barrier.wait()
            try:
                action(index)
            except DomainError as error:
                db.session.commit()
                results[index] = (type(error).__name__, error.message)
            except Exception as error:  # Reported below as a crash.
                db.session.rollback()
                results[index] = ("crash", repr(error))
            else:
                db.session.commit()
                results[index] = ("ok", "")

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not [result for result in results if result[0] in ("crash", "missing")], results
    return results


def outcomes(results) -> Counter:
    return Counter(outcome for outcome, _message in results)


def request_code(app) -> str:
    with app.test_request_context():
        services.request_sign_in_code(
            db.session, PHONE, secret=CODE_SECRET, locale="en", now=utcnow()
        )
        db.session.commit()
        return Outbox(db.session).code()


def test_ten_requests_at_once_send_one_code(app):
    results = together(
        app,
        10,
        lambda _: services.request_sign_in_code(
            db.session, PHONE, secret=CODE_SECRET, locale="en", now=utcnow()
        ),
    )
    assert outcomes(results) == {"ok": 1, "TooMany": 9}
    with app.app_context():
        assert len(Outbox(db.session).recent()) == 1


def test_twenty_guesses_at_once_get_five_tries(app):
    code = request_code(app)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    results = together(
        app,
        20,
        lambda _: services.verify_sign_in_code(
            db.session, PHONE, wrong, secret=CODE_SECRET, locale="en", now=utcnow()
        ),
    )
    messages = [message for _outcome, message in results]
    assert sum("The code is not right" in message for message in messages) == 5
    with app.app_context():
        assert db.session.scalar(select(PhoneCode.attempts)) == 5


def test_the_right_code_sent_ten_times_at_once_signs_in_once(app):
    code = request_code(app)
    results = together(
        app,
        10,
        lambda _: services.verify_sign_in_code(
            db.session, PHONE, code, secret=CODE_SECRET, locale="en", now=utcnow()
        ),
    )
    assert outcomes(results) == {"ok": 1, "Invalid": 9}
    with app.app_context():
        assert len(db.session.scalars(select(User)).all()) == 1


def test_ten_wrong_passwords_at_once_lock_the_account(app):
    with app.app_context():
        staff = factories.user(db.session, password=factories.PASSWORD, phone=PHONE)
        db.session.commit()
        staff_id = staff.id
    results = together(
        app,
        10,
        lambda _: services.sign_in_with_password(db.session, PHONE, "wrong password", now=utcnow()),
    )
    # Four failures, the fifth locks the account, the other five find it locked.
    assert outcomes(results) == {"Invalid": 4, "TooMany": 6}
    with app.app_context():
        assert db.session.get(User, staff_id).locked_until is not None


def test_many_residents_asking_at_once_are_all_served(app):
    """On SQLite, writers queue for the lock instead of failing with 'database is locked'."""
    results = together(
        app,
        10,
        lambda index: services.request_sign_in_code(
            db.session, f"1380013810{index}", secret=CODE_SECRET, locale="en", now=utcnow()
        ),
    )
    assert outcomes(results) == {"ok": 10}


# The code service itself, for a purpose with a subject (a report's code).
SUBJECT = "appeal:A2611-7K3Q"


def issue_report_code(index: int = 0):
    return codes.issue(
        db.session, APPEAL_CODE, PHONE, subject=SUBJECT, secret=CODE_SECRET, locale="en",
        now=utcnow(), params={"tracking": "A2611-7K3Q"},
    )  # fmt: skip


def test_two_asking_for_a_code_for_the_same_report_at_once_get_one(app):
    results = together(app, 2, issue_report_code)
    assert outcomes(results) == {"ok": 1, "TooMany": 1}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PhoneCode)) == 1
        assert len(Outbox(db.session).recent()) == 1


def test_two_tries_at_once_of_a_code_with_one_try_left_count_as_two(app):
    with app.test_request_context():
        record, code = issue_report_code()
        record.attempts = APPEAL_CODE.tries - 1
        db.session.commit()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    results = together(
        app,
        2,
        lambda _: codes.check(
            db.session, APPEAL_CODE, PHONE, wrong, subject=SUBJECT, secret=CODE_SECRET,
            now=utcnow(),
        ),
    )  # fmt: skip
    messages = sorted(message for _outcome, message in results)
    assert messages == [
        "The code is not right, and this code no longer works. Ask for a new code.",
        "This code was entered wrongly too many times. Ask for a new code.",
    ]
    with app.app_context():
        assert db.session.scalar(select(PhoneCode.attempts)) == APPEAL_CODE.tries
