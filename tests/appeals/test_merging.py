"""Duplicates merged into the report that goes on, spam set aside and put back."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.appeals import services
from portal.appeals.models import Appeal, AppealState, EventKind
from portal.errors import Invalid
from tests.accounts.test_views import EN, sign_in_staff
from tests.appeals.conftest import (
    MINUTE,
    NEIGHBOUR,
    RESIDENT,
    THIRD,
    accepted,
    file_appeal,
    messages,
    queue,
)

pytestmark = pytest.mark.usefixtures("app_context")


def test_a_duplicate_is_suggested_merged_and_its_resident_follows_the_survivor(
    session, tree, staff, now, settings
):
    first = accepted(session, tree, staff, now)
    second = file_appeal(session, tree.building, now + timedelta(days=2), phone=NEIGHBOUR)
    unrelated = file_appeal(session, tree.other_building, now, phone=NEIGHBOUR)
    assert services.possible_duplicates(session, second) == [first]
    assert unrelated not in services.possible_duplicates(session, first)

    merged_at = now + timedelta(days=2)
    survivor = services.merge(
        session, staff.grid_worker, second, first.tracking.lower(), now=merged_at, settings=settings
    )
    assert survivor == first and second.merged_into == first
    assert second.state == AppealState.MERGED and not second.is_open and second.due_at is None
    [told] = messages(session, "appeal_merged", NEIGHBOUR)
    assert first.tracking in told.body and f"/t/{first.tracking}" in told.body
    assert services.timeline(session, first)[-1].kind == EventKind.DUPLICATE_JOINED
    assert services.possible_duplicates(session, first) == []

    services.resolve(
        session, staff.grid_worker, first, "已清理", now=now + timedelta(days=3), settings=settings
    )
    assert {m.phone for m in messages(session, "appeal_resolved")} == {RESIDENT, NEIGHBOUR}


def test_a_merge_is_refused_into_itself_nowhere_or_outside_the_area(
    session, tree, staff, now, settings
):
    appeal = file_appeal(session, tree.building, now)
    elsewhere = file_appeal(session, tree.other_building, now)
    for into, message in (
        (appeal.tracking, "into itself"),
        ("A0000-ZZZZ", "still being handled"),
        (elsewhere.tracking, "same building"),
    ):
        with pytest.raises(Invalid, match=message):
            services.merge(session, staff.grid_worker, appeal, into, now=now, settings=settings)
    assert appeal.state == AppealState.RECEIVED


def test_spam_is_set_aside_out_of_the_queue_and_restored_with_fresh_clocks(
    session, tree, staff, now, settings
):
    appeal = file_appeal(session, tree.building, now)
    services.hide(session, staff.grid_worker, appeal, "广告", now=now + MINUTE)
    assert appeal.state == AppealState.HIDDEN and not appeal.is_open and appeal.sweep_at is None
    assert queue(session, staff.grid_worker, now) == []
    assert queue(session, staff.grid_worker, now, view="held") == [appeal]
    later = now + timedelta(hours=5)
    services.restore(session, staff.grid_worker, appeal, now=later, settings=settings)
    assert appeal.state == AppealState.RECEIVED and appeal.due_at == later + 10 * MINUTE
    assert appeal.resolve_due_at == later + timedelta(days=7)
    assert queue(session, staff.grid_worker, later) == [appeal]


def test_an_appeal_being_handled_returns_to_its_handler_and_its_clocks(
    session, tree, staff, now, settings
):
    appeal = accepted(session, tree, staff, now)
    due = appeal.due_at
    services.hide(session, staff.grid_worker, appeal, "误操作", now=now)
    services.restore(session, staff.grid_worker, appeal, now=now + MINUTE, settings=settings)
    assert appeal.state == AppealState.ACCEPTED and appeal.handler == staff.grid_worker
    assert appeal.due_at == due and appeal.is_open


def test_nothing_is_merged_into_a_report_already_closed(session, tree, staff, now, settings):
    old = file_appeal(session, tree.building, now)
    services.accept(session, staff.grid_worker, old, now=now)
    services.resolve(session, staff.grid_worker, old, "已处理", now=now, settings=settings)
    services.review(session, old, "satisfied", "", now=now, settings=settings)
    new = file_appeal(session, tree.building, now + timedelta(days=5), phone=NEIGHBOUR)
    assert services.possible_duplicates(session, new) == []
    with pytest.raises(Invalid, match="still being handled"):
        services.merge(
            session,
            staff.grid_worker,
            new,
            old.tracking,
            now=now + timedelta(days=5),
            settings=settings,
        )


def test_residents_of_a_chain_of_merges_all_hear_of_the_result(session, tree, staff, now, settings):
    a = file_appeal(session, tree.building, now, phone=RESIDENT)
    b = file_appeal(session, tree.building, now, phone=NEIGHBOUR)
    c = file_appeal(session, tree.building, now, phone=THIRD)
    services.merge(session, staff.grid_worker, a, b.tracking, now=now, settings=settings)
    services.merge(session, staff.grid_worker, b, c.tracking, now=now, settings=settings)
    assert a.merged_into == c
    with pytest.raises(Invalid, match="Other residents follow"):
        services.hide(session, staff.grid_worker, c, "广告", now=now)
    services.accept(session, staff.grid_worker, c, now=now)
    services.resolve(session, staff.grid_worker, c, "已处理", now=now, settings=settings)
    assert {m.phone for m in messages(session, "appeal_resolved")} == {RESIDENT, NEIGHBOUR, THIRD}


def test_only_a_report_of_the_same_building_is_merged_into(session, tree, staff, now, settings):
    theirs = file_appeal(session, tree.building, now)
    services.transfer(
        session,
        staff.grid_worker,
        theirs,
        f"place:{tree.other_community.id}",
        "试试",
        now=now,
        settings=settings,
    )
    mine = file_appeal(session, tree.other_building, now, phone=NEIGHBOUR)
    with pytest.raises(Invalid, match="same building"):
        services.merge(
            session, staff.other_secretary, theirs, mine.tracking, now=now, settings=settings
        )


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
