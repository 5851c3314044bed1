"""Keeping the units, without HTTP: each rule, who may, the audit log, and their members."""

from __future__ import annotations

import pytest

from portal.catalogue import services as catalogue
from portal.errors import Invalid, NotFound
from portal.permissions import Role
from portal.units import services as units
from tests import factories
from tests.catalogue.test_services import a_unit, audit_events, fields, first_group

pytestmark = pytest.mark.usefixtures("app_context")


def test_a_new_unit_serves_a_street_or_the_district(session, tree, admin, now):
    unit = units.create_unit(
        session, admin, code="FH-Housing", place_id=tree.street.id, name_zh="第一街道住建办",
        name_en="Housing office", phone="0755-2345 6789", now=now,
    )  # fmt: skip
    assert (unit.code, unit.place, unit.phone, unit.retired_at) == (
        "fh-housing", tree.street, "0755-2345 6789", None
    )  # fmt: skip
    [event] = audit_events(session, "appeals.create_unit")
    assert event.details == {"code": "fh-housing", "place": tree.street.code}
    assert units.usable_units(session, admin) == [unit]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"code": "fh-chengguan"}, "code", "Another unit already has this code"),
        ({"code": ""}, "code", "Enter a code"),
        ({"place_id": None}, "place_id", "street or district"),
        ({"place_id": "community"}, "place_id", "street or district"),
        ({"name_zh": ""}, "name_zh", "Enter the name in Chinese"),
        ({"name_en": ""}, "name_en", "in English too"),
        ({"phone": "call us"}, "phone", "phone number of digits"),
        ({"phone": "13800138000"}, "phone", "sign-in number"),
    ],
)
def test_unit_rules(session, tree, admin, now, values, field, message):
    a_unit(session, tree.street)
    factories.user(session, phone="13800138000")
    given = {
        "code": "new-unit", "place_id": tree.street.id, "name_zh": "新单位",
        "name_en": "New unit", "phone": "",
    } | values  # fmt: skip
    if given["place_id"] == "community":
        given["place_id"] = tree.community.id
    with pytest.raises(Invalid, match=message) as refused:
        units.create_unit(session, admin, now=now, **given)
    assert refused.value.details["field"] == field


def test_editing_a_unit_records_what_changed(session, tree, admin, now):
    unit = a_unit(session, tree.street)
    units.update_unit(
        session, admin, unit, place_id=tree.district.id, name_zh=unit.name_zh,
        name_en="Urban management", phone="0755-1234 5678", now=now,
    )  # fmt: skip
    assert (unit.place, unit.name_en) == (tree.district, "Urban management")
    [event] = audit_events(session, "appeals.update_unit")
    assert event.details["changed"] == {
        "place": [tree.street.code, tree.district.code],
        "name_en": ["Urban management, first street", "Urban management"],
        "phone": ["", "0755-1234 5678"],
    }


def test_a_unit_does_not_move_away_from_its_members(session, tree, admin, staff, now):
    unit = a_unit(session, tree.street)
    units.add_member(session, admin, unit, staff.officer.phone, now=now)
    with pytest.raises(Invalid, match="not officers of that street") as refused:
        units.update_unit(
            session, admin, unit, place_id=tree.other_street.id, name_zh=unit.name_zh,
            name_en=unit.name_en, phone="", now=now,
        )  # fmt: skip
    assert refused.value.details["field"] == "place_id"


def test_a_unit_items_go_to_stays_in_use(session, tree, admin, now):
    unit = a_unit(session, tree.street)
    item = catalogue.create_item(
        session, admin, code="loose-manhole", fields=fields(first_group(session), unit_id=unit.id),
        now=now,
    )  # fmt: skip
    catalogue.set_item_retired(session, admin, item, True, now=now)
    with pytest.raises(Invalid, match="another unit first"):
        units.set_unit_retired(session, admin, unit, True, now=now)
    catalogue.update_item(session, admin, item, fields(first_group(session), unit_id=None), now=now)
    units.set_unit_retired(session, admin, unit, True, now=now)
    assert unit.retired_at == now and units.usable_units(session, admin) == []
    assert list(session.scalars(units.units_query(admin))) == [unit]  # still listed
    with pytest.raises(Invalid, match="already so"):
        units.set_unit_retired(session, admin, unit, True, now=now)
    units.set_unit_retired(session, admin, unit, False, now=now)
    assert unit.retired_at is None
    assert [e.action for e in audit_events(session, "appeals.retire_unit")] == [
        "appeals.retire_unit"
    ]
    assert len(audit_events(session, "appeals.restore_unit")) == 1


def test_officers_covering_the_units_place_become_members(session, tree, admin, staff, now):
    street_unit = a_unit(session, tree.street)
    district_unit = a_unit(session, tree.district, code="district-housing")
    units.add_member(session, admin, street_unit, staff.officer.phone, now=now)
    # A district officer's role covers every street of the district.
    units.add_member(session, admin, street_unit, f" {staff.district_officer.phone} ", now=now)
    units.add_member(session, admin, district_unit, staff.district_officer.phone, now=now)
    assert [m.user for m in units.members_of(session, street_unit)] == [
        staff.officer, staff.district_officer
    ]  # fmt: skip
    assert units.member_counts(session, [street_unit, district_unit]) == {
        street_unit.id: 2, district_unit.id: 1
    }  # fmt: skip
    [first, *_] = audit_events(session, "appeals.add_unit_member")
    masked = f"{staff.officer.phone[:3]}****{staff.officer.phone[-4:]}"
    assert first.details == {"code": street_unit.code, "user_id": staff.officer.id, "phone": masked}
    assert staff.officer.phone not in str(first.details)

    units.remove_member(session, admin, street_unit, staff.officer.id, now=now)
    assert [m.user for m in units.members_of(session, street_unit)] == [staff.district_officer]
    [removed] = audit_events(session, "appeals.remove_unit_member")
    assert removed.details["phone"] == masked
    with pytest.raises(NotFound):
        units.remove_member(session, admin, street_unit, staff.officer.id, now=now)


def test_who_cannot_become_a_member_is_told_why(session, tree, admin, staff, now):
    unit = a_unit(session, tree.street)
    district_unit = a_unit(session, tree.district, code="district-housing")
    resident = factories.user(session, Role.RESIDENT)
    other_street_officer = factories.user(session, Role.OFFICER, tree.other_street)
    disabled = factories.user(session, Role.OFFICER, tree.street)
    disabled.disabled_at = now
    cases = [
        (unit, "138", "11-digit"),
        (unit, "13911112222", "No staff account has this number"),
        (unit, resident.phone, "No staff account has this number"),
        (unit, staff.secretary.phone, "not an officer of the street or district"),
        (unit, other_street_officer.phone, "not an officer of the street or district"),
        # A street's officer does not work the district's units.
        (district_unit, staff.officer.phone, "not an officer of the street or district"),
        (unit, disabled.phone, "disabled"),
    ]
    for target, phone, message in cases:
        with pytest.raises(Invalid, match=message) as refused:
            units.add_member(session, admin, target, phone, now=now)
        assert refused.value.details["field"] == "phone"
    units.add_member(session, admin, unit, staff.officer.phone, now=now)
    with pytest.raises(Invalid, match="member of the unit already"):
        units.add_member(session, admin, unit, staff.officer.phone, now=now)
    units.set_unit_retired(session, admin, district_unit, True, now=now)
    with pytest.raises(Invalid, match="retired"):
        units.add_member(session, admin, district_unit, staff.district_officer.phone, now=now)
    assert len(audit_events(session, "appeals.add_unit_member")) == 1
