"""Places without HTTP: the hierarchy, buildings, scope, and the all-or-nothing import."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.errors import Forbidden, Invalid
from portal.permissions import SYSTEM, Permission, Role
from portal.places import services
from portal.places.csvio import HEADERS, ImportFailed
from portal.places.models import Building, PlaceKind, RiskGrade
from tests import factories

pytestmark = pytest.mark.usefixtures("app_context")


@pytest.fixture
def tree(session):
    return factories.tree(session)


def csv(*rows: str, header: str = "网格编码,楼栋名称,地址,户数,风险等级,二维码编号") -> bytes:
    return ("\ufeff" + header + "\r\n" + "\r\n".join(rows) + "\r\n").encode()


def building_count(session) -> int:
    return session.scalar(select(func.count(Building.id)))


def fields(**values) -> services.BuildingFields:
    return services.BuildingFields(
        **(
            {
                "name_zh": "新楼",
                "name_en": "",
                "address": "新路1号",
                "households": 10,
                "risk_grade": RiskGrade.SAFE,
            }
            | values
        )
    )


def test_areas_get_the_next_kind_down_and_a_path(session, tree, now):
    assert [tree.district.kind, tree.street.kind, tree.community.kind, tree.grid.kind] == list(
        PlaceKind
    )
    assert tree.grid.path == f"{tree.community.path}{tree.grid.id}/"
    assert tree.grid.ancestors == [tree.district, tree.street, tree.community]
    with pytest.raises(Invalid, match="divided into buildings"):
        services.create_place(
            session, SYSTEM, tree.grid, code="X1", name_zh="子", name_en="", now=now
        )


def test_place_codes_are_unique_and_names_required(session, tree, now):
    with pytest.raises(Invalid, match="already has this code"):
        services.create_place(
            session,
            SYSTEM,
            tree.community,
            code=tree.grid.code,
            name_zh="重复",
            name_en="",
            now=now,
        )
    with pytest.raises(Invalid, match="Chinese name"):
        services.update_place(
            session, SYSTEM, tree.grid, code=tree.grid.code, name_zh=" ", name_en="", now=now,
            phone="", hours_zh="", hours_en="", centre_zh="", centre_en="",
        )  # fmt: skip


def test_a_secretary_adds_a_grid_to_their_community_but_not_elsewhere(session, tree, now):
    secretary = factories.user(session, Role.SECRETARY, tree.community)
    grid = services.create_place(
        session,
        secretary,
        tree.community,
        code="G-NEW",
        name_zh="新网格",
        name_en="New grid",
        now=now,
    )
    assert grid.kind == PlaceKind.GRID
    with pytest.raises(Forbidden):
        services.create_place(
            session,
            secretary,
            tree.other_community,
            code="G-NEW2",
            name_zh="别处",
            name_en="",
            now=now,
        )
    with pytest.raises(Forbidden):
        services.update_place(
            session,
            secretary,
            tree.street,
            code=tree.street.code,
            name_zh="改名",
            name_en="",
            phone="",
            hours_zh="",
            hours_en="",
            centre_zh="",
            centre_en="",
            now=now,
        )
    with pytest.raises(Forbidden):
        services.get_place(session, secretary, tree.other_grid.id)


def edit_contacts(session, actor, place, now, **contacts) -> None:
    """Save `place` with its names and code as they are and the contacts given."""
    services.update_place(
        session, actor, place, code=place.code, name_zh=place.name_zh, name_en=place.name_en,
        now=now, **({"phone": "", "hours_zh": "", "hours_en": "", "centre_zh": "",
                     "centre_en": ""} | contacts),
    )  # fmt: skip


def test_a_secretary_says_where_their_community_s_service_centre_is(session, tree, now):
    secretary = factories.user(session, Role.SECRETARY, tree.community)
    edit_contacts(
        session, secretary, tree.community, now,
        hours_zh="周一至周五 8:30–18:00", hours_en="Mon–Fri 8:30–18:00",
        centre_zh=" 甲社区党群服务中心（测试路18号） ",
        centre_en=" Jia Community Service Centre, 18 Ceshi Road ",
    )  # fmt: skip
    assert (tree.community.service_centre_zh, tree.community.service_centre_en) == (
        "甲社区党群服务中心（测试路18号）",
        "Jia Community Service Centre, 18 Ceshi Road",
    )
    assert session.scalars(select(AuditEvent.action).order_by(AuditEvent.id.desc())).first() == (
        "places.update_place"
    )
    # Saved again without an address, it has none (the form sends every field).
    edit_contacts(session, secretary, tree.community, now)
    assert (tree.community.service_centre_zh, tree.community.service_centre_en) == ("", "")


def test_the_service_centre_is_kept_by_whoever_keeps_the_service_hours(session, tree, now):
    for outsider in (
        factories.user(session, Role.SECRETARY, tree.other_community),
        factories.user(session, Role.GRID_WORKER, tree.grid),
        factories.user(session, Role.LEGAL_ADVISER, tree.district),
    ):
        with pytest.raises(Forbidden):
            edit_contacts(session, outsider, tree.community, now, centre_zh="别处")
    assert tree.community.service_centre_zh == ""
    district_admin = factories.user(session, Role.ADMIN, tree.district)
    edit_contacts(session, district_admin, tree.community, now, centre_zh="甲社区党群服务中心")
    assert tree.community.service_centre_zh == "甲社区党群服务中心"


def test_a_new_community_may_say_where_its_service_centre_is(session, tree, now):
    community = services.create_place(
        session, SYSTEM, tree.street, code="C-NEW", name_zh="新社区", name_en="", now=now,
        centre_zh="新社区党群服务中心（新路8号）", centre_en="New Community Service Centre",
    )  # fmt: skip
    assert (community.service_centre_zh, community.service_centre_en) == (
        "新社区党群服务中心（新路8号）",
        "New Community Service Centre",
    )
    plain = services.create_place(
        session, SYSTEM, tree.street, code="C-OLD", name_zh="旧社区", name_en="", now=now
    )
    assert (plain.service_centre_zh, plain.service_centre_en) == ("", "")


def test_a_new_building_gets_a_fresh_code_and_moving_it_keeps_the_code(session, tree, now):
    made = services.create_building(session, SYSTEM, tree.grid, fields(), now=now)
    code = made.public_code
    services.update_building(
        session, SYSTEM, made, tree.other_grid, fields(name_zh="改名楼"), now=now
    )
    assert (made.public_code, made.grid, made.name_zh) == (code, tree.other_grid, "改名楼")


def test_a_building_belongs_to_a_grid_in_scope(session, tree, now):
    secretary = factories.user(session, Role.SECRETARY, tree.community)
    with pytest.raises(Invalid, match="belong to a grid"):
        services.create_building(session, SYSTEM, tree.community, fields(), now=now)
    with pytest.raises(Forbidden):
        services.create_building(session, secretary, tree.other_grid, fields(), now=now)
    with pytest.raises(Forbidden):
        services.update_building(
            session, secretary, tree.building, tree.other_grid, fields(), now=now
        )


def test_child_places_count_buildings_in_one_query(session, tree, now):
    factories.building(session, tree.other_grid, "乙楼2栋")
    counts = {place.code: count for place, count in services.child_places(session, tree.street)}
    assert counts == {tree.community.code: 1, tree.other_community.code: 2}
    assert services.child_places(session, tree.grid) == []


def test_buildings_are_searched_within_a_place(session, tree):
    assert session.scalars(services.buildings_query(tree.community)).all() == [tree.building]
    assert session.scalars(services.buildings_query(tree.street, "乙楼")).all() == [
        tree.other_building
    ]
    code = tree.other_building.public_code.lower()
    assert session.scalars(services.buildings_query(tree.district, code)).all() == [
        tree.other_building
    ]
    assert session.scalars(services.buildings_query(tree.district, "100%_")).all() == []


# Import


def test_an_import_adds_and_updates_in_one_go(session, tree, now):
    summary = services.import_buildings(
        session, SYSTEM,
        csv(
            f"{tree.grid.code},甲楼2栋,甲路2号,20,一般,",
            f"{tree.other_grid.code},乙楼1栋（改）,乙路1号,66,警示,{tree.other_building.public_code.lower()}",
        ),
        within=tree.district, now=now,
    )  # fmt: skip
    assert (summary.created, summary.updated) == (1, 1)
    added = session.scalar(select(Building).where(Building.name_zh == "甲楼2栋"))
    assert (added.grid, added.households, added.risk_grade) == (tree.grid, 20, RiskGrade.ORDINARY)
    assert len(added.public_code) == 6
    assert (tree.other_building.name_zh, tree.other_building.households) == ("乙楼1栋（改）", 66)
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "places.import_buildings")
    ).one()
    assert event.details == {"created": 1, "updated": 1}


def test_an_import_with_any_bad_row_saves_nothing_and_lists_every_problem(session, tree, now):
    before = building_count(session)
    name_before = tree.building.name_zh
    with pytest.raises(ImportFailed) as failure:
        services.import_buildings(
            session, SYSTEM,
            csv(
                f"{tree.grid.code},好楼,好路,10,放心,",
                f"{tree.grid.code},改名,好路,10,放心,{tree.building.public_code}",
                "NO-SUCH-GRID,楼,路,10,放心,",
                f"{tree.community.code},楼,路,10,放心,",
                f"{tree.grid.code},楼,路,10,放心,ZZZZZZ",
                f"{tree.grid.code},楼,路,10,放心,{tree.building.public_code}",
                f"{tree.grid.code},楼,路,abc,放心,",
            ),
            within=tree.district, now=now,
        )  # fmt: skip
    problems = [(error.line, str(error.message)) for error in failure.value.errors]
    assert problems == [
        (4, "There is no grid with the code NO-SUCH-GRID."),
        (5, f"{tree.community.code} is not the code of a grid."),
        (6, "No building has the QR code number ZZZZZZ. Leave it empty for a new building."),
        (7, f"The QR code number {tree.building.public_code} is also on line 3."),
        (8, "“户数” must be a whole number from 0 to 10000."),
    ]
    assert building_count(session) == before
    assert tree.building.name_zh == name_before


def test_a_secretary_imports_only_into_their_community(session, tree, now):
    secretary = factories.user(session, Role.SECRETARY, tree.community)
    with pytest.raises(ImportFailed) as failure:
        services.import_buildings(
            session, secretary,
            csv(f"{tree.grid.code},甲楼9栋,路,1,放心,", f"{tree.other_grid.code},乙楼9栋,路,1,放心,",
                f"{tree.grid.code},偷改,路,1,放心,{tree.other_building.public_code}"),
            within=tree.community, now=now,
        )  # fmt: skip
    assert [error.line for error in failure.value.errors] == [3, 4]
    with pytest.raises(Forbidden):
        services.import_buildings(session, secretary, csv(), within=tree.street, now=now)
    summary = services.import_buildings(
        session,
        secretary,
        csv(f"{tree.grid.code},甲楼9栋,路,1,放心,"),
        within=tree.community,
        now=now,
    )
    assert summary.created == 1


def test_an_exported_file_imports_back_unchanged(app, session, tree, now):
    from portal.places.csvio import write_buildings

    factories.building(session, tree.grid, "=危险的名字", name_en="Block, with comma")
    exported = "".join(
        write_buildings(session.scalars(services.buildings_query(tree.district)))
    ).encode()
    assert exported.startswith("\ufeff".encode()) and exported.decode().splitlines()[0].lstrip(
        "\ufeff"
    ) == ",".join(HEADERS)
    assert "'=危险的名字" in exported.decode()
    before = {
        b.public_code: (b.name_zh, b.name_en, b.address, b.households, b.risk_grade)
        for b in session.scalars(select(Building))
    }
    summary = services.import_buildings(session, SYSTEM, exported, within=None, now=now)
    assert (summary.created, summary.updated) == (0, 3)
    after = {
        b.public_code: (b.name_zh, b.name_en, b.address, b.households, b.risk_grade)
        for b in session.scalars(select(Building))
    }
    assert after == before


def test_a_large_import_is_quick_in_queries(session, tree, now):
    rows = [
        f"{tree.grid.code},批量楼{number}栋,批量路{number}号,{number % 90},放心,"
        for number in range(1200)
    ]
    summary = services.import_buildings(session, SYSTEM, csv(*rows), within=None, now=now)
    assert summary.created == 1200
    codes = session.scalars(select(Building.public_code)).all()
    assert len(codes) == len(set(codes)) == 1202


def test_new_codes_avoid_codes_already_taken(session, tree, monkeypatch):
    taken = tree.building.public_code
    offered = iter([taken, taken, "ABCDEF"])
    monkeypatch.setattr(services, "generate_code", lambda: next(offered))
    assert services.new_public_codes(session, 1) == ["ABCDEF"]


def test_rare_characters_that_posters_cannot_print_are_refused(session, tree, now):
    with pytest.raises(Invalid, match="rare character"):
        services.create_building(session, SYSTEM, tree.grid, fields(name_zh="𠮷野家楼"), now=now)
    with pytest.raises(ImportFailed) as failure:
        services.import_buildings(
            session, SYSTEM, csv(f"{tree.grid.code},𠮷楼,路,1,放心,"), within=None, now=now
        )
    assert "rare character" in failure.value.errors[0].message


def test_staff_find_buildings_by_name_address_or_code_within_their_area(session, tree):
    secretary = factories.user(session, Role.SECRETARY, tree.community)
    second = factories.building(session, tree.grid, "甲楼2栋", address="幸福路12号")
    retired = factories.building(session, tree.grid, "甲楼3栋")
    retired.retired_at = factories.EPOCH

    def found(actor, words, **limit):
        buildings, more = services.find_buildings(
            session, actor, Permission.HANDLE_APPEALS, words, **limit
        )
        return [building.name_zh for building in buildings], more

    assert found(secretary, "楼") == (["甲楼1栋", "甲楼2栋"], False)  # not 乙楼1栋 next door
    assert found(secretary, " 幸福路 ") == (["甲楼2栋"], False)
    assert found(secretary, "幸福路 2栋") == (["甲楼2栋"], False), "each word, name or address"
    assert found(secretary, second.public_code.lower()) == (["甲楼2栋"], False)
    assert found(secretary, "乙楼") == ([], False)
    assert found(secretary, "%") == ([], False), "a wildcard is a character, not any text"
    assert found(secretary, "楼", limit=1) == (["甲楼1栋"], True)
    assert found(secretary, "") == ([], False)
    admin = factories.user(session, Role.ADMIN)
    assert found(admin, "楼") == ([], False), "an administrator files for nobody"
    assert found(SYSTEM, "乙楼") == (["乙楼1栋"], False)
