"""Two archivists reaching for the same request at the same moment, on SQLite and PostgreSQL:
one wins and the other is told the request moved on, and the request holds one consistent
outcome (one step, one letter, one answer).

Each thread reads the request without a lock, as a page would, and leaves the locking to the
service, which reads it again under the lock."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.archives import access, answering, assists, review
from portal.archives.models import (
    Archive,
    ArchiveRequest,
    Assist,
    Outcome,
    RequestState,
    RequestStep,
    StepKind,
)
from portal.audit.models import AuditEvent
from portal.db import db
from portal.verification.models import IssuedDocument
from tests.accounts.test_concurrency import outcomes, together
from tests.archives import helpers
from tests.archives.helpers import SETTINGS, TUESDAY_10AM
from tests.conftest import dispose, make_test_app, migrated_engine


@pytest.fixture(scope="module")
def app(database):
    """One database of its own for the module, committed to by the threads: each test makes
    its own request in the module's world."""
    url = database.new_url()
    migrated_engine(url).dispose()
    made = make_test_app(url)
    yield made
    dispose(made)


@pytest.fixture(scope="module")
def world(app) -> dict[str, int]:
    """The ids of the module's world (its archives and archivists)."""
    with app.test_request_context():
        made = helpers.world(db.session)
        db.session.commit()
        return {name: getattr(made, name).id for name in WORLD_FIELDS}


WORLD_FIELDS = ("archive", "street_archive", "elsewhere_archive", "archivist", "second",
                "street_archivist", "elsewhere", "resident")  # fmt: skip


def setting_up(app, world: dict[str, int], prepare: Callable = lambda world, made: None) -> dict:
    """A request of the module's world, prepared by `prepare(world, made)`; what the threads
    need to find it."""
    with app.test_request_context():
        loaded = {
            name: db.session.get(Archive if name.endswith("archive") else User, world[name])
            for name in WORLD_FIELDS
        }
        world_ = helpers.World(tree=None, **loaded)  # type: ignore[arg-type]
        made = helpers.request(db.session, world_)
        prepare(world_, made)
        ids = {"reference": made.reference, "request": made.id, **world}
        db.session.commit()
    return ids


def read(ids: dict, who: str) -> tuple[User, ArchiveRequest]:
    """The archivist and the request as their page read it: no lock yet."""
    user = db.session.get(User, ids[who])
    return user, access.request_for(db.session, user, ids["reference"], now=TUESDAY_10AM)


def steps_of(app, ids: dict, kind: StepKind) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(RequestStep)
            .where(RequestStep.request_id == ids["request"], RequestStep.kind == kind)
        )


def request_of(ids: dict) -> ArchiveRequest:
    return db.session.get(ArchiveRequest, ids["request"])


def test_two_archivists_accepting_at_once_accept_it_once(app, world):
    ids = setting_up(app, world)

    def accept(index: int) -> None:
        user, made = read(ids, ("archivist", "second")[index])
        review.accept(db.session, user, made, settings=SETTINGS, now=TUESDAY_10AM)

    results = together(app, 2, accept)
    assert outcomes(results) == {"ok": 1, "Invalid": 1}
    assert "moved on" in next(message for outcome, message in results if outcome == "Invalid")
    winner = ids[("archivist", "second")[[outcome for outcome, _ in results].index("ok")]]
    with app.app_context():
        made = request_of(ids)
        assert made.state is RequestState.ACCEPTED and made.handler_id == winner
    assert steps_of(app, ids, StepKind.ACCEPTED) == 1


