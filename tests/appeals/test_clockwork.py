"""The clock sweep (portal/appeals/clockwork.py): escalation at a missed acceptance, overdue
alerts told once, overdue summonses and call-backs, expiry and clean-up, each deadline read once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.appeals import clockwork, services
from portal.appeals.models import Appeal, AppealEvent, AppealState, PhotoStage
from portal.errors import Forbidden, Invalid
from portal.uploads import services as uploads
from portal.uploads.store import Store
from tests import factories
from tests.appeals.conftest import (
    MINUTE,
    accepted,
    file_appeal,
    item,
    level_three,
    messages,
    overdue_events,
    queue,
    resolved,
)

pytestmark = pytest.mark.usefixtures("app_context")


def test_an_unaccepted_appeal_is_passed_up_each_time_its_clock_runs_out(
    session, tree, staff, now, settings
):
    appeal = file_appeal(session, tree.building, now)
    assert (
        clockwork.sweep(session, now + 10 * MINUTE - timedelta(seconds=1), settings=settings)[
            "escalated"
        ]
        == 0
    )
    assert clockwork.sweep(session, now + 10 * MINUTE, settings=settings)["escalated"] == 1
    assert appeal.queue_place == tree.community and appeal.state == AppealState.RECEIVED
    assert appeal.accept_due_at == now + 20 * MINUTE
    told = {m.phone for m in messages(session, "appeal_escalated")}
    assert told == {staff.grid_worker.phone, staff.secretary.phone}
    with pytest.raises(Forbidden):
        services.accept(session, staff.grid_worker, appeal, now=now + 11 * MINUTE)

    clockwork.sweep(session, now + 20 * MINUTE, settings=settings)
    assert appeal.queue_place == tree.street
    clockwork.sweep(session, now + 30 * MINUTE, settings=settings)
    assert appeal.queue_place == tree.district
    assert clockwork.sweep(session, now + 40 * MINUTE, settings=settings)["escalated"] == 0
    assert appeal.queue_place == tree.district and appeal.escalations == 3
    services.accept(session, staff.district_officer, appeal, now=now + 41 * MINUTE)


def test_an_overdue_resolution_alerts_the_supervisor_once(session, tree, staff, now, settings):
    appeal = file_appeal(session, tree.building, now)
    services.accept(session, staff.grid_worker, appeal, now=now + MINUTE)
    deadline = appeal.resolve_due_at
    assert (
        clockwork.sweep(session, deadline - timedelta(seconds=1), settings=settings)["overdue"] == 0
    )
    assert clockwork.sweep(session, deadline, settings=settings)["overdue"] == 1
    assert clockwork.sweep(session, deadline + 5 * MINUTE, settings=settings)["overdue"] == 0
    [alert] = messages(session, "appeal_overdue")
    assert alert.phone == staff.secretary.phone and appeal.tracking in alert.body
    assert appeal.overdue_alerted_at == deadline


def test_a_missed_contact_and_then_a_missed_resolution_are_each_reported(
    session, tree, staff, now, settings
):
    appeal = file_appeal(session, tree.building, now, urgent=True)
    services.accept(session, staff.grid_worker, appeal, now=now + MINUTE)
    assert clockwork.sweep(session, now + 30 * MINUTE, settings=settings)["overdue"] == 1
    services.record_contact(session, staff.grid_worker, appeal, now=now + 40 * MINUTE)
    assert clockwork.sweep(session, now + 41 * MINUTE, settings=settings)["overdue"] == 0
    assert clockwork.sweep(session, appeal.resolve_due_at, settings=settings)["overdue"] == 1
    clocks = [m.params["clock"] for m in messages(session, "appeal_overdue")]
    assert clocks == ["contact", "resolve"]


def test_an_unconfirmed_appeal_expires_after_24_hours(session, tree, now, settings):
    appeal = file_appeal(session, tree.building, now, confirm=False)
    assert (
        clockwork.sweep(session, now + timedelta(hours=24) - MINUTE, settings=settings)["expired"]
        == 0
    )
    assert clockwork.sweep(session, now + timedelta(hours=24), settings=settings)["expired"] == 1
    assert appeal.state == AppealState.EXPIRED and not appeal.is_open
    with pytest.raises(Invalid):
        services.confirm(
            session, appeal, "123456", now=now + timedelta(hours=25), settings=settings
        )


def test_an_unrated_appeal_closes_after_seven_days(session, tree, staff, now, settings):
    appeal = resolved(session, tree, staff, now)
    assert (
        clockwork.sweep(
            session, appeal.resolved_at + timedelta(days=7) - MINUTE, settings=settings
        )["closed"]
        == 0
    )
    assert (
        clockwork.sweep(session, appeal.resolved_at + timedelta(days=7), settings=settings)[
            "closed"
        ]
        == 1
    )
    assert appeal.state == AppealState.CLOSED and appeal.rating is None
    assert appeal.closed_at == appeal.resolved_at + timedelta(days=7)


def test_passing_up_raises_the_level_and_a_reopen_goes_on_from_there(
    session, tree, staff, now, settings
):
    appeal = file_appeal(session, tree.building, now)
    clockwork.sweep(session, now + 10 * MINUTE, settings=settings)
    assert appeal.level == 2 and appeal.queue_place == tree.community
    services.accept(session, staff.secretary, appeal, now=now + 11 * MINUTE)
    assert appeal.escalations == 1
    services.resolve(
        session, staff.secretary, appeal, "已处理", now=now + 12 * MINUTE, settings=settings
    )
    services.review(session, appeal, "dissatisfied", "", now=now + 13 * MINUTE, settings=settings)
    assert appeal.level == 3 and appeal.queue_place == tree.street and appeal.escalations == 0
    assert appeal.rating is None and appeal.resolution_note == ""


def test_a_missed_contact_does_not_hide_a_missed_resolution(session, tree, staff, now, settings):
    appeal = file_appeal(session, tree.building, now, urgent=True)
    services.accept(session, staff.grid_worker, appeal, now=now + MINUTE)
    assert clockwork.sweep(session, now + 30 * MINUTE, settings=settings)["overdue"] == 1
    assert clockwork.sweep(session, now + timedelta(days=1), settings=settings)["overdue"] == 0
    assert clockwork.sweep(session, appeal.resolve_due_at, settings=settings)["overdue"] == 1


def test_a_units_appeal_not_taken_in_time_passes_to_the_place_it_serves(
    session, tree, staff, department, now, settings
):
    appeal = file_appeal(session, tree.building, now, item_id=level_three(session, department).id)
    assert clockwork.sweep(session, now + 10 * MINUTE, settings=settings)["escalated"] == 1
    assert appeal.unit is None and appeal.queue_place == tree.district
    [first, *_] = messages(session, "appeal_escalated")
    assert first.phone == department.member.phone


def test_an_unanswered_summons_is_reported_once_when_its_deadline_passes(
    session, tree, staff, department, now, settings
):
    appeal = accepted(session, tree, staff, now)
    services.summon(session, staff.grid_worker, appeal, department.unit.id, 2, "请处理", now=now)
    assert (
        clockwork.sweep(session, now + 2 * timedelta(hours=1) - MINUTE, settings=settings)[
            "summonses"
        ]
        == 0
    )
    assert clockwork.sweep(session, now + timedelta(hours=2), settings=settings)["summonses"] == 1
    assert clockwork.sweep(session, now + timedelta(hours=3), settings=settings)["summonses"] == 0
    told = {m.phone for m in messages(session, "appeal_overdue")}
    assert told == {staff.grid_worker.phone, department.member.phone}


def test_a_late_call_back_is_reported_to_the_district_once(session, tree, staff, now, settings):
    appeal = accepted(session, tree, staff, now)
    services.resolve(session, staff.grid_worker, appeal, "已处理", now=now, settings=settings)
    services.review(session, appeal, "dissatisfied", "", now=now, settings=settings)
    services.accept(session, staff.secretary, appeal, now=now)
    services.resolve(session, staff.secretary, appeal, "再次处理", now=now, settings=settings)
    services.review(session, appeal, "dissatisfied", "还是不行", now=now, settings=settings)
    assert appeal.needs_callback and appeal.due_at == now + timedelta(days=3)
    assert (
        clockwork.sweep(session, now + timedelta(days=3) - MINUTE, settings=settings)["callbacks"]
        == 0
    )
    assert clockwork.sweep(session, now + timedelta(days=3), settings=settings)["callbacks"] == 1
    assert clockwork.sweep(session, now + timedelta(days=4), settings=settings)["callbacks"] == 0
    [late] = [
        m for m in messages(session, "appeal_overdue") if "call" in m.body or "回访" in m.body
    ]
    assert late.phone == staff.district_officer.phone
    services.call_back(session, staff.officer, appeal, "已电话回访", now=now + timedelta(days=4))
    assert appeal.state == AppealState.CLOSED


def test_a_report_nobody_confirmed_is_deleted_thirty_days_after_it_expired(
    session, tree, now, settings
):
    appeal = file_appeal(session, tree.building, now, confirm=False)
    appeal_id = appeal.id
    assert clockwork.sweep(session, now + timedelta(hours=24), settings=settings)["expired"] == 1
    expired = now + timedelta(hours=24)
    assert (
        clockwork.sweep(session, expired + timedelta(days=30) - MINUTE, settings=settings)["purged"]
        == 0
    )
    assert clockwork.sweep(session, expired + timedelta(days=30), settings=settings)["purged"] == 1
    session.expunge_all()
    assert session.get(Appeal, appeal_id) is None
    assert (
        session.scalars(select(AppealEvent).where(AppealEvent.appeal_id == appeal_id)).all() == []
    )


def test_the_sweep_reads_a_passed_deadline_once(session, tree, staff, now, settings):
    appeal = accepted(session, tree, staff, now)
    clockwork.sweep(session, appeal.resolve_due_at, settings=settings)
    assert appeal.sweep_at is None and appeal.due_at == appeal.resolve_due_at
    assert queue(session, staff.grid_worker, appeal.resolve_due_at, overdue=True) == [appeal]


def test_contact_and_resolution_missed_at_once_are_reported_once(
    session, tree, staff, now, settings
):
    rubbish = item(session, "rubbish-in-corridor")
    rubbish.resolve_minutes = 30  # the same moment as the contact clock
    appeal = file_appeal(session, tree.building, now, item_id=rubbish.id, urgent=True)
    services.accept(session, staff.grid_worker, appeal, now=now + MINUTE)
    for minutes in (31, 32, 33):
        clockwork.sweep(session, now + minutes * MINUTE, settings=settings)
    assert appeal.sweep_at is None
    assert [e.details["clock"] for e in overdue_events(session, appeal)] == ["resolve"]


def test_a_contact_recorded_after_the_alert_does_not_report_it_again(
    session, tree, staff, now, settings
):
    appeal = file_appeal(session, tree.building, now, urgent=True)
    services.accept(session, staff.grid_worker, appeal, now=now + MINUTE)
    clockwork.sweep(
        session, appeal.contact_due_at, settings=settings
    )  # the contact clock, reported
    clockwork.sweep(session, appeal.resolve_due_at, settings=settings)  # then the resolution's
    services.record_contact(session, staff.grid_worker, appeal, now=appeal.resolve_due_at)
    clockwork.sweep(session, appeal.resolve_due_at + MINUTE, settings=settings)
    assert len(overdue_events(session, appeal)) == 2 and appeal.sweep_at is None


def test_a_second_escalation_after_a_relevel_is_texted_again(session, tree, staff, now, settings):
    appeal = file_appeal(session, tree.building, now)
    clockwork.sweep(session, now + 10 * MINUTE, settings=settings)
    first = len(messages(session, "appeal_escalated"))
    later = now + 20 * MINUTE
    services.relevel(
        session, staff.secretary, appeal, 1, "网格先处理", now=later, settings=settings
    )
    clockwork.sweep(session, later + 10 * MINUTE, settings=settings)
    assert appeal.queue_place == tree.community
    assert len(messages(session, "appeal_escalated")) == 2 * first


def test_the_photos_of_a_deleted_report_are_left_to_the_upload_stores_purge(
    session, tree, now, settings, tmp_path
):
    appeal = file_appeal(session, tree.building, now, confirm=False)
    photo = factories.upload(session, Store(tmp_path), created_at=now)
    services.attach_photos(session, appeal, [photo], PhotoStage.REPORT, now=now)
    assert photo.owner == services.photo_owner(appeal)
    clockwork.sweep(session, now + timedelta(hours=24), settings=settings)
    purged = now + timedelta(days=31)
    assert clockwork.sweep(session, purged, settings=settings)["purged"] == 1
    session.refresh(photo)
    assert photo.owner is None
    assert uploads.purge_unattached(session, purged) == [photo.name]
