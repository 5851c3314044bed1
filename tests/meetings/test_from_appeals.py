"""A report that asks to talk to the secretary becomes a 书记在线 request in the same
transaction, and the request's clocks replace the report's own contact clock."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.appeals.models import AppealEvent, EventKind
from portal.meetings.models import MeetingRequest, RequestState
from portal.permissions import Role
from tests import factories
from tests.appeals.conftest import file_appeal
from tests.meetings.conftest import shanghai

pytestmark = pytest.mark.usefixtures("app_context")

MORNING = shanghai(7, 10)  # a Monday: the community is online


@pytest.fixture
def secretary(session, tree):
    from portal.catalogue.services import seed_catalogue

    seed_catalogue(session)
    return factories.user(session, Role.SECRETARY, tree.community, name="王书记")


def test_talk_to_the_secretary_becomes_a_request_with_the_reports_words(
    session, tree, secretary, sms
):
    appeal = file_appeal(session, tree.building, MORNING, wants_meeting=True)
    made = session.scalars(select(MeetingRequest)).one()
    assert (made.appeal_id, made.place_id, made.phone) == (
        appeal.id,
        tree.community.id,
        appeal.phone,
    )
    assert made.about == appeal.description and made.state is RequestState.WAITING
    assert appeal.meeting_reference == made.reference
    assert appeal.contact_due_at is None, "one clock: the meeting request's"
    kinds = session.scalars(select(AppealEvent.kind).where(AppealEvent.appeal_id == appeal.id))
    assert EventKind.MEETING_REQUESTED in list(kinds)
    assert any(made.reference in message.body for message in sms.recent(secretary.phone))


def test_an_urgent_report_keeps_its_own_contact_promise(session, tree, secretary):
    appeal = file_appeal(session, tree.building, MORNING, wants_meeting=True, urgent=True)
    assert appeal.meeting_reference is not None
    assert appeal.contact_due_at is not None


def test_a_report_without_the_wish_asks_for_no_meeting(session, tree, secretary):
    appeal = file_appeal(session, tree.building, MORNING)
    assert appeal.meeting_reference is None
    assert session.scalars(select(MeetingRequest)).first() is None


def test_an_unconfirmed_report_asks_for_nothing_yet(session, tree, secretary):
    file_appeal(session, tree.building, MORNING, wants_meeting=True, confirm=False)
    assert session.scalars(select(MeetingRequest)).first() is None


def test_a_report_held_on_arrival_asks_for_its_meeting_once_staff_restore_it(
    session, tree, secretary
):
    from portal.appeals import services as appeals
    from tests.appeals.conftest import current_settings

    appeals.block(session, secretary, "13800138000", "骚扰电话", now=MORNING)
    appeal = file_appeal(session, tree.building, MORNING, wants_meeting=True, phone="13800138000")
    assert appeal.meeting_reference is None, "held: no request yet"
    assert session.scalars(select(MeetingRequest)).first() is None
    appeals.restore(session, secretary, appeal, now=MORNING, settings=current_settings())
    made = session.scalars(select(MeetingRequest)).one()
    assert appeal.meeting_reference == made.reference and made.appeal_id == appeal.id
