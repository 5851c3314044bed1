"""Doors without HTTP: looking a code up, finding a building, retiring one, counting scans."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import inspect, select

from portal.audit.models import AuditEvent
from portal.doors import services
from portal.doors.models import BuildingScan
from portal.doors.recent import RecentCopies
from portal.doors.scans import ScanCounter, today_in_shanghai, write_scans
from portal.errors import Forbidden, Invalid
from portal.permissions import SYSTEM, Role
from tests import factories

pytestmark = pytest.mark.usefixtures("app_context")


@pytest.fixture
def tree(session):
    return factories.tree(session)


def test_a_code_is_found_in_any_case_and_with_its_contacts(session, tree):
    tree.grid.phone = "13800138003"
    factories.user(session, Role.GRID_WORKER, tree.grid, name="王强")
    gone = factories.user(session, Role.GRID_WORKER, tree.grid, name="已离职")
    gone.disabled_at = factories.EPOCH
    session.flush()
    facts = services.door(session, tree.building.public_code.lower())
    assert (facts.code, facts.name_zh, facts.grid_phone, facts.workers) == (
        tree.building.public_code, "甲楼1栋", "13800138003", ("王强",),
    )  # fmt: skip
    assert facts.community_name_zh == "甲社区" and not facts.retired


@pytest.mark.parametrize("code", ["", "ABC", "ABCDEFG", "0OI1L2", "<script>"])
def test_codes_that_cannot_exist_find_nothing(session, tree, code):
    assert services.door(session, code) is None


def test_a_doors_facts_are_read_once_a_minute_for_the_report_screens(session, tree):
    kept = RecentCopies(seconds=60)
    code = tree.building.public_code
    assert services.recent_door(session, code.lower(), kept).name_zh == tree.building.name_zh
    tree.building.name_zh = "改名后的楼"
    session.flush()
    # Within the minute the screens show what was read; the door page shows the same.
    assert services.recent_door(session, code, kept).name_zh != "改名后的楼"
    kept.clear()  # As retiring a building does, and the end of the minute.
    assert services.recent_door(session, code, kept).name_zh == "改名后的楼"
    assert services.recent_door(session, "ZZZZZZ", kept) is None


def test_kept_copies_are_fresh_for_their_seconds_only():
    kept = RecentCopies(seconds=0.05)
    kept.put("A", 1)
    assert kept.get("A") == 1
    time.sleep(0.06)
    assert kept.get("A") is None


def test_a_well_formed_but_unused_code_finds_nothing(session, tree):
    assert services.door(session, "ZZZZZZ") is None


def test_buildings_are_found_by_name_or_address_but_not_when_retired(session, tree, now):
    assert [d.code for d in services.find_buildings(session, "甲楼")] == [tree.building.public_code]
    assert [d.code for d in services.find_buildings(session, "测试路")] == [
        tree.building.public_code,
        tree.other_building.public_code,
    ]
    assert services.find_buildings(session, "  ") == []
    services.set_retired(
        session, factories.user(session, Role.ADMIN, None), tree.building, True, now=now
    )
    assert [d.code for d in services.find_buildings(session, "测试路")] == [
        tree.other_building.public_code
    ]


def test_retiring_keeps_the_code_marks_the_door_and_is_audited(session, tree, now):
    secretary = factories.user(session, Role.SECRETARY, tree.community)
    code = tree.building.public_code
    services.set_retired(session, secretary, tree.building, True, now=now)
    assert services.door(session, code).retired
    assert tree.building.public_code == code
    with pytest.raises(Invalid):
        services.set_retired(session, secretary, tree.building, True, now=now)
    with pytest.raises(Forbidden):
        services.set_retired(session, secretary, tree.other_building, True, now=now)
    services.set_retired(session, secretary, tree.building, False, now=now)
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("doors.%")).order_by(AuditEvent.id)
    ).all()
    assert actions == ["doors.retire_building", "doors.restore_building"]


def test_scans_are_counted_per_building_and_shanghai_day_and_added_up(session, tree):
    counter = ScanCounter()
    late_evening_utc = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)  # 01:30 on the 25th in Shanghai
    day = today_in_shanghai(late_evening_utc)
    assert day == date(2026, 11, 25)
    for _ in range(3):
        counter.count(tree.building.id, day)
    counter.count(tree.other_building.id, day)
    write_scans(session, counter.take())
    assert counter.take() == Counter()
    counter.count(tree.building.id, day)
    write_scans(session, counter.take())
    stored = {(row.building_id, row.count) for row in session.scalars(select(BuildingScan))}
    assert stored == {(tree.building.id, 4), (tree.other_building.id, 1)}
    assert services.scan_total(session, SYSTEM, tree.building) == 4


def test_a_scan_record_holds_nothing_about_the_person(session):
    columns = {
        column["name"] for column in inspect(session.get_bind()).get_columns("building_scans")
    }
    assert columns == {"building_id", "day", "count"}
