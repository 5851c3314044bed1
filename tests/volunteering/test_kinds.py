"""The kinds of volunteer service, kept by the portal's administrators: added, renamed in both
languages, put in order, retired (no longer offered to residents) and brought back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.errors import Forbidden, Invalid
from portal.permissions import Role
from portal.volunteering import kinds as service
from portal.volunteering import volunteers
from portal.volunteering.models import ServiceKind
from tests import factories
from tests.accounts.test_views import EN, page, sign_in_by_sms, sign_in_staff

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
SEEDED = ["meals", "cleaning", "company", "medical", "culture", "patrol", "environment", "other"]


@pytest.fixture
def admin(session):
    made = factories.user(session, Role.ADMIN, None, name="管理员")
    session.commit()
    return made


def codes(session) -> list[str]:
    return [kind.code for kind in volunteers.service_kinds(session)]


def by_code(session, code: str) -> ServiceKind:
    return session.scalars(select(ServiceKind).where(ServiceKind.code == code)).one()


def test_the_eight_kinds_are_seeded_in_order(session):
    assert codes(session) == SEEDED


def test_an_administrator_adds_renames_moves_retires_and_restores(session, app_context, admin):
    made = service.add_kind(session, admin, code=" Night-Patrol ", name_zh="夜间巡查",
                            name_en="Night patrol", now=NOW)  # fmt: skip
    assert made.code == "night-patrol" and codes(session)[-1] == "night-patrol"
    service.rename_kind(session, admin, made, name_zh="夜巡", name_en="Night walk", now=NOW)
    assert (made.name_zh, made.name_en) == ("夜巡", "Night walk")
    service.move_kind(session, admin, made, -1, now=NOW)
    assert codes(session)[-2:] == ["night-patrol", "other"]
    service.move_kind(session, admin, by_code(session, "meals"), -1, now=NOW)
    assert codes(session)[0] == "meals", "the first stays first"
    service.retire_kind(session, admin, made, retired=True, now=NOW)
    assert "night-patrol" not in codes(session)
    service.retire_kind(session, admin, made, retired=False, now=NOW)
    assert "night-patrol" in codes(session)
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("volunteering.%kind"))
    ).all()
    assert sorted(actions) == sorted([
        "volunteering.add_kind", "volunteering.rename_kind", "volunteering.move_kind",
        "volunteering.retire_kind", "volunteering.restore_kind",
    ])  # fmt: skip


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"code": "meals"}, "code"),
        ({"code": "1abc"}, "code"),
        ({"code": "x"}, "code"),
        ({"code": "助餐"}, "code"),
        ({"name_zh": " "}, "name_zh"),
        ({"name_en": ""}, "name_en"),
        ({"name_zh": "长" * 21}, "name_zh"),
    ],
)
def test_bad_kinds_are_refused_on_their_field(session, app_context, admin, given, field):
    values = {"code": "repairs", "name_zh": "维修", "name_en": "Repairs"} | given
    with pytest.raises(Invalid) as caught:
        service.add_kind(session, admin, now=NOW, **values)
    assert caught.value.details["field"] == field
    assert codes(session) == SEEDED


def test_the_last_kind_offered_cannot_be_retired(session, app_context, admin):
    for code in SEEDED[1:]:
        service.retire_kind(session, admin, by_code(session, code), retired=True, now=NOW)
    with pytest.raises(Invalid, match="at least one"):
        service.retire_kind(session, admin, by_code(session, "meals"), retired=True, now=NOW)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.SECRETARY, Role.ADMIN])
def test_only_the_portal_s_administrators_keep_the_kinds(session, app_context, role):
    tree = factories.tree(session)
    place = None if role != Role.ADMIN else tree.district  # a district's administrator
    actor = factories.user(session, role, place or tree.community)
    with pytest.raises(Forbidden):
        service.add_kind(session, actor, code="repairs", name_zh="维修", name_en="Repairs", now=NOW)
    with pytest.raises(Forbidden):
        service.retire_kind(session, actor, by_code(session, "meals"), retired=True, now=NOW)


def test_the_kinds_page_over_http(session, client, admin):
    sign_in_staff(client, admin)
    assert "/volunteering/admin/kinds" in page(client, "/staff")
    body = page(client, "/volunteering/admin/kinds")
    assert "助餐" in body and "Add a kind of service" in body
    refused = client.post("/volunteering/admin/kinds",
                          data={"code": "meals", "name_zh": "助餐二", "name_en": "Meals"}, headers=EN)  # fmt: skip
    assert refused.status_code == 400 and "This code is taken" in refused.get_data(as_text=True)
    assert 'value="助餐二"' in refused.get_data(as_text=True)
    added = client.post("/volunteering/admin/kinds",
                        data={"code": "repairs", "name_zh": "维修", "name_en": "Repairs"}, headers=EN)  # fmt: skip
    assert added.status_code == 302
    repairs = by_code(session, "repairs")
    assert client.post(f"/volunteering/admin/kinds/{repairs.id}",
                       data={"name_zh": "小修", "name_en": "Small repairs"}, headers=EN).status_code == 302  # fmt: skip
    assert client.post(f"/volunteering/admin/kinds/{repairs.id}/up", headers=EN).status_code == 302
    assert (
        client.post(f"/volunteering/admin/kinds/{repairs.id}/retire", headers=EN).status_code == 302
    )
    session.expire_all()
    assert repairs.name_zh == "小修" and repairs.retired_at is not None
    assert "小修" in page(client, "/volunteering/admin/kinds")


def test_a_retired_kind_is_not_offered_to_residents(session, client, sms, admin, app_context):
    service.retire_kind(session, admin, by_code(session, "patrol"), retired=True, now=NOW)
    session.commit()
    factories.tree(session)
    session.commit()
    sign_in_by_sms(client, sms, "13800138000")
    body = page(client, "/volunteering/apply")
    assert 'value="meals"' in body and 'value="patrol"' not in body


def test_residents_and_coordinators_cannot_open_the_page(session, client, sms):
    tree = factories.tree(session)
    coordinator = factories.user(session, Role.COORDINATOR, tree.community)
    session.commit()
    sign_in_staff(client, coordinator)
    assert client.get("/volunteering/admin/kinds", headers=EN).status_code == 403
    assert "/volunteering/admin/kinds" not in page(client, "/staff")
