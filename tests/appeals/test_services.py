"""The appeal loop without HTTP: filing, confirming, dispatch, every clock and escalation,
review and reopening, and who may do what. Time is passed in explicitly."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.appeals import casework, clockwork, queues, services, sla
from portal.appeals.models import Appeal, AppealEvent, AppealState, EventKind
from portal.appeals.states import ALLOWED, Action
from portal.audit.models import AuditEvent
from portal.catalogue.models import HandlingClass
from portal.errors import Forbidden, Invalid, NotFound, TooMany
from portal.permissions import Role
from tests import factories
from tests.appeals.conftest import RESIDENT, code_sent, file_appeal, item, messages

pytestmark = pytest.mark.usefixtures("app_context")
MINUTE = timedelta(minutes=1)


def test_a_report_waits_unconfirmed_until_its_code_is_typed(session, tree, staff, now):
    appeal = file_appeal(session, tree.building, now, confirm=False)
    assert appeal.state == AppealState.UNCONFIRMED and appeal.received_at is None
    assert re.fullmatch(r"A2611-[2-9A-HJ-NP-Z]{4}", appeal.tracking)
    assert [m.kind for m in messages(session, "appeal_code")] == ["appeal_code"]
    assert messages(session, "appeal_new") == [], "staff hear nothing before it is confirmed"

    with pytest.raises(Invalid, match="You can try 4 more times"):
        services.confirm(session, appeal, "000000", now=now)
    services.confirm(session, appeal, code_sent(session, RESIDENT), now=now + MINUTE)

    assert appeal.state == AppealState.RECEIVED and appeal.received_at == now + MINUTE
    assert appeal.queue_place == tree.grid and appeal.level == 1
    assert appeal.accept_due_at == now + 11 * MINUTE
    assert appeal.resolve_due_at == now + MINUTE + timedelta(days=7)
    assert appeal.contact_due_at is None and appeal.due_at == appeal.accept_due_at
    [received] = messages(session, "appeal_received", RESIDENT)
    assert appeal.tracking in received.body and f"/t/{appeal.tracking}" in received.body
    [new] = messages(session, "appeal_new")
    assert new.phone == staff.grid_worker.phone and appeal.tracking in new.body


def test_a_confirmation_code_is_refused_after_five_wrong_tries_and_after_ten_minutes(
    session, tree, now
):
    appeal = file_appeal(session, tree.building, now, confirm=False)
    for _ in range(5):
        with pytest.raises(Invalid):
            services.confirm(session, appeal, "000000", now=now)
    with pytest.raises(Invalid, match="too many times"):
        services.confirm(session, appeal, code_sent(session, RESIDENT), now=now)
    services.resend_code(session, appeal, now=now + 2 * MINUTE)
    with pytest.raises(Invalid, match="expired"):
        services.confirm(session, appeal, code_sent(session, RESIDENT), now=now + 13 * MINUTE)


def test_codes_are_resent_at_most_once_a_minute_and_four_times(session, tree, now):
    appeal = file_appeal(session, tree.building, now, confirm=False)
    with pytest.raises(TooMany):
        services.resend_code(session, appeal, now=now + timedelta(seconds=30))
    for n in range(1, 5):
        services.resend_code(session, appeal, now=now + n * 2 * MINUTE)
    with pytest.raises(TooMany, match="Too many codes"):
        services.resend_code(session, appeal, now=now + 20 * MINUTE)
    assert len(messages(session, "appeal_code")) == 5


def test_a_signed_in_resident_with_this_phone_verified_skips_the_code(session, tree, staff, now):
    resident = factories.user(session, phone="13698765432")
    resident.phone_verified_at = now
    report = services.Report(item_id=item(session, "rubbish-in-corridor").id,
                             description="楼道有垃圾", phone="136 9876 5432")  # fmt: skip
    appeal = services.submit(session, tree.building.id, report, submission_key="k1",
                             user=resident, locale="en", now=now)  # fmt: skip
    assert appeal.state == AppealState.RECEIVED and appeal.user_id == resident.id
    assert messages(session, "appeal_code") == []


def test_a_double_tap_files_one_appeal(session, tree, now):
    report = services.Report(item_id=item(session, "rubbish-in-corridor").id,
                             description="楼道有垃圾", phone=RESIDENT)  # fmt: skip
    first = services.submit(session, tree.building.id, report, submission_key="same",
                            user=None, locale="zh_Hans_CN", now=now)  # fmt: skip
    again = services.submit(session, tree.building.id, report, submission_key="same",
                            user=None, locale="zh_Hans_CN", now=now)  # fmt: skip
    assert again.id == first.id
    assert session.scalar(select(Appeal.id).where(Appeal.id != first.id)) is None
    # Written with it, once: its first event, at its item's level, and the code's SMS.
    [event] = session.scalars(select(AppealEvent).where(AppealEvent.appeal_id == first.id))
    assert (event.kind, event.state, event.level) == (
        EventKind.SUBMITTED, AppealState.UNCONFIRMED, item(session, "rubbish-in-corridor").default_level
    )  # fmt: skip
    assert event.actor_id is None and event.details == {}
    [code] = messages(session, "appeal_code")
    assert code.cause == f"appeals:{first.id}" and first.tracking in code.body
    assert code.expires_at == now + services.CODE_VALID_FOR


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"description": "   "}, "description", "Say what happened"),
        ({"description": "字" * 2001}, "description", "within 2000 characters"),
        ({"phone": "12345"}, "phone", "11-digit"),
        ({"item_id": 999_999}, "item", "Choose what kind"),
    ],
)
def test_bad_reports_are_refused_with_a_message_for_their_field(
    session, tree, now, fields, field, message
):
    with pytest.raises(Invalid, match=message) as refused:
        file_appeal(session, tree.building, now, confirm=False, **fields)
    assert refused.value.details["field"] == field
    assert session.scalar(select(Appeal.id)) is None


def test_each_level_goes_to_its_own_queue(session, tree, staff, now):
    for code, place in [("rubbish-in-corridor", tree.grid), ("neighbour-noise", tree.community),
                        ("unpaid-wages", tree.street)]:  # fmt: skip
        appeal = file_appeal(session, tree.building, now, item_id=item(session, code).id)
        assert appeal.queue_place == place, code


def test_accepting_tells_the_resident_who_handles_it(session, tree, staff, now):
    appeal = file_appeal(session, tree.building, now)
    services.accept(session, staff.grid_worker, appeal, now=now + 3 * MINUTE)
    assert appeal.state == AppealState.ACCEPTED and appeal.handler_id == staff.grid_worker.id
    assert appeal.accepted_at == now + 3 * MINUTE and appeal.due_at == appeal.resolve_due_at
    [told] = messages(session, "appeal_accepted", RESIDENT)
    masked = staff.grid_worker.phone[:3] + "****" + staff.grid_worker.phone[-4:]
    assert "王网格" in told.body and masked in told.body
    assert staff.grid_worker.phone not in told.body
    audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "appeals.accept")).one()
    assert audit.actor_id == staff.grid_worker.id and audit.target_id == str(appeal.id)


def test_urgent_or_a_meeting_request_starts_the_30_minute_contact_clock(session, tree, staff, now):
    appeal = file_appeal(session, tree.building, now, urgent=True)
    assert appeal.contact_due_at == now + 30 * MINUTE
    services.accept(session, staff.grid_worker, appeal, now=now + MINUTE)
    assert appeal.due_at == appeal.contact_due_at
    services.record_contact(session, staff.grid_worker, appeal, now=now + 5 * MINUTE)
    assert appeal.first_contact_at == now + 5 * MINUTE and appeal.due_at == appeal.resolve_due_at
    meeting = file_appeal(session, tree.building, now, wants_meeting=True)
    assert meeting.contact_due_at == now + 30 * MINUTE


def test_the_handling_class_sets_the_resolution_deadline(session, tree, now):
    gas = file_appeal(session, tree.building, now, item_id=item(session, "gas-smell").id)
    assert gas.item.handling == HandlingClass.EMERGENCY
    assert gas.resolve_due_at == now + timedelta(hours=2)


def test_a_district_can_change_its_clocks(session, tree, now, app):
    clocks = sla.Clocks.from_config({"accept": 5, "handling": {"general": 60 * 24 * 3}})
    assert clocks.accept == 5 * MINUTE and clocks.handling[HandlingClass.GENERAL] == timedelta(3)
    assert clocks.contact == 30 * MINUTE
    for bad in ({"accept": 0}, {"acept": 5}, {"handling": {"general": "soon"}}, {"review": True}):
        with pytest.raises(ValueError, match="APPEAL_CLOCKS"):
            sla.Clocks.from_config(bad)


def test_only_staff_whose_area_holds_the_queue_may_act(session, tree, staff, now):
    appeal = file_appeal(session, tree.building, now)
    resident = factories.user(session)
    for outsider in (staff.other_grid_worker, staff.other_secretary, resident):
        with pytest.raises(Forbidden):
            services.accept(session, outsider, appeal, now=now)
    assert not services.can_view(staff.other_grid_worker, appeal)
    assert services.can_act(staff.secretary, appeal) and services.can_act(staff.officer, appeal)
    services.accept(session, staff.secretary, appeal, now=now)
    with pytest.raises(Forbidden, match="Only the person who took"):
        services.resolve(session, staff.grid_worker, appeal, "修好了", now=now)


def test_an_unaccepted_appeal_is_passed_up_each_time_its_clock_runs_out(session, tree, staff, now):
    appeal = file_appeal(session, tree.building, now)
    assert clockwork.sweep(session, now + 10 * MINUTE - timedelta(seconds=1))["escalated"] == 0
    assert clockwork.sweep(session, now + 10 * MINUTE)["escalated"] == 1
    assert appeal.queue_place == tree.community and appeal.state == AppealState.RECEIVED
    assert appeal.accept_due_at == now + 20 * MINUTE
    told = {m.phone for m in messages(session, "appeal_escalated")}
    assert told == {staff.grid_worker.phone, staff.secretary.phone}
    with pytest.raises(Forbidden):
        services.accept(session, staff.grid_worker, appeal, now=now + 11 * MINUTE)

    clockwork.sweep(session, now + 20 * MINUTE)
    assert appeal.queue_place == tree.street
    clockwork.sweep(session, now + 30 * MINUTE)
    assert appeal.queue_place == tree.district
    assert clockwork.sweep(session, now + 40 * MINUTE)["escalated"] == 0
    assert appeal.queue_place == tree.district and appeal.escalations == 3
    services.accept(session, staff.district_officer, appeal, now=now + 41 * MINUTE)


def test_an_overdue_resolution_alerts_the_supervisor_once(session, tree, staff, now):
    appeal = file_appeal(session, tree.building, now)
    services.accept(session, staff.grid_worker, appeal, now=now + MINUTE)
    deadline = appeal.resolve_due_at
    assert clockwork.sweep(session, deadline - timedelta(seconds=1))["overdue"] == 0
    assert clockwork.sweep(session, deadline)["overdue"] == 1
    assert clockwork.sweep(session, deadline + 5 * MINUTE)["overdue"] == 0
    [alert] = messages(session, "appeal_overdue")
    assert alert.phone == staff.secretary.phone and appeal.tracking in alert.body
    assert appeal.overdue_alerted_at == deadline


def test_a_missed_contact_and_then_a_missed_resolution_are_each_reported(session, tree, staff, now):
    appeal = file_appeal(session, tree.building, now, wants_meeting=True)
    services.accept(session, staff.grid_worker, appeal, now=now + MINUTE)
    assert clockwork.sweep(session, now + 30 * MINUTE)["overdue"] == 1
    services.record_contact(session, staff.grid_worker, appeal, now=now + 40 * MINUTE)
    assert clockwork.sweep(session, now + 41 * MINUTE)["overdue"] == 0
    assert clockwork.sweep(session, appeal.resolve_due_at)["overdue"] == 1
    clocks = [m.params["clock"] for m in messages(session, "appeal_overdue")]
    assert clocks == ["contact", "resolve"]


def test_an_unconfirmed_appeal_expires_after_24_hours(session, tree, now):
    appeal = file_appeal(session, tree.building, now, confirm=False)
    assert clockwork.sweep(session, now + timedelta(hours=24) - MINUTE)["expired"] == 0
    assert clockwork.sweep(session, now + timedelta(hours=24))["expired"] == 1
    assert appeal.state == AppealState.EXPIRED and not appeal.is_open
    with pytest.raises(Invalid):
        services.confirm(session, appeal, "123456", now=now + timedelta(hours=25))


def resolved(session, tree, staff, now, **fields):
    appeal = file_appeal(session, tree.building, now, **fields)
    services.accept(session, staff.grid_worker, appeal, now=now + MINUTE)
    services.start(session, staff.grid_worker, appeal, now=now + 2 * MINUTE)
    services.resolve(session, staff.grid_worker, appeal, "已清理楼道", now=now + 3 * MINUTE)
    return appeal


def test_resolving_needs_a_note_and_asks_the_resident_to_rate(session, tree, staff, now):
    appeal = file_appeal(session, tree.building, now)
    services.accept(session, staff.grid_worker, appeal, now=now)
    with pytest.raises(Invalid, match="Say what was done"):
        services.resolve(session, staff.grid_worker, appeal, " ", now=now)
    services.resolve(session, staff.grid_worker, appeal, "已清理楼道", now=now + MINUTE)
    assert appeal.state == AppealState.RESOLVED and appeal.resolved_at == now + MINUTE
    assert not appeal.is_open
    [asked] = messages(session, "appeal_resolved", RESIDENT)
    assert f"/t/{appeal.tracking}" in asked.body


def test_an_unrated_appeal_closes_after_seven_days(session, tree, staff, now):
    appeal = resolved(session, tree, staff, now)
    assert clockwork.sweep(session, appeal.resolved_at + timedelta(days=7) - MINUTE)["closed"] == 0
    assert clockwork.sweep(session, appeal.resolved_at + timedelta(days=7))["closed"] == 1
    assert appeal.state == AppealState.CLOSED and appeal.rating is None
    assert appeal.closed_at == appeal.resolved_at + timedelta(days=7)


@pytest.mark.parametrize("rating", ["satisfied", "basically_satisfied"])
def test_a_satisfied_rating_completes_the_loop(session, tree, staff, now, rating):
    appeal = resolved(session, tree, staff, now)
    services.review(session, appeal, rating, "谢谢", now=now + timedelta(hours=1))
    assert appeal.state == AppealState.REVIEWED and appeal.rating == rating
    assert appeal.closed_at == appeal.reviewed_at == now + timedelta(hours=1)
    assert not any(clockwork.sweep(session, now + timedelta(days=30)).values())


def test_dissatisfied_reopens_one_level_up_then_asks_the_street_to_call_back(
    session, tree, staff, now
):
    appeal = resolved(session, tree, staff, now)
    later = now + timedelta(hours=2)
    services.review(session, appeal, "dissatisfied", "还是堆着", now=later)
    assert appeal.state == AppealState.REOPENED and appeal.reopen_count == 1
    assert appeal.level == 2 and appeal.queue_place == tree.community
    assert appeal.accept_due_at == later + 10 * MINUTE and appeal.handler_id is None
    assert [m.phone for m in messages(session, "appeal_reopened")] == [staff.secretary.phone]
    with pytest.raises(Forbidden):
        services.accept(session, staff.grid_worker, appeal, now=later)

    services.accept(session, staff.secretary, appeal, now=later + MINUTE)
    services.resolve(session, staff.secretary, appeal, "已联系物业清运", now=later + 2 * MINUTE)
    services.review(session, appeal, "dissatisfied", "", now=later + 3 * MINUTE)
    assert appeal.state == AppealState.REVIEWED and appeal.needs_callback
    assert appeal.queue_place == tree.street and appeal.is_open
    assert [m.phone for m in messages(session, "appeal_callback")] == [staff.officer.phone]
    with pytest.raises(Forbidden):
        services.call_back(session, staff.secretary, appeal, "已回访", now=later)
    services.call_back(
        session, staff.officer, appeal, "已电话回访，居民表示理解", now=later + 4 * MINUTE
    )
    assert appeal.state == AppealState.CLOSED and not appeal.is_open
    kinds = [e.kind for e in services.timeline(session, appeal)]
    assert kinds.count(EventKind.REOPENED) == 1 and kinds[-1] == EventKind.CALLED_BACK


def test_relevelling_needs_a_reason_and_waits_for_a_new_acceptance(session, tree, staff, now):
    appeal = file_appeal(session, tree.building, now)
    with pytest.raises(Invalid, match="reason"):
        services.relevel(session, staff.grid_worker, appeal, 2, "", now=now)
    with pytest.raises(Invalid, match="already"):
        services.relevel(session, staff.grid_worker, appeal, 1, "原因", now=now)
    services.relevel(session, staff.grid_worker, appeal, 2, "需要物业配合", now=now + MINUTE)
    assert appeal.level == 2 and appeal.queue_place == tree.community
    assert appeal.accept_due_at == now + 11 * MINUTE
    assert messages(session, "appeal_new")[-1].phone == staff.secretary.phone


ACTIONS = {
    Action.ACCEPT: lambda s, a, staff, now: services.accept(s, staff.grid_worker, a, now=now),
    Action.CONTACT: lambda s, a, staff, now: services.record_contact(
        s, staff.grid_worker, a, now=now
    ),
    Action.START: lambda s, a, staff, now: services.start(s, staff.grid_worker, a, now=now),
    Action.RESOLVE: lambda s, a, staff, now: services.resolve(
        s, staff.grid_worker, a, "处理完毕", now=now
    ),
    Action.RELEVEL: lambda s, a, staff, now: services.relevel(
        s, staff.grid_worker, a, 2, "原因", now=now
    ),
    Action.REVIEW: lambda s, a, staff, now: services.review(s, a, "satisfied", "", now=now),
    Action.CALL_BACK: lambda s, a, staff, now: services.call_back(
        s, staff.grid_worker, a, "已回访", now=now
    ),
    Action.CONFIRM: lambda s, a, staff, now: services.confirm(s, a, "123456", now=now),
    Action.TRANSFER: lambda s, a, staff, now: casework.transfer(
        s, staff.grid_worker, a, "place:1", "原因", now=now
    ),
    Action.SUMMON: lambda s, a, staff, now: casework.summon(
        s, staff.grid_worker, a, 1, 24, "请处理", now=now
    ),
    Action.MERGE: lambda s, a, staff, now: casework.merge(
        s, staff.grid_worker, a, "A0000-0000", now=now
    ),
    Action.HIDE: lambda s, a, staff, now: casework.hide(s, staff.grid_worker, a, "广告", now=now),
    Action.RESTORE: lambda s, a, staff, now: casework.restore(s, staff.grid_worker, a, now=now),
}
REFUSED = [
    (action, state) for action in ACTIONS for state in AppealState if state not in ALLOWED[action]
]


@pytest.mark.parametrize(("action", "state"), REFUSED, ids=lambda v: str(v))
def test_every_illegal_transition_is_refused(session, tree, staff, now, action, state):
    appeal = file_appeal(session, tree.building, now)
    appeal.state = state
    appeal.handler_id = staff.grid_worker.id
    with pytest.raises(Invalid, match=r"cannot be done now|no longer be confirmed|already"):
        ACTIONS[action](session, appeal, staff, now)
    assert appeal.state == state


def test_the_queue_shows_overdue_first_then_by_deadline(session, tree, staff, now):
    late = file_appeal(session, tree.building, now - timedelta(hours=1))
    soon = file_appeal(session, tree.building, now)
    urgent = file_appeal(session, tree.building, now - 25 * MINUTE, urgent=True)
    services.accept(session, staff.grid_worker, urgent, now=now - 19 * MINUTE)
    elsewhere = file_appeal(session, tree.other_building, now)
    query = queues.queue_query(staff.grid_worker, queues.QueueFilter(), now=now)
    assert list(session.scalars(query)) == [late, urgent, soon]
    overdue = queues.QueueFilter(overdue=True)
    assert list(session.scalars(queues.queue_query(staff.grid_worker, overdue, now=now))) == [late]
    mine = queues.QueueFilter(view="mine")
    assert list(session.scalars(queues.queue_query(staff.grid_worker, mine, now=now))) == [urgent]
    assert (
        elsewhere
        in session.scalars(
            queues.queue_query(staff.other_grid_worker, queues.QueueFilter(), now=now)
        ).all()
    )
    with pytest.raises(Forbidden):
        queues.queue_query(factories.user(session), queues.QueueFilter(), now=now)


def test_revealing_the_number_is_audited_and_limited_to_the_area(session, tree, staff, now):
    appeal = file_appeal(session, tree.building, now)
    assert services.reveal_phone(session, staff.secretary, appeal, now=now) == RESIDENT
    with pytest.raises(Forbidden):
        services.reveal_phone(session, staff.other_secretary, appeal, now=now)
    actions = session.scalars(select(AuditEvent.action)).all()
    assert actions.count("appeals.reveal_phone") == 1


def test_the_tracking_page_proof_is_the_last_four_digits(session, tree, now):
    appeal = file_appeal(session, tree.building, now)
    assert services.phone_matches(appeal, "5678") and services.phone_matches(appeal, " 56 78")
    assert not services.phone_matches(appeal, "1234") and not services.phone_matches(appeal, "")


def test_tracking_numbers_are_unique_even_when_draws_collide(session, tree, now, monkeypatch):
    from portal.appeals import tracking

    first = file_appeal(session, tree.building, now, confirm=False)
    draws = iter([first.tracking] * 5 + ["A2611-22222"])
    monkeypatch.setattr(tracking, "_draw", lambda moment, length: next(draws))
    second = file_appeal(session, tree.building, now, confirm=False)
    assert second.tracking == "A2611-22222"
    # The draws that collided wrote nothing: one event and one code each, with their numbers.
    events = session.scalars(select(AppealEvent.appeal_id).order_by(AppealEvent.id)).all()
    assert events == [first.id, second.id]
    assert [m.cause for m in messages(session, "appeal_code")] == [
        f"appeals:{first.id}", f"appeals:{second.id}"
    ]  # fmt: skip
    assert "A2611-22222" in messages(session, "appeal_code")[1].body
    assert len(secrets.token_hex(2)) == 4  # the draw is random, not counted


def test_passing_up_raises_the_level_and_a_reopen_goes_on_from_there(session, tree, staff, now):
    appeal = file_appeal(session, tree.building, now)
    clockwork.sweep(session, now + 10 * MINUTE)
    assert appeal.level == 2 and appeal.queue_place == tree.community
    services.accept(session, staff.secretary, appeal, now=now + 11 * MINUTE)
    assert appeal.escalations == 1
    services.resolve(session, staff.secretary, appeal, "已处理", now=now + 12 * MINUTE)
    services.review(session, appeal, "dissatisfied", "", now=now + 13 * MINUTE)
    assert appeal.level == 3 and appeal.queue_place == tree.street and appeal.escalations == 0
    assert appeal.rating is None and appeal.resolution_note == ""


def test_a_missed_contact_does_not_hide_a_missed_resolution(session, tree, staff, now):
    appeal = file_appeal(session, tree.building, now, urgent=True)
    services.accept(session, staff.grid_worker, appeal, now=now + MINUTE)
    assert clockwork.sweep(session, now + 30 * MINUTE)["overdue"] == 1
    assert clockwork.sweep(session, now + timedelta(days=1))["overdue"] == 0
    assert clockwork.sweep(session, appeal.resolve_due_at)["overdue"] == 1


def test_a_second_acceptance_after_relevelling_is_told_to_the_resident(session, tree, staff, now):
    appeal = file_appeal(session, tree.building, now)
    services.accept(session, staff.grid_worker, appeal, now=now + MINUTE)
    services.relevel(session, staff.grid_worker, appeal, 2, "需要社区协调", now=now + 2 * MINUTE)
    services.accept(session, staff.secretary, appeal, now=now + 3 * MINUTE)
    bodies = [m.body for m in messages(session, "appeal_accepted", RESIDENT)]
    assert len(bodies) == 2 and "陈书记" in bodies[-1]


def test_a_copied_form_key_does_not_lead_to_someone_elses_appeal(session, tree, now):
    report = services.Report(item_id=item(session, "rubbish-in-corridor").id,
                             description="楼道有垃圾", phone=RESIDENT)  # fmt: skip
    services.submit(session, tree.building.id, report, submission_key="copied",
                    user=None, locale="zh_Hans_CN", now=now)  # fmt: skip
    other = services.Report(item_id=report.item_id, description="x", phone="13900001111")
    with pytest.raises(Invalid, match="already used"):
        services.submit(session, tree.building.id, other, submission_key="copied",
                        user=None, locale="zh_Hans_CN", now=now)  # fmt: skip


def test_my_appeals_by_phone_only_for_a_resident_who_proved_it(session, tree, now):
    appeal = file_appeal(session, tree.building, now)
    unverified_staff = factories.user(session, Role.GRID_WORKER, tree.grid, phone=RESIDENT)
    assert not services.is_owner(unverified_staff, appeal)
    assert appeal not in session.scalars(services.residents_appeals(unverified_staff)).all()
    session.delete(unverified_staff)
    session.flush()
    resident = factories.user(session, phone=RESIDENT)
    resident.phone_verified_at = now
    assert services.is_owner(resident, appeal)
    assert session.scalars(services.residents_appeals(resident)).all() == [appeal]


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ("retired building", "no longer in use"),
        ("unknown building", "not known"),
        ("no item", "Choose what kind"),
        ("unknown item", "Choose what kind"),
    ],
)
def test_a_report_about_something_not_in_use_is_refused_and_nothing_written(
    session, tree, now, change, refusal
):
    building_id, item_id = tree.building.id, item(session, "rubbish-in-corridor").id
    if change == "retired building":
        tree.building.retired_at = now
        session.flush()
    building_id = building_id + 1000 if change == "unknown building" else building_id
    item_id = {"no item": None, "unknown item": item_id + 1000}.get(change, item_id)
    report = services.Report(item_id=item_id, description="楼道有垃圾", phone=RESIDENT)
    with pytest.raises((Invalid, NotFound), match=refusal):
        services.submit(session, building_id, report, submission_key="k",
                        user=None, locale="zh_Hans_CN", now=now)  # fmt: skip
    assert session.scalars(select(Appeal)).all() == []
    assert messages(session, "appeal_code", RESIDENT) == []


def test_a_number_drawn_twice_at_the_same_moment_is_drawn_again(session, tree, now, monkeypatch):
    first = file_appeal(session, tree.building, now)
    drawn = iter([first.tracking])
    real = services.draw_tracking_number
    # The other report has this number already: the insert finds out, and draws again.
    monkeypatch.setattr(
        services,
        "draw_tracking_number",
        lambda when, attempt: next(drawn, None) or real(when, attempt),
    )
    second = file_appeal(session, tree.building, now, phone="13698765432")
    assert second.tracking != first.tracking and second.state == AppealState.RECEIVED


def test_a_report_written_with_plain_statements_behaves_as_one_read_back(session, tree, now):
    """The send writes its rows without the unit of work; the appeal it returns is then an
    ordinary one: what it left to the defaults is read on use, and a change is an UPDATE."""
    appeal = file_appeal(session, tree.building, now, confirm=False)
    assert appeal in session and not session.new and not session.dirty
    assert (appeal.is_open, appeal.escalations, appeal.reopen_count) == (False, 0, 0)
    services.confirm(session, appeal, code_sent(session, RESIDENT), now=now)
    session.flush()
    session.expire_all()
    [stored] = session.scalars(select(Appeal)).all()
    assert stored is appeal and stored.state == AppealState.RECEIVED
    assert [event.kind for event in services.timeline(session, appeal)] == [
        EventKind.SUBMITTED,
        EventKind.CONFIRMED,
    ]