def test_accepting_while_a_colleague_refuses_leaves_one_outcome(app, world):
    ids = setting_up(app, world)

    def act(index: int) -> None:
        if index == 0:
            user, made = read(ids, "archivist")
            review.accept(db.session, user, made, settings=SETTINGS, now=TUESDAY_10AM)
        else:
            user, made = read(ids, "second")
            review.refuse(db.session, user, made, "材料不全", settings=SETTINGS, now=TUESDAY_10AM)

    results = together(app, 2, act)
    # An accepted request may still be refused: the refusal always stands; the acceptance
    # stands only if it came first, else it is told the request moved on.
    assert results[1] == ("ok", "")
    if results[0][0] == "ok":
        assert steps_of(app, ids, StepKind.ACCEPTED) == 1
    else:
        assert results[0][0] == "Invalid" and "moved on" in results[0][1]
        assert steps_of(app, ids, StepKind.ACCEPTED) == 0
    assert steps_of(app, ids, StepKind.REFUSED) == 1
    with app.app_context():
        made = request_of(ids)
        assert made.state is RequestState.REFUSED and made.refusal_reason == "材料不全"


def test_two_answers_to_the_same_assist_count_once(app, world):
    def prepare(world_, made):
        review.accept(db.session, world_.archivist, made, settings=SETTINGS, now=TUESDAY_10AM)
        assists.pass_to(db.session, world_.archivist, made, world_.street_archive, "请查",
                        settings=SETTINGS, now=TUESDAY_10AM)  # fmt: skip

    ids = setting_up(app, world, prepare)

    def answer(index: int) -> None:
        user, made = read(ids, "street_archivist")
        assist = assists.assist_to_answer(db.session, user, made)
        assists.answer_assist(
            db.session, user, assist, outcome=Outcome.FOUND, file_number=f"婚1983-00{index}",
            summary="登记结婚。", scans=[], settings=SETTINGS, now=TUESDAY_10AM,
        )  # fmt: skip

    results = together(app, 2, answer)
    assert outcomes(results) == {"ok": 1, "Invalid": 1}
    winner = [outcome for outcome, _message in results].index("ok")
    with app.app_context():
        assist = db.session.scalar(select(Assist).where(Assist.request_id == ids["request"]))
        assert assist.file_number == f"婚1983-00{winner}"
    assert steps_of(app, ids, StepKind.ASSIST_ANSWERED) == 1


def test_two_results_at_once_issue_one_letter(app, world):
    ids = setting_up(app, world, lambda world_, made: review.accept(
        db.session, world_.archivist, made, settings=SETTINGS, now=TUESDAY_10AM))  # fmt: skip

    def record(index: int) -> None:
        user, made = read(ids, ("archivist", "second")[index])
        answering.record_result(
            db.session, user, made, outcome=Outcome.NOT_FOUND, file_number="", summary="",
            scans=[], settings=SETTINGS, now=TUESDAY_10AM,
        )  # fmt: skip

    results = together(app, 2, record)
    assert outcomes(results) == {"ok": 1, "Invalid": 1}
    with app.app_context():
        letters = db.session.scalar(
            select(func.count())
            .select_from(IssuedDocument)
            .where(IssuedDocument.subject == f"archives:{ids['request']}")
        )
        assert letters == 1
    assert steps_of(app, ids, StepKind.ANSWERED) == 1


def test_two_withdrawals_at_once_withdraw_the_letter_once(app, world):
    def prepare(world_, made):
        review.accept(db.session, world_.archivist, made, settings=SETTINGS, now=TUESDAY_10AM)
        answering.record_result(
            db.session, world_.archivist, made, outcome=Outcome.NOT_FOUND, file_number="",
            summary="", scans=[], settings=SETTINGS, now=TUESDAY_10AM,
        )  # fmt: skip

    ids = setting_up(app, world, prepare)

    def withdraw(index: int) -> None:
        user, made = read(ids, ("archivist", "second")[index])
        answering.withdraw_letter(db.session, user, made, f"撤回原因{index}", now=TUESDAY_10AM)

    results = together(app, 2, withdraw)
    assert outcomes(results) == {"ok": 1, "Invalid": 1}
    assert "withdrawn already" in next(m for outcome, m in results if outcome == "Invalid")
    assert steps_of(app, ids, StepKind.LETTER_WITHDRAWN) == 1
    with app.app_context():
        letter_id = request_of(ids).letter_id
        withdrawals = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == "verification.withdraw",
                AuditEvent.target_id == str(letter_id),
            )
        )
        assert withdrawals == 1
