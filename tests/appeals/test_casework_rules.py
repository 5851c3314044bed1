"""The finer rules of casework, each once a way the loop went wrong: a deadline read once, a
merge only into a report still handled at the same building, a summons that ends with its
report, a second escalation texted again, a call-back at the street office, staff at their
own door, a held resident told when released, and one id per field on the appeal page."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.appeals import casework, clockwork, services
from portal.appeals.models import Appeal, AppealEvent, AppealState, EventKind
from portal.errors import Invalid
from portal.units.models import Unit, UnitMember
from tests.accounts.test_views import EN, sign_in_staff
from tests.appeals.conftest import RESIDENT, file_appeal, item, messages

pytestmark = pytest.mark.usefixtures("app_context")
MINUTE = timedelta(minutes=1)
NEIGHBOUR = "13698765432"
THIRD = "13611112222"


def overdue_events(session, appeal) -> list[AppealEvent]:
    return list(
        session.scalars(
            select(AppealEvent).where(
                AppealEvent.appeal_id == appeal.id, AppealEvent.kind == EventKind.OVERDUE
            )
        )
    )


def test_contact_and_resolution_missed_at_once_are_reported_once(session, tree, staff, now):
    rubbish = item(session, "rubbish-in-corridor")
    rubbish.resolve_minutes = 30  # the same moment as the contact clock
    appeal = file_appeal(session, tree.building, now, item_id=rubbish.id, urgent=True)
    services.accept(session, staff.grid_worker, appeal, now=now + MINUTE)
    for minutes in (31, 32, 33):
        clockwork.sweep(session, now + minutes * MINUTE)
    assert appeal.sweep_at is None
    assert [e.details["clock"] for e in overdue_events(session, appeal)] == ["resolve"]


def test_a_contact_recorded_after_the_alert_does_not_report_it_again(session, tree, staff, now):
    appeal = file_appeal(session, tree.building, now, urgent=True)
    services.accept(session, staff.grid_worker, appeal, now=now + MINUTE)
    clockwork.sweep(session, appeal.contact_due_at)  # the contact clock, reported
    clockwork.sweep(session, appeal.resolve_due_at)  # then the resolution's
    services.record_contact(session, staff.grid_worker, appeal, now=appeal.resolve_due_at)
    clockwork.sweep(session, appeal.resolve_due_at + MINUTE)
    assert len(overdue_events(session, appeal)) == 2 and appeal.sweep_at is None


def test_a_second_escalation_after_a_relevel_is_texted_again(session, tree, staff, now):
    appeal = file_appeal(session, tree.building, now)
    clockwork.sweep(session, now + 10 * MINUTE)
    first = len(messages(session, "appeal_escalated"))
    later = now + 20 * MINUTE
    services.relevel(session, staff.secretary, appeal, 1, "网格先处理", now=later)
    clockwork.sweep(session, later + 10 * MINUTE)
    assert appeal.queue_place == tree.community
    assert len(messages(session, "appeal_escalated")) == 2 * first


def test_nothing_is_merged_into_a_report_already_closed(session, tree, staff, now):
    old = file_appeal(session, tree.building, now)
    services.accept(session, staff.grid_worker, old, now=now)
    services.resolve(session, staff.grid_worker, old, "已处理", now=now)
    services.review(session, old, "satisfied", "", now=now)
    new = file_appeal(session, tree.building, now + timedelta(days=5), phone=NEIGHBOUR)
    assert casework.possible_duplicates(session, new) == []
    with pytest.raises(Invalid, match="still being handled"):
        casework.merge(session, staff.grid_worker, new, old.tracking, now=now + timedelta(days=5))


def test_residents_of_a_chain_of_merges_all_hear_of_the_result(session, tree, staff, now):
    a = file_appeal(session, tree.building, now, phone=RESIDENT)
    b = file_appeal(session, tree.building, now, phone=NEIGHBOUR)
    c = file_appeal(session, tree.building, now, phone=THIRD)
    casework.merge(session, staff.grid_worker, a, b.tracking, now=now)
    casework.merge(session, staff.grid_worker, b, c.tracking, now=now)
    assert a.merged_into == c
    with pytest.raises(Invalid, match="Other residents follow"):
        casework.hide(session, staff.grid_worker, c, "广告", now=now)
    services.accept(session, staff.grid_worker, c, now=now)
    services.resolve(session, staff.grid_worker, c, "已处理", now=now)
    assert {m.phone for m in messages(session, "appeal_resolved")} == {RESIDENT, NEIGHBOUR, THIRD}


def test_only_a_report_of_the_same_building_is_merged_into(session, tree, staff, now):
    theirs = file_appeal(session, tree.building, now)
    casework.transfer(
        session, staff.grid_worker, theirs, f"place:{tree.other_community.id}", "试试", now=now
    )
    mine = file_appeal(session, tree.other_building, now, phone=NEIGHBOUR)
    with pytest.raises(Invalid, match="same building"):
        casework.merge(session, staff.other_secretary, theirs, mine.tracking, now=now)


def test_a_summons_ends_with_its_report(session, tree, staff, department, now):
    appeal = file_appeal(session, tree.building, now)
    services.accept(session, staff.grid_worker, appeal, now=now)
    summons = casework.summon(
        session, staff.grid_worker, appeal, department.unit.id, 2, "请处理", now=now
    )
    casework.hide(session, staff.grid_worker, appeal, "广告", now=now + MINUTE)
    assert casework.waiting_summonses(session, department.member) == []
    assert clockwork.sweep(session, now + timedelta(hours=3))["summonses"] == 0
    with pytest.raises(Invalid, match="no longer being handled"):
        casework.answer_summons(session, department.member, summons, "已到场", now=now)


def test_the_call_back_is_the_street_offices_even_for_a_units_item(
    session, tree, staff, department, now
):
    rubbish = item(session, "rubbish-in-corridor")
    rubbish.unit = department.unit
    appeal = file_appeal(session, tree.building, now, item_id=rubbish.id)
    services.accept(session, staff.grid_worker, appeal, now=now)
    services.resolve(session, staff.grid_worker, appeal, "已处理", now=now)
    services.review(session, appeal, "dissatisfied", "", now=now)
    services.accept(session, staff.secretary, appeal, now=now)
    services.resolve(session, staff.secretary, appeal, "再次处理", now=now)
    services.review(session, appeal, "dissatisfied", "还是不行", now=now)
    assert appeal.unit is None and appeal.queue_place == tree.street


def test_a_held_resident_is_texted_the_number_once_released(session, tree, staff, now):
    casework.block(session, staff.secretary, RESIDENT, "反复恶意举报", now=now)
    held = file_appeal(session, tree.building, now)
    assert messages(session, "appeal_received", RESIDENT) == []
    casework.restore(session, staff.grid_worker, held, now=now + MINUTE)
    assert len(messages(session, "appeal_received", RESIDENT)) == 1


def test_a_grid_worker_sets_spam_aside_but_may_not_block_its_number(
    client, session, tree, staff, now
):
    appeal = file_appeal(session, tree.building, now)
    session.commit()
    sign_in_staff(client, staff.grid_worker)
    page = client.get(f"/staff/appeals/{appeal.tracking}", headers=EN).get_data(as_text=True)
    assert 'name="hide-block_phone"' not in page
    refused = client.post(
        f"/staff/appeals/{appeal.tracking}/hide",
        data={"hide-reason": "广告短信", "hide-block_phone": "y"},
        headers=EN,
    )
    assert refused.status_code == 400 and "广告短信" in refused.get_data(as_text=True)
    client.post(f"/staff/appeals/{appeal.tracking}/hide", data={"hide-reason": "广告短信"})
    session.expire_all()
    assert session.get(Appeal, appeal.id).state == AppealState.HIDDEN


def test_staff_report_a_problem_at_their_own_door_like_any_resident(client, session, tree, staff):
    sign_in_staff(client, staff.other_grid_worker)  # lives in tree.building, works elsewhere
    form = client.get(f"/b/{tree.building.public_code}/report", headers=EN)
    assert form.status_code == 200 and 'name="consent"' not in form.get_data(as_text=True)


def test_every_field_on_the_appeal_page_has_its_own_id(
    client, session, tree, staff, department, now
):
    police = Unit(code="police", place=tree.district, name_zh="派出所", name_en="Police", phone="")
    session.add_all([police, UnitMember(unit=police, user=department.member)])
    session.flush()
    appeal = file_appeal(session, tree.building, now)
    file_appeal(session, tree.building, now, phone=NEIGHBOUR)
    services.accept(session, staff.grid_worker, appeal, now=now)
    for unit in (department.unit, police):
        casework.summon(session, staff.grid_worker, appeal, unit.id, 24, "请处理", now=now)
    session.commit()
    for who in (staff.grid_worker, department.member):
        sign_in_staff(client, who)
        page = client.get(f"/staff/appeals/{appeal.tracking}", headers=EN).get_data(as_text=True)
        ids = Counter(re.findall(r'\sid="([^"]+)"', page))
        assert {name for name, count in ids.items() if count > 1} == set()
        client.post("/sign-out")
