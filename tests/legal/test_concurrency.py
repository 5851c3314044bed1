"""Races on SQLite and PostgreSQL: two workers sweeping at once text each reminder once; an
adviser answering while a supervisor reassigns leaves one consistent outcome."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.db import db
from portal.legal import access, answering, clocks, supervision
from portal.legal.models import (
    Assignment,
    Consultation,
    ConsultationEntry,
    ConsultationState,
    EntryKind,
)
from portal.legal.sweep import sweep
from portal.notifications.models import SmsMessage
from tests.accounts.test_concurrency import outcomes, together
from tests.legal import helpers
from tests.legal.helpers import SETTINGS, TUESDAY_10AM


@pytest.fixture
def app(fresh_app):
    return fresh_app(migrate=True)


def test_two_workers_sweeping_at_once_send_each_reminder_once(app):
    with app.test_request_context():
        world = helpers.world(db.session)
        made = [helpers.consultation(db.session, world.tree.community) for _ in range(6)]
        remind = clocks.remind_at(made[0].due_at)
        db.session.commit()
    results = together(app, 2, lambda _index: sweep(db.session, SETTINGS, remind))
    assert outcomes(results) == {"ok": 2}
    with app.app_context():
        sent = db.session.scalars(
            select(SmsMessage.idempotency_key).where(SmsMessage.kind == "legal_due_soon")
        ).all()
        assert len(sent) == len(set(sent)) == 6
        assert all(c.reminded_at == remind for c in db.session.scalars(select(Consultation)))


def test_answering_while_a_supervisor_reassigns_leaves_one_outcome(app):
    with app.test_request_context():
        world = helpers.world(db.session)
        made = helpers.consultation(db.session, world.tree.community)
        made.cleared_at = TUESDAY_10AM
        reference = made.reference
        adviser_id, supervisor_id, new_id = world.adviser.id, world.supervisor.id, world.second.id
        db.session.commit()
    later = TUESDAY_10AM + timedelta(hours=1)

    def act(index: int) -> None:
        if index == 0:
            adviser = db.session.get(User, adviser_id)
            found = access.consultation_for(db.session, adviser, reference, now=later,
                                            for_update=True)  # fmt: skip
            answering.answer(db.session, adviser, found, "答复", [], settings=SETTINGS,
                             now=later)  # fmt: skip
        else:
            supervisor = db.session.get(User, supervisor_id)
            found = access.consultation_for(db.session, supervisor, reference, now=later,
                                            for_update=True)  # fmt: skip
            supervision.reassign(db.session, supervisor, found, new_id, settings=SETTINGS,
                                 now=later)  # fmt: skip

    results = together(app, 2, act)
    assert outcomes(results) in ({"ok": 2}, {"ok": 1, "NotFound": 1})
    with app.app_context():
        consultation = db.session.scalar(select(Consultation))
        answers = db.session.scalars(
            select(ConsultationEntry).where(ConsultationEntry.kind == EntryKind.ANSWER)
        ).all()
        open_assignments = db.session.scalar(
            select(func.count()).select_from(Assignment).where(Assignment.ended_at.is_(None))
        )
        assert consultation.adviser_id == new_id and open_assignments == 1
        if results[0][0] == "ok":  # answered by the first adviser, then reassigned
            assert [a.author_id for a in answers] == [adviser_id]
            assert consultation.state is ConsultationState.ANSWERED
        else:  # reassigned first: the first adviser no longer finds it
            assert answers == [] and consultation.state is ConsultationState.WAITING
