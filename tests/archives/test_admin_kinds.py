"""Keeping the kinds of record, without HTTP: adding one with its checklist, the checklist's
rules, renaming, offering or not, the order, and who may."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from portal.archives import catalogue, kind_admin
from portal.archives.models import RecordKind, Relation
from portal.audit.models import AuditEvent
from portal.errors import Forbidden, Invalid, NotFound
from portal.permissions import Role
from tests import factories
from tests.archives import helpers

pytestmark = pytest.mark.usefixtures("app_context")
NOW = helpers.TUESDAY_10AM
ONESELF_ONLY = {"self": ["requester_id"]}


@pytest.fixture
def admin(session):
    """An administrator of the whole portal: the kinds are one list for every district."""
    return factories.user(session, Role.ADMIN, None, name="管理员")


def offered(session) -> list[str]:
    return [kind.code for kind in catalogue.offered_kinds(session)]


def actions(session) -> list[str]:
    return list(
        session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.action.like("archives.%_kind"))
            .order_by(AuditEvent.id)
        )
    )


def test_a_new_kind_is_offered_last_with_its_checklist(session, admin):
    made = kind_admin.create_kind(
        session, admin, code="Pension", name_zh=" 养老保险 ", name_en="Pension insurance",
        checklist={"agent": ["authorisation", "requester_id", "subject_id"],
                   "self": ["requester_id"]},
        now=NOW,
    )  # fmt: skip
    assert (made.code, made.name_zh, made.is_active) == ("pension", "养老保险", True)
    assert offered(session)[-1] == "pension"
    # Kept in the order of the relations and of the proofs, whatever order they came in.
    assert made.checklist == {"self": ["requester_id"],
                              "agent": ["requester_id", "subject_id", "authorisation"]}  # fmt: skip
    assert made.proofs_for(Relation.GUARDIAN) is None
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "archives.create_kind"))
    assert event.details["checklist"] == made.checklist and event.actor_id == admin.id


@pytest.mark.parametrize(
    ("checklist", "field", "message"),
    [
        ({}, "checklist", "at least one kind of requester"),
        ({"agent": []}, "proofs_agent", "at least one document for Agent"),
        ({"self": ["other"]}, "proofs_self", "Choose among the documents listed"),
        ({"self": ["requester_id", "passport"]}, "proofs_self", "among the documents listed"),
        ({"self": ["requester_id"], "neighbour": ["requester_id"]}, None, "among the requesters"),
    ],
)
def test_checklist_rules(session, admin, checklist, field, message):
    with pytest.raises(Invalid, match=message) as refused:
        kind_admin.create_kind(session, admin, code="pension", name_zh="养老保险",
                               name_en="Pension", checklist=checklist, now=NOW)  # fmt: skip
    assert refused.value.details.get("field") == field
    assert "pension" not in offered(session)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"code": "marriage"}, "code", "Another kind of record already has this code"),
        ({"code": "new"}, "code", "lower-case letters"),
        ({"code": "a b"}, "code", "lower-case letters"),
        ({"name_zh": ""}, "name_zh", "Enter the Chinese name"),
        ({"name_en": "x" * 41}, "name_en", "within 40 characters"),
    ],
)
def test_kind_rules(session, admin, values, field, message):
    given = {"code": "pension", "name_zh": "养老保险", "name_en": "Pension",
             "checklist": ONESELF_ONLY} | values  # fmt: skip
    with pytest.raises(Invalid, match=message) as refused:
        kind_admin.create_kind(session, admin, now=NOW, **given)
    assert refused.value.details["field"] == field


def test_a_kind_is_renamed_its_checklist_changed_and_it_is_offered_again_last(session, admin):
    marriage = kind_admin.get_kind(session, admin, " Marriage")
    assert marriage.checklist == catalogue.MARRIAGE_CHECKLIST
    kind_admin.update_kind(
        session, admin, marriage, name_zh="婚姻登记档案", name_en="Marriage records",
        offered=False, checklist=ONESELF_ONLY, now=NOW,
    )  # fmt: skip
    assert "marriage" not in offered(session)
    assert marriage.proofs_for(Relation.AGENT) is None
    changed = session.scalar(
        select(AuditEvent.details).where(AuditEvent.action == "archives.update_kind")
    )["changed"]
    assert changed["name_zh"] == ["婚姻登记", "婚姻登记档案"] and changed["is_active"] == [
        True,
        False,
    ]
    kind_admin.update_kind(session, admin, marriage, name_zh="婚姻登记档案",
                           name_en="Marriage records", offered=True, checklist=ONESELF_ONLY,
                           now=NOW)  # fmt: skip
    assert offered(session)[-1] == "marriage"
    # The same again writes nothing.
    kind_admin.update_kind(session, admin, marriage, name_zh="婚姻登记档案",
                           name_en="Marriage records", offered=True, checklist=ONESELF_ONLY,
                           now=NOW)  # fmt: skip
    assert actions(session) == ["archives.update_kind", "archives.update_kind"]


def test_the_last_kind_offered_stays_offered(session, admin):
    session.execute(update(RecordKind).where(RecordKind.code != "land").values(is_active=False))
    land = kind_admin.get_kind(session, admin, "land")
    with pytest.raises(Invalid, match="at least one kind offered") as refused:
        kind_admin.update_kind(session, admin, land, name_zh=land.name_zh, name_en=land.name_en,
                               offered=False, checklist=land.checklist, now=NOW)  # fmt: skip
    assert refused.value.details["field"] == "offered"
    assert offered(session) == ["land"]


def test_kinds_are_moved_one_place_and_the_ends_stay(session, admin):
    first, second = offered(session)[:2]
    kind_admin.move_kind(session, admin, kind_admin.get_kind(session, admin, second), -1, now=NOW)
    assert offered(session)[:2] == [second, first]
    kind_admin.move_kind(session, admin, kind_admin.get_kind(session, admin, second), -1, now=NOW)
    assert offered(session)[0] == second, "the first stays first"
    last = offered(session)[-1]
    kind_admin.move_kind(session, admin, kind_admin.get_kind(session, admin, last), 1, now=NOW)
    assert offered(session)[-1] == last
    assert actions(session) == ["archives.move_kind"]
    retired = kind_admin.get_kind(session, admin, "land")
    retired.is_active = False
    with pytest.raises(Invalid, match="no place in the order"):
        kind_admin.move_kind(session, admin, retired, -1, now=NOW)


def test_only_administrators_of_the_whole_portal_keep_the_kinds(session):
    tree = factories.tree(session)
    for someone in (
        factories.user(session, Role.ADMIN, tree.district),
        factories.user(session, Role.ARCHIVIST, tree.district),
        factories.user(session, Role.SECRETARY, tree.community),
    ):
        with pytest.raises(Forbidden):
            kind_admin.all_kinds(session, someone)
        with pytest.raises(Forbidden):
            kind_admin.create_kind(session, someone, code="pension", name_zh="养老保险",
                                   name_en="Pension", checklist=ONESELF_ONLY, now=NOW)  # fmt: skip
    admin = factories.user(session, Role.ADMIN, None)
    with pytest.raises(NotFound, match="no such kind"):
        kind_admin.get_kind(session, admin, "no-such-kind")
