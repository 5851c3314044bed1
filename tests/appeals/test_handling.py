"""What a handler does, without HTTP: accept, contact, resolve, relevel and transfer, and the
deadlines each sets. Time is passed in explicitly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.appeals import services
from portal.appeals.models import AppealState, EventKind
from portal.audit.models import AuditEvent
from portal.catalogue.models import HandlingClass
from portal.errors import Invalid
from tests.appeals.conftest import (
    MINUTE,
    RESIDENT,
    accepted,
    file_appeal,
    item,
    level_three,
    messages,
)

pytestmark = pytest.mark.usefixtures("app_context")


def test_accepting_tells_the_resident_who_handles_it_and_the_grids_work_number(
    session, tree, staff, now
):
    tree.grid.phone = "0755-88881234"
    tree.community.phone = "0755-88880000"
    appeal = file_appeal(session, tree.building, now)
    services.accept(session, staff.grid_worker, appeal, now=now + 3 * MINUTE)
    assert appeal.state == AppealState.ACCEPTED and appeal.handler_id == staff.grid_worker.id
    assert appeal.accepted_at == now + 3 * MINUTE and appeal.due_at == appeal.resolve_due_at
    [told] = messages(session, "appeal_accepted", RESIDENT)
    assert "王网格" in told.body and "0755-88881234" in told.body
    # Never the handler's private sign-in number, whole or masked.
    assert staff.grid_worker.phone[-4:] not in told.body and "****" not in told.body
    audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "appeals.accept")).one()
    assert audit.actor_id == staff.grid_worker.id and audit.target_id == str(appeal.id)


@pytest.mark.parametrize(
    ("grid_phone", "community_phone", "told"),
    [
        ("", "0755-88880000", "Work phone: 0755-88880000."),
        ("", "", "For questions, please call your community."),
    ],
)
def test_without_a_grid_number_the_resident_is_given_the_communitys(
    session, tree, staff, now, grid_phone, community_phone, told
):
    tree.grid.phone, tree.community.phone = grid_phone, community_phone
    appeal = file_appeal(session, tree.building, now)
    appeal.locale = "en"
    services.accept(session, staff.grid_worker, appeal, now=now)
    [message] = messages(session, "appeal_accepted", RESIDENT)
    assert message.body.endswith(told) and "****" not in message.body


def test_a_units_officer_gives_the_units_office_line(session, tree, staff, department, now):
    department.unit.phone = "0755-12345"
    tree.community.phone = "0755-88880000"
    appeal = file_appeal(session, tree.building, now, item_id=level_three(session, department).id)
    services.accept(session, department.member, appeal, now=now)
    [message] = messages(session, "appeal_accepted", RESIDENT)
    assert "0755-12345" in message.body and "88880000" not in message.body


def test_urgent_starts_the_30_minute_contact_clock_and_a_meeting_wish_goes_to_the_secretary(
    session, tree, staff, now
):
    appeal = file_appeal(session, tree.building, now, urgent=True)
    assert appeal.contact_due_at == now + 30 * MINUTE
    services.accept(session, staff.grid_worker, appeal, now=now + MINUTE)
    assert appeal.due_at == appeal.contact_due_at
    services.record_contact(session, staff.grid_worker, appeal, now=now + 5 * MINUTE)
    assert appeal.first_contact_at == now + 5 * MINUTE and appeal.due_at == appeal.resolve_due_at
    # "Talk to the secretary" is kept by the 书记在线 request's own clocks (portal/meetings).
    meeting = file_appeal(session, tree.building, now, wants_meeting=True)
    assert meeting.contact_due_at is None and meeting.meeting_reference is not None


def test_the_handling_class_sets_the_resolution_deadline(session, tree, now):
    gas = file_appeal(session, tree.building, now, item_id=item(session, "gas-smell").id)
    assert gas.item.handling == HandlingClass.EMERGENCY
    assert gas.resolve_due_at == now + timedelta(hours=2)


def test_an_item_may_set_its_own_resolve_time(session, tree, staff, now):
    rubbish = item(session, "rubbish-in-corridor")
    rubbish.resolve_minutes = 180
    appeal = file_appeal(session, tree.building, now, item_id=rubbish.id)
    assert appeal.resolve_due_at == now + timedelta(hours=3)


def test_resolving_needs_a_note_and_asks_the_resident_to_rate(session, tree, staff, now, settings):
    appeal = file_appeal(session, tree.building, now)
    services.accept(session, staff.grid_worker, appeal, now=now)
    with pytest.raises(Invalid, match="Say what was done"):
        services.resolve(session, staff.grid_worker, appeal, " ", now=now, settings=settings)
    services.resolve(
        session, staff.grid_worker, appeal, "已清理楼道", now=now + MINUTE, settings=settings
    )
    assert appeal.state == AppealState.RESOLVED and appeal.resolved_at == now + MINUTE
    assert not appeal.is_open
    [asked] = messages(session, "appeal_resolved", RESIDENT)
    assert f"/t/{appeal.tracking}" in asked.body


def test_relevelling_needs_a_reason_and_waits_for_a_new_acceptance(
    session, tree, staff, now, settings
):
    appeal = file_appeal(session, tree.building, now)
    with pytest.raises(Invalid, match="reason"):
        services.relevel(session, staff.grid_worker, appeal, 2, "", now=now, settings=settings)
    with pytest.raises(Invalid, match="already"):
        services.relevel(session, staff.grid_worker, appeal, 1, "原因", now=now, settings=settings)
    services.relevel(
        session, staff.grid_worker, appeal, 2, "需要物业配合", now=now + MINUTE, settings=settings
    )
    assert appeal.level == 2 and appeal.queue_place == tree.community
    assert appeal.accept_due_at == now + 11 * MINUTE
    assert messages(session, "appeal_new")[-1].phone == staff.secretary.phone


def test_a_second_acceptance_after_relevelling_is_told_to_the_resident(
    session, tree, staff, now, settings
):
    appeal = file_appeal(session, tree.building, now)
    services.accept(session, staff.grid_worker, appeal, now=now + MINUTE)
    services.relevel(
        session,
        staff.grid_worker,
        appeal,
        2,
        "需要社区协调",
        now=now + 2 * MINUTE,
        settings=settings,
    )
    services.accept(session, staff.secretary, appeal, now=now + 3 * MINUTE)
    bodies = [m.body for m in messages(session, "appeal_accepted", RESIDENT)]
    assert len(bodies) == 2 and "陈书记" in bodies[-1]


def test_a_transfer_sends_it_to_the_chosen_team_with_a_fresh_acceptance_clock(
    session, tree, staff, department, now, settings
):
    appeal = accepted(session, tree, staff, now)
    keys = {target.key for target in services.transfer_targets(session, appeal)}
    assert keys == {
        f"place:{tree.community.id}",
        f"place:{tree.other_community.id}",
        f"place:{tree.street.id}",
        f"unit:{department.unit.id}",
    }
    with pytest.raises(Invalid, match="Choose where"):
        services.transfer(
            session,
            staff.grid_worker,
            appeal,
            f"place:{tree.other_street.id}",
            "错",
            now=now,
            settings=settings,
        )
    with pytest.raises(Invalid, match="reason"):
        services.transfer(
            session,
            staff.grid_worker,
            appeal,
            f"place:{tree.other_community.id}",
            "",
            now=now,
            settings=settings,
        )

    later = now + 5 * MINUTE
    services.transfer(
        session,
        staff.grid_worker,
        appeal,
        f"place:{tree.other_community.id}",
        "属于乙社区",
        now=later,
        settings=settings,
    )
    assert appeal.state == AppealState.RECEIVED and appeal.handler is None
    assert appeal.queue_place == tree.other_community and appeal.level == 2
    assert appeal.due_at == later + 10 * MINUTE
    assert messages(session, "appeal_new")[-1].phone == staff.other_secretary.phone
    assert services.can_view(staff.other_secretary, appeal)
    services.accept(session, staff.other_secretary, appeal, now=later)
    event = services.timeline(session, appeal)[-2]
    assert event.kind == EventKind.TRANSFERRED and event.note == "属于乙社区"
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "appeals.transfer"))
