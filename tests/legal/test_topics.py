"""The topics of legal questions, kept by the portal's administrators: seeded with the usual
ten, added, renamed in both languages, put in order, retired (no longer offered to residents)
and offered again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.errors import Forbidden, Invalid
from portal.legal import topics as service
from portal.legal.models import LegalTopic
from portal.permissions import Role
from tests import factories
from tests.accounts.test_views import EN, page, sign_in_staff

NOW = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
SEEDED = ["婚姻家庭", "继承", "劳动争议", "房屋租赁", "物业纠纷", "邻里纠纷", "消费维权", "借贷",
          "人身损害", "其他"]  # fmt: skip


@pytest.fixture
def admin(session):
    made = factories.user(session, Role.ADMIN, None, name="管理员")
    session.commit()
    return made


def offered(session) -> list[str]:
    return [topic.name_zh for topic in service.offered_topics(session)]


def by_name(session, name: str) -> LegalTopic:
    return session.scalars(select(LegalTopic).where(LegalTopic.name_zh == name)).one()


def test_the_ten_topics_are_seeded_in_order(session):
    assert offered(session) == SEEDED
    assert by_name(session, "继承").name_en == "Inheritance"


def test_an_administrator_adds_renames_moves_retires_and_restores(session, app_context, admin):
    made = service.add_topic(
        session, admin, name_zh=" 交通事故 ", name_en="Road accidents", now=NOW
    )
    assert offered(session)[-1] == "交通事故"
    service.rename_topic(session, admin, made, name_zh="交通", name_en="Traffic", now=NOW)
    assert (made.name_zh, made.name_en) == ("交通", "Traffic")
    service.move_topic(session, admin, made, -1, now=NOW)
    assert offered(session)[-2:] == ["交通", "其他"]
    service.move_topic(session, admin, by_name(session, "婚姻家庭"), -1, now=NOW)
    assert offered(session)[0] == "婚姻家庭", "the first stays first"
    service.retire_topic(session, admin, made, retired=True, now=NOW)
    assert "交通" not in offered(session) and service.offered_topic(session, made.id) is None
    service.retire_topic(session, admin, made, retired=False, now=NOW)
    assert service.offered_topic(session, made.id) is made
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("legal.%topic"))
    ).all()
    assert sorted(actions) == sorted([
        "legal.add_topic", "legal.rename_topic", "legal.move_topic", "legal.retire_topic",
        "legal.restore_topic",
    ])  # fmt: skip


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"name_zh": " "}, "name_zh"),
        ({"name_en": ""}, "name_en"),
        ({"name_zh": "长" * 21}, "name_zh"),
        ({"name_en": "x" * 41}, "name_en"),
    ],
)
def test_bad_names_are_refused_on_their_field(session, app_context, admin, given, field):
    values = {"name_zh": "交通事故", "name_en": "Road accidents"} | given
    with pytest.raises(Invalid) as caught:
        service.add_topic(session, admin, now=NOW, **values)
    assert caught.value.details["field"] == field
    assert offered(session) == SEEDED


def test_the_last_topic_offered_cannot_be_retired(session, app_context, admin):
    for name in SEEDED[1:]:
        service.retire_topic(session, admin, by_name(session, name), retired=True, now=NOW)
    with pytest.raises(Invalid, match="at least one"):
        service.retire_topic(session, admin, by_name(session, SEEDED[0]), retired=True, now=NOW)


@pytest.mark.parametrize("role", [Role.LEGAL_ADVISER, Role.LEGAL_SUPERVISOR, Role.ADMIN])
def test_only_the_portal_s_administrators_keep_the_topics(session, app_context, role):
    tree = factories.tree(session)
    place = tree.district if role != Role.LEGAL_ADVISER else tree.community
    actor = factories.user(session, role, place)  # a district's administrator, say
    with pytest.raises(Forbidden):
        service.add_topic(session, actor, name_zh="交通", name_en="Traffic", now=NOW)
    with pytest.raises(Forbidden):
        service.retire_topic(session, actor, by_name(session, "继承"), retired=True, now=NOW)


def test_the_topics_page_over_http(session, client, admin):
    sign_in_staff(client, admin)
    assert "/legal/admin/topics" in page(client, "/staff")
    body = page(client, "/legal/admin/topics")
    assert "婚姻家庭" in body and "Add a topic" in body
    refused = client.post("/legal/admin/topics", data={"name_zh": "交通事故", "name_en": ""},
                          headers=EN)  # fmt: skip
    assert refused.status_code == 400 and 'value="交通事故"' in refused.get_data(as_text=True)
    added = client.post("/legal/admin/topics", data={"name_zh": "交通事故", "name_en": "Traffic"},
                        headers=EN)  # fmt: skip
    assert added.status_code == 302
    made = by_name(session, "交通事故")
    assert client.post(f"/legal/admin/topics/{made.id}",
                       data={"name_zh": "交通", "name_en": "Traffic"}, headers=EN).status_code == 302  # fmt: skip
    assert client.post(f"/legal/admin/topics/{made.id}/up", headers=EN).status_code == 302
    assert client.post(f"/legal/admin/topics/{made.id}/retire", headers=EN).status_code == 302
    session.expire_all()
    assert made.name_zh == "交通" and not made.is_active
    assert "交通" in page(client, "/legal/admin/topics")
    assert client.get("/legal/admin/topics/999999", headers=EN).status_code == 404


def test_advisers_cannot_open_the_page(session, client):
    tree = factories.tree(session)
    adviser = factories.user(session, Role.LEGAL_ADVISER, tree.community)
    session.commit()
    sign_in_staff(client, adviser)
    assert client.get("/legal/admin/topics", headers=EN).status_code == 403
    assert "/legal/admin/topics" not in page(client, "/staff")
