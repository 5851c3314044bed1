"""Keeping the catalogue (事项清单), without HTTP: each rule, who may, the audit log, and the
edit time that tells a cached catalogue to read again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.appeals import services
from portal.audit.models import AuditEvent
from portal.catalogue import services as catalogue
from portal.catalogue.models import CatalogueGroup, CatalogueItem, HandlingClass
from portal.catalogue.services import ItemFields
from portal.errors import Forbidden, Invalid
from portal.permissions import SYSTEM, Role
from portal.units import services as units
from portal.units.models import Unit, UnitMember
from tests import factories
from tests.appeals.conftest import file_appeal
from tests.appeals.conftest import item as item_by_code

pytestmark = pytest.mark.usefixtures("app_context")


@pytest.fixture
def admin(session, tree):
    return factories.user(session, Role.ADMIN, None, name="周管理")


@pytest.fixture
def later(now):
    return now + timedelta(hours=1)


def audit_events(session, action: str) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def first_group(session) -> CatalogueGroup:
    return session.scalars(select(CatalogueGroup).order_by(CatalogueGroup.position)).first()


def fields(group: CatalogueGroup, **values) -> ItemFields:
    return ItemFields(
        **(
            {
                "group_id": group.id,
                "name_zh": "井盖松了",
                "name_en": "A loose manhole cover",
                "default_level": 3,
                "handling": "emergency",
            }
            | values
        )
    )


def a_unit(session, place, code: str = "fh-chengguan", **values) -> Unit:
    return units.create_unit(
        session,
        SYSTEM,
        code=code,
        place_id=place.id,
        name_zh=values.get("name_zh", "第一街道城管执法队"),
        name_en=values.get("name_en", "Urban management, first street"),
        phone=values.get("phone", ""),
        now=factories.EPOCH,
    )


# --- who may ---------------------------------------------------------------------------------


def test_only_administrators_keep_the_catalogue_and_units(session, tree, staff, now):
    group = first_group(session)
    item = item_by_code(session, "rubbish-in-corridor")
    unit = a_unit(session, tree.street)
    for actor in (staff.secretary, staff.grid_worker, staff.officer, staff.district_officer):
        with pytest.raises(Forbidden):
            catalogue.catalogue_overview(session, actor)
        with pytest.raises(Forbidden):
            catalogue.create_group(session, actor, code="g", name_zh="组", name_en="G", now=now)
        with pytest.raises(Forbidden):
            catalogue.create_item(session, actor, code="x", fields=fields(group), now=now)
        with pytest.raises(Forbidden):
            catalogue.update_group(session, actor, group, name_zh="改", name_en="C", now=now)
        with pytest.raises(Forbidden):
            catalogue.set_item_retired(session, actor, item, True, now=now)
        with pytest.raises(Forbidden):
            units.get_unit(session, actor, unit.id)
        with pytest.raises(Forbidden):
            units.add_member(session, actor, unit, staff.officer.phone, now=now)
    assert item.retired_at is None and group.name_zh != "改"
    assert session.scalar(select(UnitMember.user_id)) is None


def test_a_district_administrator_keeps_the_catalogue_and_the_units_of_their_district(
    session, tree, now
):
    elsewhere = factories.place(session, None, "另一区")
    district_admin = factories.user(session, Role.ADMIN, tree.district)
    other_admin = factories.user(session, Role.ADMIN, elsewhere)
    ours = a_unit(session, tree.street)
    theirs = a_unit(session, elsewhere, code="other-district-housing")

    catalogue.create_group(
        session, district_admin, code="winter", name_zh="冬季", name_en="Winter", now=now
    )
    assert units.get_unit(session, district_admin, ours.id) is ours
    assert list(session.scalars(units.units_query(district_admin))) == [ours]
    assert units.unit_places(session, district_admin) == [
        tree.district, tree.street, tree.other_street
    ]  # fmt: skip
    with pytest.raises(Forbidden):
        units.get_unit(session, district_admin, theirs.id)
    with pytest.raises(Forbidden):
        units.create_unit(
            session, district_admin, code="x", place_id=elsewhere.id, name_zh="单位",
            name_en="Unit", phone="", now=now,
        )  # fmt: skip
    # An item can be given only a unit its administrator looks after.
    with pytest.raises(Forbidden):
        catalogue.create_item(
            session, other_admin, code="x", fields=fields(first_group(session), unit_id=ours.id),
            now=now,
        )  # fmt: skip


# --- groups ----------------------------------------------------------------------------------


def test_a_new_group_goes_last_with_its_edit_time_and_an_audit_entry(session, tree, admin, now):
    group = catalogue.create_group(
        session, admin, code=" Winter-Heating ", name_zh=" 冬季供暖 ", name_en="Winter heating",
        now=now,
    )  # fmt: skip
    assert (group.code, group.name_zh, group.updated_at) == ("winter-heating", "冬季供暖", now)
    groups = catalogue.groups(session, admin)
    assert groups[-1] is group and len(groups) == 13
    [event] = audit_events(session, "appeals.create_catalogue_group")
    assert (event.actor_id, event.target_id, event.details) == (
        admin.id, str(group.id), {"code": "winter-heating"}
    )  # fmt: skip


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"code": ""}, "code", "Enter a code"),
        ({"code": "冬季"}, "code", "lower-case letters"),
        ({"code": "winter heating"}, "code", "lower-case letters"),
        ({"code": "-winter"}, "code", "lower-case letters"),
        ({"code": "w" * 41}, "code", "lower-case letters"),
        ({"code": "environment"}, "code", "Another group already has this code"),
        ({"name_zh": "  "}, "name_zh", "Enter the name in Chinese"),
        ({"name_zh": "长" * 51}, "name_zh", "within 50"),
        ({"name_en": ""}, "name_en", "in English too"),
        ({"name_en": "l" * 101}, "name_en", "within 100"),
        ({"name_zh": "环境卫生"}, "name_zh", "Another group already has this name"),
    ],
)
def test_group_rules(session, tree, admin, now, values, field, message):
    given = {"code": "winter", "name_zh": "冬季", "name_en": "Winter"} | values
    with pytest.raises(Invalid, match=message) as refused:
        catalogue.create_group(session, admin, now=now, **given)
    assert refused.value.details["field"] == field


def test_renaming_a_group_moves_its_edit_time_and_says_what_changed(
    session, tree, admin, now, later
):
    group = first_group(session)
    catalogue.update_group(session, admin, group, name_zh="卫生", name_en=group.name_en, now=now)
    assert (group.name_zh, group.updated_at) == ("卫生", now)
    [event] = audit_events(session, "appeals.update_catalogue_group")
    assert event.details == {"code": group.code, "changed": {"name_zh": ["环境卫生", "卫生"]}}

    catalogue.update_group(session, admin, group, name_zh="卫生", name_en=group.name_en, now=later)
    assert group.updated_at == now  # nothing changed: nothing to tell
    assert len(audit_events(session, "appeals.update_catalogue_group")) == 1


def test_groups_move_up_and_down_one_place_at_a_time(session, tree, admin, now):
    first, second, third = catalogue.groups(session, admin)[:3]
    catalogue.move_group(session, admin, second, -1, now=now)
    assert catalogue.groups(session, admin)[:3] == [second, first, third]
    assert first.updated_at == second.updated_at == now
    assert third.updated_at != now
    with pytest.raises(Invalid, match="cannot move further"):
        catalogue.move_group(session, admin, second, -1, now=now)
    last = catalogue.groups(session, admin)[-1]
    with pytest.raises(Invalid, match="cannot move further"):
        catalogue.move_group(session, admin, last, 1, now=now)
    assert [e.details["code"] for e in audit_events(session, "appeals.move_catalogue_group")] == [
        second.code
    ]
    # The report form follows the new order.
    assert services.offered_items(session)[0].group is second


# --- items -----------------------------------------------------------------------------------


def test_a_new_item_at_level_3_with_a_unit_is_on_the_report_form_at_once(session, tree, admin, now):
    unit = a_unit(session, tree.street)
    group = first_group(session)
    item = catalogue.create_item(
        session, admin, code="loose-manhole", now=now,
        fields=fields(group, resolve_hours=3, unit_id=unit.id),
    )  # fmt: skip
    assert (item.default_level, item.handling, item.resolve_minutes, item.unit) == (
        3, HandlingClass.EMERGENCY, 180, unit
    )  # fmt: skip
    assert item.position == max(i.position for i in group.items if i is not item) + 1
    assert item.updated_at == now
    offered = services.offered_items(session)
    assert item in offered
    assert offered.index(item) == max(i for i, o in enumerate(offered) if o.group is group)
    [event] = audit_events(session, "appeals.create_catalogue_item")
    assert event.details == {
        "code": "loose-manhole", "group": group.code, "level": 3, "unit": unit.code
    }  # fmt: skip


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"group_id": None}, "group_id", "Choose a group"),
        ({"group_id": 99999}, "group_id", "Choose a group"),
        ({"name_zh": ""}, "name_zh", "Enter the name in Chinese"),
        ({"name_en": " "}, "name_en", "in English too"),
        ({"name_zh": "楼道里堆着垃圾"}, "name_zh", "already has this name"),
        ({"name_en": "Rubbish left in the stairwell"}, "name_en", "already has this name"),
        ({"default_level": 0}, "default_level", "level 1, 2 or 3"),
        ({"default_level": 4}, "default_level", "level 1, 2 or 3"),
        ({"default_level": None}, "default_level", "level 1, 2 or 3"),
        ({"handling": "whenever"}, "handling", "how long resolving may take"),
        ({"handling": None}, "handling", "how long resolving may take"),
        ({"resolve_hours": 0}, "resolve_hours", "from 1 to 1440"),
        ({"resolve_hours": -2}, "resolve_hours", "from 1 to 1440"),
        ({"resolve_hours": 1441}, "resolve_hours", "from 1 to 1440"),
        ({"resolve_hours": 2.5}, "resolve_hours", "whole number"),
        ({"unit_id": 99999}, "unit_id", "Choose a unit in use"),
    ],
)
def test_item_rules(session, tree, admin, now, values, field, message):
    with pytest.raises(Invalid, match=message) as refused:
        catalogue.create_item(
            session, admin, code="new-item", fields=fields(first_group(session), **values),
            now=now,
        )  # fmt: skip
    assert refused.value.details["field"] == field


def test_item_codes_are_unique_slugs(session, tree, admin, now):
    for code, message in (("rubbish-in-corridor", "already has this code"), ("A B", "hyphens")):
        with pytest.raises(Invalid, match=message):
            catalogue.create_item(
                session, admin, code=code, fields=fields(first_group(session)), now=now
            )
    item = catalogue.create_item(
        session, admin, code="Loose-Manhole", fields=fields(first_group(session)), now=now
    )
    assert item.code == "loose-manhole"


def test_a_retired_unit_or_one_serving_a_community_takes_no_items(session, tree, admin, now):
    retired = a_unit(session, tree.street, code="retired")
    units.set_unit_retired(session, admin, retired, True, now=now)
    # Only a mistake outside the services could make one serve a community; it is refused too.
    misplaced = Unit(code="misplaced", place=tree.community, name_zh="错", name_en="Wrong")
    session.add(misplaced)
    session.flush()
    for unit in (retired, misplaced):
        with pytest.raises(Invalid, match="Choose a unit in use") as refused:
            catalogue.create_item(
                session, admin, code="x", fields=fields(first_group(session), unit_id=unit.id),
                now=now,
            )  # fmt: skip
        assert refused.value.details["field"] == "unit_id"


def test_editing_an_item_moves_it_between_groups_and_records_each_change(session, tree, admin, now):
    item = item_by_code(session, "rubbish-in-corridor")
    old_group = item.group
    groups = catalogue.groups(session, admin)
    new_group = groups[-1]
    unit = a_unit(session, tree.street)
    catalogue.update_item(
        session, admin, item,
        fields(new_group, name_zh=item.name_zh, name_en="Rubbish in the stairwell",
               default_level=2, handling="utilities", resolve_hours=12, unit_id=unit.id),
        now=now,
    )  # fmt: skip
    assert item.group is new_group and item not in old_group.items
    assert item.position == max(i.position for i in new_group.items if i is not item) + 1
    assert (item.default_level, item.handling, item.resolve_minutes, item.unit_id) == (
        2, HandlingClass.UTILITIES, 720, unit.id
    )  # fmt: skip
    assert item.updated_at == now
    [event] = audit_events(session, "appeals.update_catalogue_item")
    assert event.details == {
        "code": "rubbish-in-corridor",
        "changed": {
            "group": [old_group.code, new_group.code],
            "name_en": ["Rubbish left in the stairwell", "Rubbish in the stairwell"],
            "default_level": [1, 2],
            "handling": ["general", "utilities"],
            "resolve_minutes": [None, 720],
            "unit": [None, unit.code],
        },
    }
    # Back to its class's time and the street office.
    catalogue.update_item(
        session, admin, item,
        fields(new_group, name_zh=item.name_zh, name_en=item.name_en, default_level=2,
               handling="utilities"),
        now=now,
    )  # fmt: skip
    assert (item.resolve_minutes, item.unit) == (None, None)


def test_an_item_keeps_its_name_when_only_its_level_changes(session, tree, admin, now, later):
    item = item_by_code(session, "rubbish-in-corridor")
    same = fields(
        item.group, name_zh=item.name_zh, name_en=item.name_en, default_level=1,
        handling="general",
    )  # fmt: skip
    catalogue.update_item(session, admin, item, same, now=later)
    assert item.updated_at != later and audit_events(session, "appeals.update_catalogue_item") == []
    same.default_level = 2
    catalogue.update_item(session, admin, item, same, now=later)
    assert (item.default_level, item.updated_at) == (2, later)


def test_items_move_within_their_group(session, tree, admin, now):
    group = first_group(session)
    first, second = group.items[:2]
    catalogue.move_item(session, admin, first, 1, now=now)
    session.expire(group)
    assert group.items[:2] == [second, first]
    assert first.updated_at == second.updated_at == now
    with pytest.raises(Invalid, match="cannot move further"):
        catalogue.move_item(session, admin, second, -1, now=now)
    assert len(audit_events(session, "appeals.move_catalogue_item")) == 1


def test_a_retired_item_leaves_the_form_but_stays_for_its_appeals(session, tree, admin, now):
    item = item_by_code(session, "rubbish-in-corridor")
    appeal = file_appeal(session, tree.building, now, item_id=item.id)
    later = now + timedelta(minutes=5)
    catalogue.set_item_retired(session, admin, item, True, now=later)
    assert (item.retired_at, item.updated_at) == (later, later)
    assert item not in services.offered_items(session)
    assert appeal.item is item and session.get(CatalogueItem, item.id) is item
    with pytest.raises(Invalid, match="Choose what kind"):
        file_appeal(session, tree.building, later, item_id=item.id, phone="13900007777")
    _groups, retired = catalogue.catalogue_overview(session, admin)
    assert retired == [item]
    with pytest.raises(Invalid, match="already so"):
        catalogue.set_item_retired(session, admin, item, True, now=later)
    with pytest.raises(Invalid, match="has no place"):
        catalogue.move_item(session, admin, item, -1, now=later)

    catalogue.set_item_retired(session, admin, item, False, now=later)
    assert item.retired_at is None and item in services.offered_items(session)
    on_item = select(AuditEvent.action).where(AuditEvent.target_type == "catalogue_items")
    assert list(session.scalars(on_item.order_by(AuditEvent.id))) == [
        "appeals.retire_catalogue_item", "appeals.restore_catalogue_item"
    ]  # fmt: skip


def test_an_item_is_not_brought_back_under_a_name_now_taken(session, tree, admin, now):
    item = item_by_code(session, "rubbish-in-corridor")
    catalogue.set_item_retired(session, admin, item, True, now=now)
    catalogue.create_item(
        session, admin, code="stairwell-rubbish", now=now,
        fields=fields(first_group(session), name_zh=item.name_zh, name_en="Stairwell rubbish"),
    )  # fmt: skip
    with pytest.raises(Invalid, match="already has this name"):
        catalogue.set_item_retired(session, admin, item, False, now=now)


def test_seeding_again_leaves_edited_and_retired_items_alone(session, tree, admin, now):
    item = item_by_code(session, "rubbish-in-corridor")
    catalogue.set_item_retired(session, admin, item, True, now=now)
    catalogue.update_group(session, admin, item.group, name_zh="卫生", name_en="Clean", now=now)
    assert catalogue.seed_catalogue(session) == 0
    assert item.retired_at == now and item.group.name_zh == "卫生"


def test_administrators_find_a_kind_of_problem_by_name_or_code_retired_ones_last(
    session, tree, admin, now
):
    dog_mess = item_by_code(session, "dog-mess")
    catalogue.set_item_retired(session, admin, dog_mess, True, now=now)

    def codes(words):
        return [item.code for item in catalogue.find_items(session, admin, words)]

    assert codes("电梯里关着人") == ["lift-people-trapped"]
    assert codes(" TRAPPED ") == ["lift-people-trapped"], "English names match in any case"
    assert codes("lift-people") == ["lift-people-trapped"]
    assert "dog-mess" in codes("dog") and codes("dog")[-1] == "dog-mess"
    assert codes("%") == [] and codes("") == []
    # Words apart, each found: with a space, a full-width one, in any order.
    assert codes("楼道 灯") == codes("灯　楼道") == ["stairwell-light-out"]
    assert codes("light stairwell") == ["stairwell-light-out"]
    assert codes("1" * 70_000) == [], "a pasted page finds nothing, and breaks nothing"
    with pytest.raises(Forbidden):
        catalogue.find_items(session, factories.user(session, Role.SECRETARY, tree.community), "狗")
