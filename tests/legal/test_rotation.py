"""Who answers: the community's advisers first (fewest open first), then the street's, then
the district's; a conflict passes it on, and never back."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.legal import answering, rotation
from portal.legal.models import AssignmentEnd
from tests.legal import helpers
from tests.legal.helpers import SETTINGS, TUESDAY_10AM

pytestmark = pytest.mark.usefixtures("app_context")


def test_the_community_adviser_with_fewest_open_gets_it(session):
    world = helpers.world(session)
    first = helpers.consultation(session, world.tree.community)
    second = helpers.consultation(session, world.tree.community)
    third = helpers.consultation(session, world.tree.community)
    # Equal counts: the longest-serving grant first; then the one with fewer.
    assert [first.adviser_id, second.adviser_id, third.adviser_id] == [
        world.adviser.id, world.second.id, world.adviser.id,
    ]  # fmt: skip


def test_a_community_with_no_adviser_asks_the_street_then_the_district(session):
    world = helpers.world(session)
    made = helpers.consultation(session, world.tree.other_community)
    assert made.adviser_id == world.street_adviser.id
    answering.clear(session, world.street_adviser, made, now=TUESDAY_10AM)
    answering.declare_conflict(session, world.street_adviser, made, "对方是我的委托人",
                               settings=SETTINGS, now=TUESDAY_10AM)  # fmt: skip
    assert made.adviser_id == world.district_adviser.id


def test_a_conflict_passes_it_on_with_the_same_deadline_and_never_back(session, sms):
    world = helpers.world(session)
    made = helpers.consultation(session, world.tree.community)
    due = made.due_at
    answering.declare_conflict(session, world.adviser, made, "对方是我的客户",
                               settings=SETTINGS, now=TUESDAY_10AM + timedelta(hours=1))  # fmt: skip
    assert made.adviser_id == world.second.id and made.due_at == due
    assert made.cleared_at is None
    ended = [a for a in rotation_history(session, made) if a.ended_at is not None]
    assert [(a.adviser_id, a.ended_because, a.reason) for a in ended] == [
        (world.adviser.id, AssignmentEnd.CONFLICT, "对方是我的客户")
    ]
    assert sms.recent(world.second.phone)[0].kind == "legal_consultation_new"
    # The next one passes it on too: the street's adviser, never the first one again,
    # though they now have the fewest open.
    answering.declare_conflict(session, world.second, made, "亲属关系",
                               settings=SETTINGS, now=TUESDAY_10AM)  # fmt: skip
    assert made.adviser_id == world.street_adviser.id
    assert world.adviser.id in rotation.excluded_advisers(session, made.id)


def test_nobody_left_leaves_it_unassigned(session):
    world = helpers.world(session)
    made = helpers.consultation(session, world.tree.community)
    for adviser in (world.adviser, world.second, world.street_adviser, world.district_adviser):
        answering.declare_conflict(session, adviser, made, "冲突", settings=SETTINGS,
                                   now=TUESDAY_10AM)  # fmt: skip
    assert made.adviser_id is None
    # With nobody to remind, the sweep next looks at the deadline.
    assert made.sweep_at == made.due_at


def rotation_history(session, made):
    from sqlalchemy import select

    from portal.legal.models import Assignment

    return list(
        session.scalars(
            select(Assignment).where(Assignment.consultation_id == made.id).order_by(Assignment.id)
        )
    )
