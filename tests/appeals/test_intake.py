"""A resident's report entering the loop, without HTTP: the code, a double tap, refused input,
the fast write and its tracking numbers, reports held, and staff filing for a resident."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.appeals import services
from portal.appeals.models import Appeal, AppealEvent, AppealState, EventKind
from portal.audit.models import AuditEvent
from portal.errors import Forbidden, Invalid, NotFound, TooMany
from tests import factories
from tests.accounts.test_views import EN, sign_in_staff
from tests.appeals.conftest import (
    MINUTE,
    RESIDENT,
    code_sent,
    file_appeal,
    file_for,
    item,
    messages,
)

pytestmark = pytest.mark.usefixtures("app_context")


def test_a_report_waits_unconfirmed_until_its_code_is_typed(session, tree, staff, now, settings):
    appeal = file_appeal(session, tree.building, now, confirm=False)
    assert appeal.state == AppealState.UNCONFIRMED and appeal.received_at is None
    assert re.fullmatch(r"A2611-[2-9A-HJ-NP-Z]{4}", appeal.tracking)
    assert [m.kind for m in messages(session, "appeal_code")] == ["appeal_code"]
    assert messages(session, "appeal_new") == [], "staff hear nothing before it is confirmed"

    with pytest.raises(Invalid, match="You can try 4 more times"):
        services.confirm(session, appeal, "000000", now=now, settings=settings)
    services.confirm(
        session, appeal, code_sent(session, RESIDENT), now=now + MINUTE, settings=settings
    )

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
    session, tree, now, settings
):
    appeal = file_appeal(session, tree.building, now, confirm=False)
    for _ in range(5):
        with pytest.raises(Invalid):
            services.confirm(session, appeal, "000000", now=now, settings=settings)
    with pytest.raises(Invalid, match="too many times"):
        services.confirm(session, appeal, code_sent(session, RESIDENT), now=now, settings=settings)
    services.resend_code(session, appeal, now=now + 2 * MINUTE, settings=settings)
    with pytest.raises(Invalid, match="expired"):
        services.confirm(
            session, appeal, code_sent(session, RESIDENT), now=now + 13 * MINUTE, settings=settings
        )


def test_codes_are_resent_at_most_once_a_minute_and_four_times(session, tree, now, settings):
    appeal = file_appeal(session, tree.building, now, confirm=False)
    with pytest.raises(TooMany):
        services.resend_code(session, appeal, now=now + timedelta(seconds=30), settings=settings)
    for n in range(1, 5):
        services.resend_code(session, appeal, now=now + n * 2 * MINUTE, settings=settings)
    with pytest.raises(TooMany, match="Too many codes"):
        services.resend_code(session, appeal, now=now + 20 * MINUTE, settings=settings)
    assert len(messages(session, "appeal_code")) == 5


def test_a_signed_in_resident_with_this_phone_verified_skips_the_code(
    session, tree, staff, now, settings
):
    resident = factories.user(session, phone="13698765432")
    resident.phone_verified_at = now
    report = services.Report(item_id=item(session, "rubbish-in-corridor").id,
                             description="楼道有垃圾", phone="136 9876 5432")  # fmt: skip
    appeal = services.submit(session, tree.building.id, report, submission_key="k1",
                             user=resident, locale="en", now=now, settings=settings)  # fmt: skip
    assert appeal.state == AppealState.RECEIVED and appeal.user_id == resident.id
    assert messages(session, "appeal_code") == []


def test_a_double_tap_files_one_appeal(session, tree, now, settings):
    report = services.Report(item_id=item(session, "rubbish-in-corridor").id,
                             description="楼道有垃圾", phone=RESIDENT)  # fmt: skip
    first = services.submit(session, tree.building.id, report, submission_key="same",
                            user=None, locale="zh_Hans_CN", now=now, settings=settings)  # fmt: skip
    again = services.submit(session, tree.building.id, report, submission_key="same",
                            user=None, locale="zh_Hans_CN", now=now, settings=settings)  # fmt: skip
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
    assert code.expires_at == now + services.APPEAL_CODE.valid_for


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"description": "   "}, "description", "Say what happened"),
        ({"description": " 漏 "}, "description", "Say what happened"),
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


def test_a_copied_form_key_does_not_lead_to_someone_elses_appeal(session, tree, now, settings):
    report = services.Report(item_id=item(session, "rubbish-in-corridor").id,
                             description="楼道有垃圾", phone=RESIDENT)  # fmt: skip
    services.submit(session, tree.building.id, report, submission_key="copied",
                    user=None, locale="zh_Hans_CN", now=now, settings=settings)  # fmt: skip
    other = services.Report(item_id=report.item_id, description="漏水", phone="13900001111")
    with pytest.raises(Invalid, match="already used"):
        services.submit(session, tree.building.id, other, submission_key="copied",
                        user=None, locale="zh_Hans_CN", now=now, settings=settings)  # fmt: skip


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
    session, tree, now, change, refusal, settings
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
                        user=None, locale="zh_Hans_CN", now=now, settings=settings)  # fmt: skip
    assert session.scalars(select(Appeal)).all() == []
    assert messages(session, "appeal_code", RESIDENT) == []


def test_a_report_written_with_plain_statements_behaves_as_one_read_back(
    session, tree, now, settings
):
    """The send writes its rows without the unit of work; the appeal it returns is then an
    ordinary one: what it left to the defaults is read on use, and a change is an UPDATE."""
    appeal = file_appeal(session, tree.building, now, confirm=False)
    assert appeal in session and not session.new and not session.dirty
    assert (appeal.is_open, appeal.escalations, appeal.reopen_count) == (False, 0, 0)
    services.confirm(session, appeal, code_sent(session, RESIDENT), now=now, settings=settings)
    session.flush()
    session.expire_all()
    [stored] = session.scalars(select(Appeal)).all()
    assert stored is appeal and stored.state == AppealState.RECEIVED
    assert [event.kind for event in services.timeline(session, appeal)] == [
        EventKind.SUBMITTED,
        EventKind.CONFIRMED,
    ]


def test_a_tracking_number_drawn_already_is_drawn_again_and_longer_after_five(
    session, tree, now, monkeypatch, settings
):
    from portal.appeals import tracking

    first = file_appeal(session, tree.building, now, confirm=False)
    draws = iter([first.tracking] * 5 + ["A2611-22222"])
    asked: list[int] = []

    def draw(moment, length):
        asked.append(length)
        return next(draws)

    monkeypatch.setattr(tracking, "_draw", draw)
    second = file_appeal(session, tree.building, now, phone="13698765432", confirm=False)
    assert second.tracking == "A2611-22222"
    # Each collision costs a new draw (not a counter), and from the sixth the number is longer.
    assert asked == [4, 4, 4, 4, 4, 5]
    # The draws that collided wrote nothing: one event and one code each, with their numbers.
    events = session.scalars(select(AppealEvent.appeal_id).order_by(AppealEvent.id)).all()
    assert events == [first.id, second.id]
    assert [m.cause for m in messages(session, "appeal_code")] == [
        f"appeals:{first.id}", f"appeals:{second.id}"
    ]  # fmt: skip
    assert "A2611-22222" in messages(session, "appeal_code")[1].body
    # The code's digest was keyed on the number that went in, so the code works.
    services.confirm(session, second, code_sent(session, "13698765432"), now=now, settings=settings)
    assert second.state == AppealState.RECEIVED and first.state == AppealState.UNCONFIRMED


def test_a_held_resident_is_texted_the_number_once_released(session, tree, staff, now, settings):
    services.block(session, staff.secretary, RESIDENT, "反复恶意举报", now=now)
    held = file_appeal(session, tree.building, now)
    assert messages(session, "appeal_received", RESIDENT) == []
    services.restore(session, staff.grid_worker, held, now=now + MINUTE, settings=settings)
    assert len(messages(session, "appeal_received", RESIDENT)) == 1


def test_reports_from_a_blocked_number_are_held_until_someone_restores_them(
    session, tree, staff, now, settings
):
    with pytest.raises(Forbidden):
        services.block(session, staff.grid_worker, RESIDENT, "骚扰", now=now)
    [entry] = services.block(session, staff.secretary, "137 1234 5678", "反复恶意举报", now=now)
    assert services.block(session, staff.secretary, RESIDENT, "again", now=now) == [entry]
    audit = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "appeals.block_phone")
    ).one()
    assert audit.details["phone"] == "137****5678"

    held = file_appeal(session, tree.building, now)
    assert held.state == AppealState.HIDDEN and held.queue_place == tree.grid
    assert services.timeline(session, held)[-1].kind == EventKind.HELD
    assert messages(session, "appeal_new") == [] and messages(session, "appeal_received") == []
    services.restore(session, staff.grid_worker, held, now=now + MINUTE, settings=settings)
    assert held.state == AppealState.RECEIVED
    assert [m.phone for m in messages(session, "appeal_new")] == [staff.grid_worker.phone]

    services.unblock(session, staff.secretary, entry.id, now=now)
    assert file_appeal(session, tree.building, now).state == AppealState.RECEIVED


def test_a_grid_worker_files_for_a_resident_who_agrees_in_person(session, tree, staff, now):
    appeal = file_for(session, tree, staff.grid_worker, now, consent=True)
    assert appeal.state == AppealState.RECEIVED and appeal.filed_by == staff.grid_worker
    assert appeal.user_id is None
    first = services.timeline(session, appeal)[0]
    assert first.actor == staff.grid_worker and first.details == {"consent": True}
    assert messages(session, "appeal_code") == []
    assert [m.phone for m in messages(session, "appeal_received")] == [RESIDENT]


def test_without_consent_the_resident_confirms_with_the_code_sent_to_them(
    session, tree, staff, now, settings
):
    appeal = file_for(session, tree, staff.grid_worker, now, consent=False)
    assert appeal.state == AppealState.UNCONFIRMED
    services.confirm(session, appeal, code_sent(session, RESIDENT), now=now, settings=settings)
    assert appeal.state == AppealState.RECEIVED


def test_staff_outside_the_area_report_like_any_resident(session, tree, staff, now):
    appeal = file_for(
        session, tree, staff.grid_worker, now, consent=True, building=tree.other_building
    )
    assert appeal.filed_by is None and appeal.state == AppealState.UNCONFIRMED


def test_staff_report_a_problem_at_their_own_door_like_any_resident(client, session, tree, staff):
    sign_in_staff(client, staff.other_grid_worker)  # lives in tree.building, works elsewhere
    form = client.get(f"/b/{tree.building.public_code}/report", headers=EN)
    assert form.status_code == 200 and 'name="consent"' not in form.get_data(as_text=True)
