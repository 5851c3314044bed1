"""Keeping the archives, without HTTP: adding, changing and retiring one, its archivists, the
kinds it keeps and its seal; each rule, who may, and the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.accounts.models import RoleGrant
from portal.archives import access, archive_admin
from portal.archives.documents import SEAL_PURPOSE, seal_owner
from portal.archives.models import Archive, RequestState
from portal.audit.models import AuditEvent
from portal.errors import Forbidden, Invalid, NotFound
from portal.permissions import Role
from portal.uploads.models import Upload
from portal.uploads.store import Store
from tests import factories
from tests.archives import helpers

pytestmark = pytest.mark.usefixtures("app_context")
NOW = helpers.TUESDAY_10AM


@pytest.fixture
def world(session):
    return helpers.world(session)


@pytest.fixture
def admin(session, world):
    """An administrator of the district (not of the whole portal)."""
    return factories.user(session, Role.ADMIN, world.tree.district, name="区管理员")


def audit_events(session, action: str) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def fields(world, **changed) -> dict:
    return {
        "place_id": world.tree.other_street.id, "name_zh": "第二街道档案室",
        "name_en": "Second Street Records Room", "address_zh": "第二街道办事处一楼",
        "address_en": "", "phone": "0755-2345 6789",
    } | changed  # fmt: skip


def test_a_district_administrator_adds_an_archive_for_a_street_of_their_district(
    session, world, admin
):
    made = archive_admin.create_archive(
        session, admin, code=" Second-Street ", now=NOW, **fields(world)
    )
    assert (made.code, made.place, made.address_zh, made.retired_at, made.seal_name) == (
        "second-street", world.tree.other_street, "第二街道办事处一楼", None, None
    )  # fmt: skip
    [event] = audit_events(session, "archives.create_archive")
    assert (event.actor_id, event.target_id) == (admin.id, str(made.id))
    assert event.details == {"code": "second-street", "place": world.tree.other_street.code}
    listed = session.scalars(archive_admin.archives_query(admin)).all()
    assert made in listed and world.elsewhere_archive not in listed
    assert world.tree.community not in archive_admin.archive_places(session, admin)


@pytest.mark.parametrize(
    ("changed", "field", "message"),
    [
        ({"code": "District-Archive"}, "code", "Another archive already has this code"),
        ({"code": ""}, "code", "Enter a code"),
        ({"code": "档案馆"}, "code", "lower-case letters"),
        ({"code": "new"}, "code", "lower-case letters"),
        ({"place_id": None}, "place_id", "Choose the street or district"),
        ({"place_id": "community"}, "place_id", "Choose the street or district"),
        ({"place_id": "elsewhere"}, "place_id", "your own area only"),
        ({"name_zh": " "}, "name_zh", "Enter the name in Chinese"),
        ({"name_en": ""}, "name_en", "in English too"),
        ({"address_zh": ""}, "address_zh", "pick up results"),
        ({"address_en": "x" * 201}, "address_en", "within 200 characters"),
        ({"phone": "call us"}, "phone", "phone number of digits"),
    ],
)
def test_archive_rules(session, world, admin, changed, field, message):
    given = fields(world) | {"code": "second-street"} | changed
    if given["place_id"] == "community":
        given["place_id"] = world.tree.community.id
    elif given["place_id"] == "elsewhere":
        given["place_id"] = world.elsewhere_archive.place_id
    with pytest.raises(Invalid, match=message) as refused:
        archive_admin.create_archive(session, admin, now=NOW, **given)
    assert refused.value.details["field"] == field
    assert session.scalar(select(Archive).where(Archive.code == "second-street")) is None


def test_every_mistake_is_told_at_once(session, world, admin):
    with pytest.raises(Invalid) as refused:
        archive_admin.create_archive(
            session, admin, now=NOW,
            **fields(world, code="", name_zh="", address_zh="", phone="x"),
        )  # fmt: skip
    assert [each.details["field"] for each in refused.value.problems] == [
        "code", "name_zh", "address_zh", "phone",
    ]  # fmt: skip


def test_changing_an_archive_records_what_changed_and_keeps_its_archivists_able(
    session, world, admin
):
    archive = world.street_archive
    archive_admin.update_archive(
        session, admin, archive, now=NOW,
        **fields(world, place_id=archive.place_id, name_zh="第一街道档案室（新址）"),
    )  # fmt: skip
    [event] = audit_events(session, "archives.update_archive")
    assert event.details["changed"]["name_zh"] == ["第一街道档案室", "第一街道档案室（新址）"]
    assert event.details["changed"]["phone"] == ["0755-12345678", "0755-2345 6789"]
    # Its archivist holds the role on the first street only: not for the second.
    with pytest.raises(Invalid, match="Remove them first") as refused:
        archive_admin.update_archive(session, admin, archive, now=NOW, **fields(world))
    assert refused.value.details["field"] == "place_id"
    # Given the role on the whole district, they may follow it there.
    world.street_archivist.grants.append(
        RoleGrant(role=Role.ARCHIVIST, place=world.tree.district, granted_at=NOW)
    )
    archive_admin.update_archive(session, admin, archive, now=NOW,
                                 **fields(world, place_id=world.tree.district.id))  # fmt: skip
    assert archive.place == world.tree.district


def test_nothing_changed_writes_nothing(session, world, admin):
    archive = world.archive
    same = {"place_id": archive.place_id, "name_zh": archive.name_zh, "name_en": archive.name_en,
            "address_zh": archive.address_zh, "address_en": archive.address_en,
            "phone": archive.phone}  # fmt: skip
    archive_admin.update_archive(session, admin, archive, now=NOW, **same)
    assert audit_events(session, "archives.update_archive") == []


def test_an_archive_with_open_requests_is_not_retired_until_they_are_answered(
    session, world, admin
):
    made = helpers.request(session, world)
    with pytest.raises(Invalid, match="still has open requests"):
        archive_admin.set_archive_retired(session, admin, world.archive, True, now=NOW)
    made.state, made.closed_at = RequestState.REFUSED, NOW
    session.flush()
    archive_admin.set_archive_retired(session, admin, world.archive, True, now=NOW)
    assert world.archive.retired_at == NOW
    assert world.archive not in access.archives_of(session, world.archivist)
    with pytest.raises(Invalid, match="already so"):
        archive_admin.set_archive_retired(session, admin, world.archive, True, now=NOW)
    archive_admin.set_archive_retired(session, admin, world.archive, False, now=NOW)
    assert world.archive.retired_at is None
    assert [event.action for event in session.scalars(select(AuditEvent).where(
        AuditEvent.action.like("archives.%_archive")).order_by(AuditEvent.id))] == [
        "archives.retire_archive", "archives.restore_archive"]  # fmt: skip


def test_an_archive_asked_to_help_is_not_retired_while_its_assist_is_open(session, world, admin):
    from portal.archives.models import Assist

    made = helpers.request(session, world)
    session.add(Assist(request_id=made.id, archive_id=world.street_archive.id,
                       asked_by_id=world.archivist.id, asked_at=NOW,
                       due_at=NOW + timedelta(days=4)))  # fmt: skip
    session.flush()
    assert archive_admin.open_work(session, world.street_archive) == 1
    with pytest.raises(Invalid, match="still has open requests"):
        archive_admin.set_archive_retired(session, admin, world.street_archive, True, now=NOW)


def test_an_archivist_of_the_place_is_added_by_phone_and_removed(session, world, admin):
    newcomer = factories.user(session, Role.ARCHIVIST, world.tree.district, name="新档案员")
    added = archive_admin.add_member(
        session, admin, world.archive, f" {newcomer.phone[:3]} {newcomer.phone[3:]} ", now=NOW
    )
    assert added == newcomer and access.works(session, newcomer, world.archive)
    [event] = audit_events(session, "archives.add_member")
    assert event.details["phone"] == newcomer.phone[:3] + "****" + newcomer.phone[-4:]

    archive_admin.remove_member(session, admin, world.archive, newcomer.id, now=NOW)
    assert not access.works(session, newcomer, world.archive)
    assert len(audit_events(session, "archives.remove_member")) == 1
    with pytest.raises(NotFound):
        archive_admin.remove_member(session, admin, world.archive, newcomer.id, now=NOW)


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("nobody", "No staff account has this number"),
        ("resident", "No staff account has this number"),
        ("secretary", "does not hold the archivist's role"),
        ("street_archivist", "does not hold the archivist's role"),
        ("elsewhere", "does not hold the archivist's role"),
        ("second", "works this archive already"),
        ("disabled", "disabled"),
        ("typo", "11-digit mainland mobile number"),
    ],
)
def test_who_may_not_be_added_is_told_why(session, world, admin, who, message):
    phones = {
        "nobody": "13912345678",
        "resident": world.resident.phone,
        "secretary": factories.user(session, Role.SECRETARY, world.tree.community).phone,
        # An archivist of the street does not cover the district the archive serves.
        "street_archivist": world.street_archivist.phone,
        "elsewhere": world.elsewhere.phone,
        "second": world.second.phone,
        "typo": "1380013800",
    }
    if who == "disabled":
        gone = factories.user(session, Role.ARCHIVIST, world.tree.district)
        gone.disabled_at = NOW
        phones[who] = gone.phone
    with pytest.raises(Invalid, match=message) as refused:
        archive_admin.add_member(session, admin, world.archive, phones[who], now=NOW)
    assert refused.value.details["field"] == "phone"


def test_a_retired_archive_takes_no_new_archivist(session, world, admin):
    world.street_archive.retired_at = NOW
    newcomer = factories.user(session, Role.ARCHIVIST, world.tree.street)
    with pytest.raises(Invalid, match="retired"):
        archive_admin.add_member(session, admin, world.street_archive, newcomer.phone, now=NOW)


def test_the_kinds_kept_are_set_from_those_offered_and_those_it_keeps_already(
    session, world, admin
):
    archive = world.archive  # keeps marriage and schooling
    marriage, schooling, land, adoption = (
        helpers.kind(session, code) for code in ("marriage", "schooling", "land", "adoption")
    )
    schooling.is_active = land.is_active = False
    session.flush()
    choosable = archive_admin.kinds_to_choose(session, archive)
    assert schooling in choosable and land not in choosable and marriage in choosable
    # An unoffered kind it keeps stays when saved; an id may come in full-width digits.
    wide = "".join(chr(0xFF10 + int(digit)) for digit in str(adoption.id))
    archive_admin.set_kinds(session, admin, archive, [str(schooling.id), wide], now=NOW)
    assert archive_admin.kept_kind_ids(session, archive) == {schooling.id, adoption.id}
    [event] = audit_events(session, "archives.set_kinds")
    assert (event.details["added"], event.details["removed"]) == (["adoption"], ["marriage"])
    # An unoffered kind it does not keep cannot be added; nor what is no kind at all.
    for wrong in ([str(land.id)], ["x"], ["99999999999999"]):
        with pytest.raises(Invalid, match="Choose among the kinds") as refused:
            archive_admin.set_kinds(session, admin, archive, wrong, now=NOW)
        assert refused.value.details["field"] == "kinds"
    # Saving the same again writes nothing.
    archive_admin.set_kinds(session, admin, archive, [schooling.id, adoption.id], now=NOW)
    assert len(audit_events(session, "archives.set_kinds")) == 1


def test_a_new_seal_serves_letters_from_now_on_and_the_old_one_stays_for_earlier_letters(
    session, world, admin, tmp_path
):
    store = Store(tmp_path)
    first, second = (factories.upload(session, store, purpose=SEAL_PURPOSE, created_at=NOW)
                     for _ in range(2))  # fmt: skip
    archive_admin.replace_seal(session, admin, world.archive, first, now=NOW)
    assert archive_admin.seal_of(session, world.archive) == first
    archive_admin.replace_seal(session, admin, world.archive, second, now=NOW)
    assert world.archive.seal_name == second.name
    assert archive_admin.seal_of(session, world.archive) == second
    session.refresh(first)
    assert first.owner == second.owner == seal_owner(world.archive)
    events = audit_events(session, "archives.replace_seal")
    assert events[1].details["previous"] == first.name
    # Another archive's seal (attached already) is not taken.
    with pytest.raises(Invalid, match="was not kept"):
        archive_admin.replace_seal(session, admin, world.street_archive, second, now=NOW)
    assert session.scalar(select(Upload.owner).where(Upload.id == second.id)) == seal_owner(
        world.archive
    )


def test_only_administrators_of_the_archives_place_keep_it(session, world):
    other = factories.user(session, Role.ADMIN, world.elsewhere_archive.place, name="别区管理员")
    street_admin = factories.user(session, Role.ADMIN, world.tree.street)
    for stranger in (
        world.archivist,
        factories.user(session, Role.SECRETARY, world.tree.community),
        world.resident,
    ):
        with pytest.raises(Forbidden):
            archive_admin.get_archive(session, stranger, world.archive.code)
        with pytest.raises(Forbidden):
            archive_admin.archives_query(stranger)
    with pytest.raises(Forbidden):
        archive_admin.get_archive(session, other, world.archive.code)
    with pytest.raises(Forbidden):
        archive_admin.add_member(session, other, world.archive, world.second.phone, now=NOW)
    # A street's administrator keeps the street's archive, not the district's.
    assert archive_admin.get_archive(session, street_admin, "STREET-ARCHIVE ") == (
        world.street_archive
    )
    with pytest.raises(Forbidden):
        archive_admin.set_archive_retired(session, street_admin, world.archive, True, now=NOW)
    with pytest.raises(NotFound, match="no such archive"):
        archive_admin.get_archive(session, street_admin, "no-such-archive")
