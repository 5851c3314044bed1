"""Grid points over HTTP: the administrators' rules, the coordinators' desk, the public
notice and objections, and a resident's points page. Bad input is refused beside its field
with what was typed kept and nothing written; every action is refused to whoever may not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.db import utcnow
from portal.points import awards, notice
from portal.points.models import AwardState, PointsAward, PointsObjection, PointsRule
from tests import factories
from tests.accounts.test_views import EN, page, sign_in_by_sms, sign_in_staff
from tests.conftest import Client
from tests.outbox import Outbox
from tests.points.world import make_world, rule


@pytest.fixture
def world(session, app):
    with app.test_request_context(headers=EN):
        made = make_world(session)
    session.commit()
    return made


def another(app, session):
    """A browser of its own (the test's session re-reads rows after each of its requests)."""
    app.test_client_class = Client
    made = app.test_client()
    made.test_session = session
    return made


def as_staff(app, session, user):
    made = another(app, session)
    assert sign_in_staff(made, user).status_code == 302
    return made


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def reviewing(session, world) -> PointsAward:
    made = awards.award_points(
        session, world.coordinator, world.tree.community, rule_id=world.commendation.id,
        phone=world.resident.phone, reason="获评区级文明家庭", now=utcnow(),
    )  # fmt: skip
    session.commit()
    return made


def noticed(session, world) -> PointsAward:
    made = reviewing(session, world)
    awards.approve_award(session, world.secretary, made.id, notice_days=5, now=utcnow())
    session.commit()
    return made


# --- rules -----------------------------------------------------------------------------------


def test_an_administrator_adds_changes_and_retires_a_rule(app, session, world):
    admin = as_staff(app, session, world.admin)
    body = page(admin, "/points/admin/rules")
    assert "Community clean-up" in body and "District commendation" in body
    response = admin.post(
        "/points/admin/rules",
        data={
            "name_zh": "夜校听课",
            "name_en": "Evening class",
            "points": "5",
            "per_month": "8",
        },
        headers=EN,
    )
    assert response.status_code == 302
    made = session.scalars(select(PointsRule).where(PointsRule.name_zh == "夜校听课")).one()
    assert (made.points, made.per_month, made.needs_review) == (5, 8, False)
    response = admin.post(
        f"/points/admin/rules/{made.id}",
        data={
            "name_zh": "夜校听课",
            "name_en": "Evening class",
            "points": "6",
            "needs_review": "y",
            "per_month": "",
        },
        headers=EN,
    )
    assert response.status_code == 302
    assert (made.points, made.per_month, made.needs_review) == (6, None, True)
    assert admin.post(f"/points/admin/rules/{made.id}/retire", headers=EN).status_code == 302
    assert made.retired_at is not None
    assert "Retired rules" in page(admin, "/points/admin/rules")
    assert admin.post(f"/points/admin/rules/{made.id}/restore", headers=EN).status_code == 302
    assert made.retired_at is None


def test_a_bad_rule_is_refused_beside_its_field_keeping_what_was_typed(app, session, world):
    admin = as_staff(app, session, world.admin)
    before = count(session, PointsRule)
    response = admin.post(
        "/points/admin/rules",
        data={
            "name_zh": "区级表彰",
            "name_en": "District award",
            "points": "5000",
            "per_day": "3",
        },
        headers=EN,
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Points are a whole number from 1 to 1,000." in body
    assert 'value="5000"' in body and 'value="区级表彰"' in body and 'value="3"' in body
    assert count(session, PointsRule) == before


def test_only_the_districts_administrators_reach_the_rules(app, session, world):
    rule_url = f"/points/admin/rules/{world.cleanup.id}"
    for who in (world.coordinator, world.secretary, world.stranger):
        client = as_staff(app, session, who)
        assert client.get("/points/admin/rules", headers=EN).status_code == 403
        assert client.post("/points/admin/rules", data={"name_zh": "x", "name_en": "x",
                                                        "points": "5"}).status_code == 403  # fmt: skip
        assert client.get(rule_url, headers=EN).status_code == 403
        assert client.post(rule_url, data={"points": "50"}).status_code == 403
        assert client.post(f"{rule_url}/retire").status_code == 403
    assert world.cleanup.points == 5 and world.cleanup.retired_at is None
    anonymous = another(app, session)
    assert anonymous.get("/points/admin/rules").status_code == 302


# --- the desk --------------------------------------------------------------------------------


def test_a_coordinator_awards_a_deed_credited_at_once(app, session, world, sms):
    desk = as_staff(app, session, world.coordinator)
    body = page(desk, "/points/desk")
    assert "Community clean-up: 5 points" in body and 'inputmode="numeric"' in body
    response = desk.post(
        f"/points/desk/award?community={world.tree.community.code}",
        data={"rule": str(world.cleanup.id), "phone": "13800138000", "reason": "清理楼道"},
        headers=EN,
    )
    assert response.status_code == 302
    [made] = session.scalars(select(PointsAward)).all()
    assert made.state is AwardState.CREDITED and made.user_id == world.resident.id
    assert sms.recent("13800138000")[0].kind == "points_credited"


def test_a_sixth_clean_up_is_refused_with_the_limit_and_what_was_typed_is_kept(app, session, world):
    for _ in range(5):
        awards.award_points(session, world.secretary, world.tree.community,
                            rule_id=world.cleanup.id, phone=world.resident.phone,
                            reason="清洁", now=utcnow())  # fmt: skip
    session.commit()
    desk = as_staff(app, session, world.coordinator)
    response = desk.post(
        f"/points/desk/award?community={world.tree.community.code}",
        data={"rule": str(world.cleanup.id), "phone": "13800138000", "reason": "第六次清洁"},
        headers=EN,
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "is awarded at most 5 times a day to one person" in body
    assert 'value="13800138000"' in body and "第六次清洁" in body
    assert count(session, PointsAward) == 5


def test_a_bad_number_is_refused_beside_its_field_and_nothing_is_written(app, session, world):
    desk = as_staff(app, session, world.coordinator)
    response = desk.post(
        f"/points/desk/award?community={world.tree.community.code}",
        data={"rule": str(world.cleanup.id), "phone": "1380013", "reason": "清理楼道"},
        headers=EN,
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "Give a mainland mobile number of 11 digits." in body
    assert 'value="1380013"' in body and "清理楼道" in body
    assert f'<option selected value="{world.cleanup.id}">' in body
    assert count(session, PointsAward) == 0


def test_another_coordinator_approves_and_the_notice_shows_it_masked(app, session, world):
    made = reviewing(session, world)
    proposer = as_staff(app, session, world.coordinator)
    assert "获评区级文明家庭" in page(proposer, "/points/desk")
    assert proposer.post(f"/points/desk/awards/{made.id}/approve").status_code == 403
    secretary = as_staff(app, session, world.secretary)
    assert secretary.post(f"/points/desk/awards/{made.id}/approve").status_code == 302
    assert made.state is AwardState.NOTICE
    body = page(another(app, session), f"/points/notice/{world.tree.community.code}")
    assert "张*丰" in body and "District commendation" in body and "20" in body
    assert "张三丰" not in body and "13800138000" not in body
    assert another(app, session).get("/points/notice/NOSUCH").status_code == 404


def test_a_rejection_needs_a_reason_and_keeps_it(app, session, world):
    made = reviewing(session, world)
    secretary = as_staff(app, session, world.secretary)
    response = secretary.post(f"/points/desk/awards/{made.id}/reject", data={f"r{made.id}-reason": ""},
                              headers=EN)  # fmt: skip
    assert response.status_code == 400 and "Say why, in a few words." in response.get_data(True)
    assert made.state is AwardState.REVIEWING
    response = secretary.post(f"/points/desk/awards/{made.id}/reject",
                              data={f"r{made.id}-reason": "未见文件"}, headers=EN)  # fmt: skip
    assert response.status_code == 302
    assert (made.state, made.rejection) == (AwardState.REJECTED, "未见文件")


def test_a_coordinator_of_another_community_is_refused_every_action(app, session, world):
    made = reviewing(session, world)
    shown = noticed(session, world)
    objection = notice.lodge_objection(session, world.resident, shown.id, reason="不对",
                                       now=utcnow())  # fmt: skip
    session.commit()
    code = world.tree.community.code
    for who in (world.stranger, world.admin):
        client = as_staff(app, session, who)
        assert client.get(f"/points/desk?community={code}").status_code == 403
        assert client.post(f"/points/desk/award?community={code}", data={
            "rule": str(world.cleanup.id), "phone": "13800138000", "reason": "x"}).status_code == 403  # fmt: skip
        assert client.post(f"/points/desk/awards/{made.id}/approve").status_code == 403
        assert client.post(f"/points/desk/awards/{made.id}/reject",
                           data={f"r{made.id}-reason": "x"}).status_code == 403  # fmt: skip
        for verb in ("uphold", "dismiss"):
            assert client.post(f"/points/desk/objections/{objection.id}/{verb}",
                               data={f"d{objection.id}-decision": "x"}).status_code == 403  # fmt: skip
    resident = another(app, session)
    sign_in_by_sms(resident, Outbox(session), world.resident.phone)
    assert resident.get("/points/desk").status_code == 403
    assert made.state is AwardState.REVIEWING and shown.state is AwardState.NOTICE
    assert objection.decided_at is None and count(session, PointsAward) == 2


# --- objections and the resident's page -----------------------------------------------------


def test_a_neighbour_objects_and_a_coordinator_upholds_it(app, session, world, sms):
    shown = noticed(session, world)
    anonymous = another(app, session)
    assert anonymous.get(f"/points/awards/{shown.id}/object").status_code == 302
    neighbour = another(app, session)
    sign_in_by_sms(neighbour, sms, "13911112222")
    form = page(neighbour, f"/points/awards/{shown.id}/object")
    assert "张*丰" in form and "张三丰" not in form
    response = neighbour.post(f"/points/awards/{shown.id}/object", data={"reason": " "}, headers=EN)
    assert response.status_code == 400 and "Say why, in a few words." in response.get_data(True)
    assert count(session, PointsObjection) == 0
    response = neighbour.post(f"/points/awards/{shown.id}/object", data={"reason": "并未获评"},
                              headers=EN)  # fmt: skip
    assert response.status_code == 302
    [objection] = session.scalars(select(PointsObjection)).all()
    desk = as_staff(app, session, world.coordinator)
    assert "并未获评" in page(desk, "/points/desk")
    url = f"/points/desk/objections/{objection.id}/uphold"
    response = desk.post(url, data={f"d{objection.id}-decision": ""}, headers=EN)
    assert response.status_code == 400 and objection.decided_at is None
    assert desk.post(url, data={f"d{objection.id}-decision": "核实有误"}).status_code == 302
    assert (shown.state, shown.rejection, objection.upheld) == ("rejected", "核实有误", True)
    assert another(app, session).get(f"/points/awards/{shown.id}/object").status_code == 302
    assert neighbour.get(f"/points/awards/{shown.id}/object").status_code == 404


def test_a_resident_sees_their_points_history_in_pages_and_what_is_pending(
    app, session, world, sms
):
    free = rule(session, world.admin, world.tree.district, name_zh="帮扶邻里",
                name_en="Helping a neighbour", points=2)  # fmt: skip
    start = utcnow() - timedelta(days=30)
    for index in range(23):
        awards.award_points(session, world.coordinator, world.tree.community, rule_id=free.id,
                            phone=world.resident.phone, reason="帮忙",
                            now=start + timedelta(minutes=index))  # fmt: skip
    session.commit()
    noticed(session, world)
    resident = another(app, session)
    sign_in_by_sms(resident, sms, world.resident.phone)
    body = page(resident, "/points/")
    assert "46" in body and body.count("Awarded: Helping a neighbour") == 20
    assert "Older movements" in body and "On public notice until" in body
    older = body.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    second = page(resident, older)
    assert second.count("Awarded: Helping a neighbour") == 3 and "Older movements" not in second
    assert "My grid points" in page(resident, "/")


def test_the_door_page_leads_to_the_communitys_public_notice(app, session, world):
    body = page(another(app, session), f"/b/{world.tree.building.public_code}")
    assert f"/points/notice/{world.tree.community.code}" in body


def test_a_volunteer_sees_their_points_on_their_volunteering_page(app, session, world, sms):
    factories.volunteer(session, world.tree.community, user=world.resident, name="张三丰")
    awards.award_points(session, world.coordinator, world.tree.community,
                        rule_id=world.cleanup.id, phone=world.resident.phone, reason="清洁",
                        now=utcnow())  # fmt: skip
    session.commit()
    resident = another(app, session)
    sign_in_by_sms(resident, sms, world.resident.phone)
    body = page(resident, "/volunteering/")
    assert "Your grid points" in body and "You hold 5 points." in body


def test_a_districts_own_notice_days_are_kept(app, session, world, monkeypatch):
    district = world.tree.district.code
    monkeypatch.setitem(app.config, "POINTS_NOTICE_DAYS_BY_DISTRICT", {district: 7})
    made = reviewing(session, world)
    secretary = as_staff(app, session, world.secretary)
    assert secretary.post(f"/points/desk/awards/{made.id}/approve").status_code == 302
    assert made.notice_ends_at - made.reviewed_at == timedelta(days=7)
