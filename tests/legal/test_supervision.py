"""The supervisors: the district's overview (overdue first, those with no adviser, the
conflicts with their reasons) and reassigning a consultation to another adviser, audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.errors import Forbidden, Invalid
from portal.legal import access, answering, supervision
from portal.legal.models import Assignment, AssignmentEnd
from tests import factories
from tests.legal import helpers
from tests.legal.helpers import SETTINGS, TUESDAY_10AM

pytestmark = pytest.mark.usefixtures("app_context")


def test_the_overview_puts_overdue_first_and_shows_conflicts(session):
    world = helpers.world(session)
    later = helpers.consultation(session, world.tree.community, now=TUESDAY_10AM)
    earlier = helpers.consultation(session, world.tree.community,
                                   now=TUESDAY_10AM - timedelta(days=5))  # fmt: skip
    answering.declare_conflict(session, later.adviser, later, "对方是我的客户",
                               settings=SETTINGS, now=TUESDAY_10AM)  # fmt: skip
    elsewhere = helpers.consultation(session, factories.tree(session).community)
    seen = supervision.overview(session, world.supervisor, None)
    assert [c.id for c in seen.open.items] == [earlier.id, later.id]
    assert {k: [a.reason for a in v] for k, v in seen.conflicts.items()} == {
        later.id: ["对方是我的客户"]
    }
    assert elsewhere.id not in {c.id for c in seen.open.items}
    with pytest.raises(Forbidden):
        supervision.overview(session, world.adviser, None)


def test_reassigning_is_audited_and_the_deadline_stays(session, sms):
    world = helpers.world(session)
    made = helpers.consultation(session, world.tree.community)
    due = made.due_at
    choices = supervision.advisers_for(session, world.supervisor, made)
    assert {u.id for u in choices} == {
        world.second.id,
        world.street_adviser.id,
        world.district_adviser.id,
    }
    supervision.reassign(session, world.supervisor, made, world.district_adviser.id,
                         settings=SETTINGS, now=TUESDAY_10AM)  # fmt: skip
    assert made.adviser_id == world.district_adviser.id and made.due_at == due
    assignments = list(session.scalars(
        select(Assignment).where(Assignment.consultation_id == made.id).order_by(Assignment.id)
    ))  # fmt: skip
    assert [(a.adviser_id, a.ended_because, a.assigned_by_id) for a in assignments] == [
        (world.adviser.id, AssignmentEnd.REASSIGNED, None),
        (world.district_adviser.id, None, world.supervisor.id),
    ]
    assert assignments[1].pool_id == world.tree.district.id
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "legal.consultation.reassigned")
    )
    assert event.actor_id == world.supervisor.id
    assert sms.recent(world.district_adviser.phone)[0].kind == "legal_consultation_new"
    # The adviser it left can no longer read it.
    with pytest.raises(access.NotFound):
        access.consultation_for(session, world.adviser, made.reference, now=TUESDAY_10AM)


def test_a_supervisor_chooses_only_among_the_districts_free_advisers(session):
    world = helpers.world(session)
    made = helpers.consultation(session, world.tree.community)
    answering.declare_conflict(session, world.adviser, made, "亲属", settings=SETTINGS,
                               now=TUESDAY_10AM)  # fmt: skip
    stranger = factories.user(
        session, helpers.Role.LEGAL_ADVISER, factories.tree(session).community
    )
    # An adviser of the district's other community could not read it: not offered either.
    neighbour = factories.user(session, helpers.Role.LEGAL_ADVISER, world.tree.other_community)
    assert neighbour not in supervision.advisers_for(session, world.supervisor, made)
    for refused in (world.adviser.id, stranger.id, neighbour.id, made.adviser_id, 0):
        with pytest.raises(Invalid):
            supervision.reassign(session, world.supervisor, made, refused, settings=SETTINGS,
                                 now=TUESDAY_10AM)  # fmt: skip
    with pytest.raises(Forbidden):
        supervision.reassign(session, world.elsewhere, made, world.street_adviser.id,
                             settings=SETTINGS, now=TUESDAY_10AM)  # fmt: skip


def test_a_supervisors_read_is_audited(session):
    world = helpers.world(session)
    made = helpers.consultation(session, world.tree.community)
    access.consultation_for(session, world.supervisor, made.reference, now=TUESDAY_10AM)
    assert (
        session.scalar(select(AuditEvent.action).where(AuditEvent.actor_id == world.supervisor.id))
        == "legal.consultation.read"
    )
    with pytest.raises(access.NotFound):
        access.consultation_for(session, world.elsewhere, made.reference, now=TUESDAY_10AM)
