"""Casework without HTTP: units at level 3, transfer, summons (吹哨), duplicates and merging,
hiding and restoring, the blocklist, filing for a resident, late call-backs and the clean-up
of reports nobody confirmed. Time is passed in explicitly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.appeals import casework, clockwork, queues, services
from portal.appeals.models import Appeal, AppealEvent, AppealState, EventKind
from portal.audit.models import AuditEvent
from portal.errors import Forbidden, Invalid
from portal.permissions import Role
from portal.units import services as units
from tests import factories
from tests.appeals.conftest import RESIDENT, code_sent, file_appeal, item, messages

pytestmark = pytest.mark.usefixtures("app_context")
MINUTE = timedelta(minutes=1)
NEIGHBOUR = "13698765432"


def level_three(session, department=None):
    wages = item(session, "unpaid-wages")
    wages.unit = department.unit if department else None
    session.flush()
    return wages


def accepted(session, tree, staff, now, **fields):
    appeal = file_appeal(session, tree.building, now, **fields)
    services.accept(session, staff.grid_worker, appeal, now=now + MINUTE)
    return appeal


def queue(session, actor, now, **wanted):
    filter_ = queues.QueueFilter(**wanted)
    return list(session.scalars(queues.queue_query(actor, filter_, now=now)))


# --- units at level 3 ---------------------------------------------------------------------------


def test_level_three_goes_to_the_items_unit_whose_members_alone_take_it(
    session, tree, staff, department, now
):
    appeal = file_appeal(session, tree.building, now, item_id=level_three(session, department).id)
    assert appeal.unit == department.unit and appeal.queue_place is None and appeal.level == 3
    assert [m.phone for m in messages(session, "appeal_new")] == [department.member.phone]
    assert queue(session, department.member, now) == [appeal]
    assert queue(session, staff.officer, now) == []
    assert services.can_view(staff.officer, appeal) and not services.can_act(staff.officer, appeal)
    with pytest.raises(Forbidden):
        services.accept(session, staff.officer, appeal, now=now)
    services.accept(session, department.member, appeal, now=now + MINUTE)
    assert appeal.handler == department.member


def test_without_a_unit_serving_the_building_level_three_goes_to_the_street_office(
    session, tree, staff, department, now
):
    department.unit.place = tree.other_street
    appeal = file_appeal(session, tree.building, now, item_id=level_three(session, department).id)
    assert appeal.unit is None and appeal.queue_place == tree.street
    department.unit.place = tree.district
    department.unit.retired_at = now
    again = file_appeal(session, tree.building, now, item_id=level_three(session, department).id)
    assert again.unit is None and again.queue_place == tree.street


def test_a_units_appeal_not_taken_in_time_passes_to_the_place_it_serves(
    session, tree, staff, department, now
):
    appeal = file_appeal(session, tree.building, now, item_id=level_three(session, department).id)
    assert clockwork.sweep(session, now + 10 * MINUTE)["escalated"] == 1
    assert appeal.unit is None and appeal.queue_place == tree.district
    [first, *_] = messages(session, "appeal_escalated")
    assert first.phone == department.member.phone


def test_an_item_may_set_its_own_resolve_time(session, tree, staff, now):
    rubbish = item(session, "rubbish-in-corridor")
    rubbish.resolve_minutes = 180
    appeal = file_appeal(session, tree.building, now, item_id=rubbish.id)
    assert appeal.resolve_due_at == now + timedelta(hours=3)


# --- transfer -------------------------------------------------------------------------------------


def test_a_transfer_sends_it_to_the_chosen_team_with_a_fresh_acceptance_clock(
    session, tree, staff, department, now
):
    appeal = accepted(session, tree, staff, now)
    keys = {target.key for target in casework.transfer_targets(session, appeal)}
    assert keys == {
        f"place:{tree.community.id}",
        f"place:{tree.other_community.id}",
        f"place:{tree.street.id}",
        f"unit:{department.unit.id}",
    }
    with pytest.raises(Invalid, match="Choose where"):
        casework.transfer(
            session, staff.grid_worker, appeal, f"place:{tree.other_street.id}", "错", now=now
        )
    with pytest.raises(Invalid, match="reason"):
        casework.transfer(
            session, staff.grid_worker, appeal, f"place:{tree.other_community.id}", "", now=now
        )

    later = now + 5 * MINUTE
    casework.transfer(
        session,
        staff.grid_worker,
        appeal,
        f"place:{tree.other_community.id}",
        "属于乙社区",
        now=later,
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


def test_only_the_team_holding_it_may_transfer_it(session, tree, staff, now):
    appeal = file_appeal(session, tree.building, now)
    with pytest.raises(Forbidden):
        casework.transfer(
            session, staff.other_grid_worker, appeal, f"place:{tree.street.id}", "原因", now=now
        )


# --- summons (吹哨) ------------------------------------------------------------------------------


def test_a_summoned_unit_is_texted_answers_and_the_summoner_hears_back(
    session, tree, staff, department, now
):
    appeal = accepted(session, tree, staff, now)
    later = now + 2 * MINUTE
    summons = casework.summon(
        session, staff.grid_worker, appeal, department.unit.id, 48, "请派人查看外墙裂缝", now=later
    )
    assert summons.due_at == later + timedelta(hours=48)
    [text] = messages(session, "appeal_summoned")
    assert text.phone == department.member.phone and appeal.tracking in text.body
    assert services.can_view(department.member, appeal)
    assert not services.can_act(department.member, appeal)
    assert casework.waiting_summonses(session, department.member) == [summons]
    with pytest.raises(Invalid, match="already summoned"):
        casework.summon(session, staff.grid_worker, appeal, department.unit.id, 24, "再催", now=now)

    with pytest.raises(Forbidden):
        casework.answer_summons(session, staff.secretary, summons, "已处理", now=now)
    with pytest.raises(Invalid, match="did or will do"):
        casework.answer_summons(session, department.member, summons, " ", now=now)
    casework.answer_summons(session, department.member, summons, "明天上午到场", now=later + MINUTE)
    assert summons.answered_by == department.member and summons.answer == "明天上午到场"
    [answered] = messages(session, "appeal_answered")
    assert answered.phone == staff.grid_worker.phone
    assert casework.waiting_summonses(session, department.member) == []
    with pytest.raises(Invalid, match="already answered"):
        casework.answer_summons(session, department.member, summons, "again", now=now)
    kinds = [event.kind for event in services.timeline(session, appeal)]
    assert kinds[-2:] == [EventKind.SUMMONED, EventKind.SUMMONS_ANSWERED]


def test_a_summons_needs_the_handler_a_known_unit_and_a_sane_deadline(
    session, tree, staff, department, now
):
    appeal = accepted(session, tree, staff, now)
    with pytest.raises(Forbidden, match="Only the person who took"):
        casework.summon(session, staff.secretary, appeal, department.unit.id, 24, "请处理", now=now)
    with pytest.raises(Invalid, match="Choose the unit"):
        casework.summon(session, staff.grid_worker, appeal, 999, 24, "请处理", now=now)
    for hours in (0, 721, "24"):
        with pytest.raises(Invalid, match="between 1 and 720"):
            casework.summon(
                session, staff.grid_worker, appeal, department.unit.id, hours, "请处理", now=now
            )
    with pytest.raises(Invalid, match="asked to do"):
        casework.summon(session, staff.grid_worker, appeal, department.unit.id, 24, "", now=now)


def test_an_unanswered_summons_is_reported_once_when_its_deadline_passes(
    session, tree, staff, department, now
):
    appeal = accepted(session, tree, staff, now)
    casework.summon(session, staff.grid_worker, appeal, department.unit.id, 2, "请处理", now=now)
    assert clockwork.sweep(session, now + 2 * timedelta(hours=1) - MINUTE)["summonses"] == 0
    assert clockwork.sweep(session, now + timedelta(hours=2))["summonses"] == 1
    assert clockwork.sweep(session, now + timedelta(hours=3))["summonses"] == 0
    told = {m.phone for m in messages(session, "appeal_overdue")}
    assert told == {staff.grid_worker.phone, department.member.phone}


# --- duplicates and merging -----------------------------------------------------------------------


def test_a_duplicate_is_suggested_merged_and_its_resident_follows_the_survivor(
    session, tree, staff, now
):
    first = accepted(session, tree, staff, now)
    second = file_appeal(session, tree.building, now + timedelta(days=2), phone=NEIGHBOUR)
    unrelated = file_appeal(session, tree.other_building, now, phone=NEIGHBOUR)
    assert casework.possible_duplicates(session, second) == [first]
    assert unrelated not in casework.possible_duplicates(session, first)

    merged_at = now + timedelta(days=2)
    survivor = casework.merge(
        session, staff.grid_worker, second, first.tracking.lower(), now=merged_at
    )
    assert survivor == first and second.merged_into == first
    assert second.state == AppealState.MERGED and not second.is_open and second.due_at is None
    [told] = messages(session, "appeal_merged", NEIGHBOUR)
    assert first.tracking in told.body and f"/t/{first.tracking}" in told.body
    assert services.timeline(session, first)[-1].kind == EventKind.DUPLICATE_JOINED
    assert casework.possible_duplicates(session, first) == []

    services.resolve(session, staff.grid_worker, first, "已清理", now=now + timedelta(days=3))
    assert {m.phone for m in messages(session, "appeal_resolved")} == {RESIDENT, NEIGHBOUR}


def test_a_merge_is_refused_into_itself_nowhere_or_outside_the_area(session, tree, staff, now):
    appeal = file_appeal(session, tree.building, now)
    elsewhere = file_appeal(session, tree.other_building, now)
    for into, message in (
        (appeal.tracking, "into itself"),
        ("A0000-ZZZZ", "still being handled"),
        (elsewhere.tracking, "same building"),
    ):
        with pytest.raises(Invalid, match=message):
            casework.merge(session, staff.grid_worker, appeal, into, now=now)
    assert appeal.state == AppealState.RECEIVED


# --- hiding spam, and the blocklist ---------------------------------------------------------------


def test_spam_is_set_aside_out_of_the_queue_and_restored_with_fresh_clocks(
    session, tree, staff, now
):
    appeal = file_appeal(session, tree.building, now)
    casework.hide(session, staff.grid_worker, appeal, "广告", now=now + MINUTE)
    assert appeal.state == AppealState.HIDDEN and not appeal.is_open and appeal.sweep_at is None
    assert queue(session, staff.grid_worker, now) == []
    assert queue(session, staff.grid_worker, now, view="held") == [appeal]
    later = now + timedelta(hours=5)
    casework.restore(session, staff.grid_worker, appeal, now=later)
    assert appeal.state == AppealState.RECEIVED and appeal.due_at == later + 10 * MINUTE
    assert appeal.resolve_due_at == later + timedelta(days=7)
    assert queue(session, staff.grid_worker, later) == [appeal]


def test_an_appeal_being_handled_returns_to_its_handler_and_its_clocks(session, tree, staff, now):
    appeal = accepted(session, tree, staff, now)
    due = appeal.due_at
    casework.hide(session, staff.grid_worker, appeal, "误操作", now=now)
    casework.restore(session, staff.grid_worker, appeal, now=now + MINUTE)
    assert appeal.state == AppealState.ACCEPTED and appeal.handler == staff.grid_worker
    assert appeal.due_at == due and appeal.is_open


def test_reports_from_a_blocked_number_are_held_until_someone_restores_them(
    session, tree, staff, now
):
    with pytest.raises(Forbidden):
        casework.block(session, staff.grid_worker, RESIDENT, "骚扰", now=now)
    entry = casework.block(session, staff.secretary, "137 1234 5678", "反复恶意举报", now=now)
    assert casework.block(session, staff.secretary, RESIDENT, "again", now=now) == entry
    audit = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "appeals.block_phone")
    ).one()
    assert audit.details["phone"] == "137****5678"

    held = file_appeal(session, tree.building, now)
    assert held.state == AppealState.HIDDEN and held.queue_place == tree.grid
    assert services.timeline(session, held)[-1].kind == EventKind.HELD
    assert messages(session, "appeal_new") == [] and messages(session, "appeal_received") == []
    casework.restore(session, staff.grid_worker, held, now=now + MINUTE)
    assert held.state == AppealState.RECEIVED
    assert [m.phone for m in messages(session, "appeal_new")] == [staff.grid_worker.phone]

    casework.unblock(session, staff.secretary, entry.id, now=now)
    assert file_appeal(session, tree.building, now).state == AppealState.RECEIVED


def test_a_report_from_a_flooded_building_is_held_not_refused(session, tree, staff, now):
    report = services.Report(
        item_id=item(session, "rubbish-in-corridor").id, description="堆物", phone=RESIDENT
    )
    appeal = services.submit(
        session, tree.building.id, report, submission_key="busy-1", user=None,
        locale="zh_Hans_CN", now=now, hold=True,
    )  # fmt: skip
    services.confirm(session, appeal, code_sent(session, RESIDENT), now=now)
    assert appeal.state == AppealState.HIDDEN
    assert services.timeline(session, appeal)[-1].details == {"reason": "busy_building"}


# --- filing for a resident (代办) ---------------------------------------------------------------------


def file_for(session, tree, worker, now, *, consent, building=None):
    report = services.Report(
        item_id=item(session, "rubbish-in-corridor").id, description="堆物", phone=RESIDENT
    )
    return services.submit(
        session, (building or tree.building).id, report, submission_key=f"for-{consent}", user=worker,
        locale="zh_Hans_CN", now=now, consent=consent,
    )  # fmt: skip


def test_a_grid_worker_files_for_a_resident_who_agrees_in_person(session, tree, staff, now):
    appeal = file_for(session, tree, staff.grid_worker, now, consent=True)
    assert appeal.state == AppealState.RECEIVED and appeal.filed_by == staff.grid_worker
    assert appeal.user_id is None
    first = services.timeline(session, appeal)[0]
    assert first.actor == staff.grid_worker and first.details == {"consent": True}
    assert messages(session, "appeal_code") == []
    assert [m.phone for m in messages(session, "appeal_received")] == [RESIDENT]


def test_without_consent_the_resident_confirms_with_the_code_sent_to_them(
    session, tree, staff, now
):
    appeal = file_for(session, tree, staff.grid_worker, now, consent=False)
    assert appeal.state == AppealState.UNCONFIRMED
    services.confirm(session, appeal, code_sent(session, RESIDENT), now=now)
    assert appeal.state == AppealState.RECEIVED


def test_staff_outside_the_area_report_like_any_resident(session, tree, staff, now):
    appeal = file_for(
        session, tree, staff.grid_worker, now, consent=True, building=tree.other_building
    )
    assert appeal.filed_by is None and appeal.state == AppealState.UNCONFIRMED


# --- late call-backs, and clean-up ----------------------------------------------------------------


def test_a_late_call_back_is_reported_to_the_district_once(session, tree, staff, now):
    appeal = accepted(session, tree, staff, now)
    services.resolve(session, staff.grid_worker, appeal, "已处理", now=now)
    services.review(session, appeal, "dissatisfied", "", now=now)
    services.accept(session, staff.secretary, appeal, now=now)
    services.resolve(session, staff.secretary, appeal, "再次处理", now=now)
    services.review(session, appeal, "dissatisfied", "还是不行", now=now)
    assert appeal.needs_callback and appeal.due_at == now + timedelta(days=3)
    assert clockwork.sweep(session, now + timedelta(days=3) - MINUTE)["callbacks"] == 0
    assert clockwork.sweep(session, now + timedelta(days=3))["callbacks"] == 1
    assert clockwork.sweep(session, now + timedelta(days=4))["callbacks"] == 0
    [late] = [
        m for m in messages(session, "appeal_overdue") if "call" in m.body or "回访" in m.body
    ]
    assert late.phone == staff.district_officer.phone
    services.call_back(session, staff.officer, appeal, "已电话回访", now=now + timedelta(days=4))
    assert appeal.state == AppealState.CLOSED


def test_a_report_nobody_confirmed_is_deleted_thirty_days_after_it_expired(session, tree, now):
    appeal = file_appeal(session, tree.building, now, confirm=False)
    appeal_id = appeal.id
    assert clockwork.sweep(session, now + timedelta(hours=24))["expired"] == 1
    expired = now + timedelta(hours=24)
    assert clockwork.sweep(session, expired + timedelta(days=30) - MINUTE)["purged"] == 0
    assert clockwork.sweep(session, expired + timedelta(days=30))["purged"] == 1
    session.expunge_all()
    assert session.get(Appeal, appeal_id) is None
    assert (
        session.scalars(select(AppealEvent).where(AppealEvent.appeal_id == appeal_id)).all() == []
    )


def test_the_sweep_reads_a_passed_deadline_once(session, tree, staff, now):
    appeal = accepted(session, tree, staff, now)
    clockwork.sweep(session, appeal.resolve_due_at)
    assert appeal.sweep_at is None and appeal.due_at == appeal.resolve_due_at
    assert queue(session, staff.grid_worker, appeal.resolve_due_at, overdue=True) == [appeal]


# --- the queue's filters --------------------------------------------------------------------------


def test_the_queue_filters_by_stage_item_grid_and_due_today(session, tree, staff, now):
    waiting = file_appeal(session, tree.building, now)
    handling = accepted(session, tree, staff, now)
    rubbish = item(session, "rubbish-in-corridor")
    other_kind = file_appeal(session, tree.building, now, item_id=rubbish.id)
    other_grid = file_appeal(session, tree.other_building, now)
    for appeal, worker in ((waiting, staff.grid_worker), (other_kind, staff.grid_worker)):
        services.relevel(session, worker, appeal, 3, "街道处理", now=now)
    services.relevel(session, staff.other_grid_worker, other_grid, 3, "街道处理", now=now)
    street = staff.officer
    assert set(queue(session, street, now, stage="waiting")) == {waiting, other_kind, other_grid}
    assert queue(session, staff.grid_worker, now, stage="handling") == [handling]
    assert queue(session, street, now, item_id=rubbish.id) == [other_kind]
    assert set(queue(session, street, now, grid_id=tree.other_grid.id)) == {other_grid}
    # The acceptance deadlines (10 minutes away) fall today; a resolution 7 days away does not.
    assert handling not in queue(session, staff.grid_worker, now, due_today=True)
    assert {g.id for g in queues.queue_grids(session, street)} == {
        tree.grid.id,
        tree.other_grid.id,
    }
    assert queues.end_of_local_day(now).astimezone(queues.SHANGHAI).hour == 0


def test_a_unit_with_reports_in_hand_is_not_retired(session, tree, staff, department, now):
    admin = factories.user(session, Role.ADMIN, None, name="周管理")
    wages = level_three(session, department)
    appeal = file_appeal(session, tree.building, now, item_id=wages.id)
    wages.unit = None  # the item goes elsewhere now; the report in hand stays with the unit
    with pytest.raises(Invalid, match="still being handled"):
        units.set_unit_retired(session, admin, department.unit, True, now=now)
    services.accept(session, department.member, appeal, now=now)
    services.resolve(session, department.member, appeal, "已处理", now=now)
    units.set_unit_retired(session, admin, department.unit, True, now=now)
    assert department.unit.retired_at == now
