"""The blocklist by place: a number is blocked where its keeper works, holds reports only
there, and is removed only by staff of that place or of an area around it, each step in the
audit log (issue 18, item 7)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.appeals import services
from portal.appeals.models import AppealState, BlockedPhone
from portal.audit.models import AuditEvent, Outcome
from portal.catalogue.services import seed_catalogue
from portal.db import db, utcnow
from portal.errors import Forbidden
from portal.permissions import Role
from tests import factories
from tests.accounts.test_concurrency import app as fresh  # noqa: F401 (a fixture)
from tests.accounts.test_concurrency import outcomes, together
from tests.accounts.test_views import EN, sign_in_staff
from tests.appeals.conftest import RESIDENT, file_appeal


def _audit(session, action: str) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


@pytest.mark.usefixtures("app_context")
def test_a_number_is_blocked_for_the_keepers_place_and_holds_reports_only_there(
    session, tree, staff, now
):
    [entry] = services.block(session, staff.secretary, RESIDENT, "反复恶意举报", now=now)
    assert entry.place == tree.community and entry.blocked_by == staff.secretary
    [added] = _audit(session, "appeals.block_phone")
    assert added.details["place_id"] == tree.community.id
    assert added.target_type == "blocked_phones" and added.target_id == str(entry.id)

    assert file_appeal(session, tree.building, now).state == AppealState.HIDDEN
    # The other community's building, whose secretary did not block the number.
    assert file_appeal(session, tree.other_building, now).state == AppealState.RECEIVED


@pytest.mark.usefixtures("app_context")
def test_only_staff_of_the_entrys_place_or_around_it_remove_it(session, tree, staff, now):
    [entry] = services.block(session, staff.secretary, RESIDENT, "骚扰", now=now)
    assert services.blocklist(session, staff.other_secretary) == []
    with pytest.raises(Forbidden):
        services.unblock(session, staff.other_secretary, entry.id, now=now)
    assert session.get(BlockedPhone, entry.id) is not None

    # The street's officer keeps the blocklist of every community of the street.
    assert services.blocklist(session, staff.officer) == [entry]
    assert services.keeps_entry(staff.officer, entry)
    services.unblock(session, staff.officer, entry.id, now=now)
    assert session.get(BlockedPhone, entry.id) is None
    [removed] = _audit(session, "appeals.unblock_phone")
    assert removed.actor_id == staff.officer.id and removed.details["phone"] == "137****5678"


@pytest.mark.usefixtures("app_context")
def test_an_entry_for_a_wider_area_is_seen_but_not_removed_by_a_community(
    session, tree, staff, now
):
    [district_wide] = services.block(session, staff.district_officer, RESIDENT, "诈骗", now=now)
    assert district_wide.place == tree.district
    assert services.blocklist(session, staff.secretary) == [district_wide]
    assert not services.keeps_entry(staff.secretary, district_wide)
    with pytest.raises(Forbidden):
        services.unblock(session, staff.secretary, district_wide.id, now=now)
    # It holds reports across the district: the other community's too.
    assert file_appeal(session, tree.other_building, now).state == AppealState.HIDDEN


@pytest.mark.usefixtures("app_context")
def test_a_keeper_of_two_places_blocks_in_each_and_setting_aside_blocks_where_the_report_is(
    session, tree, staff, now
):
    both = factories.user(session, Role.SECRETARY, tree.community, name="两个社区的书记")
    both.grants.append(type(both.grants[0])(role=Role.SECRETARY, place=tree.other_community))
    session.flush()
    entries = services.block(session, both, RESIDENT, "骚扰", now=now)
    assert {entry.place for entry in entries} == {tree.community, tree.other_community}

    neighbour = "13698765432"
    appeal = file_appeal(session, tree.other_building, now, phone=neighbour)
    services.hide(session, both, appeal, "广告", now=now, block_phone=True)
    blocked = session.scalars(select(BlockedPhone).where(BlockedPhone.phone == neighbour)).all()
    assert [entry.place for entry in blocked] == [tree.other_community]


def test_another_communitys_secretary_is_refused_over_http_and_it_is_logged(
    client, session, tree, staff, now, app_context
):
    [entry] = services.block(session, staff.secretary, RESIDENT, "骚扰", now=now)
    session.commit()
    entry_id = entry.id
    sign_in_staff(client, staff.other_secretary)
    page = client.get("/staff/blocked-phones", headers=EN).get_data(as_text=True)
    assert "137****5678" not in page
    refused = client.post(f"/staff/blocked-phones/{entry_id}/remove", headers=EN)
    assert refused.status_code == 403
    session.expire_all()
    assert session.get(BlockedPhone, entry_id) is not None
    [denied] = _audit(session, "access.denied")
    assert denied.outcome == Outcome.DENIED and denied.actor_id == staff.other_secretary.id
    assert denied.details["blocked_phone"] == entry_id

    sign_in_staff(client, staff.secretary)
    page = client.get("/staff/blocked-phones", headers=EN).get_data(as_text=True)
    assert "137****5678" in page and "Remove 137****5678 from the list" in page
    assert client.post(f"/staff/blocked-phones/{entry_id}/remove").status_code == 302
    session.expire_all()
    assert session.get(BlockedPhone, entry_id) is None


def test_a_wider_areas_entry_shows_without_its_remove_button(
    client, session, tree, staff, now, app_context
):
    services.block(session, staff.district_officer, RESIDENT, "诈骗", now=now)
    session.commit()
    sign_in_staff(client, staff.secretary)
    page = client.get("/staff/blocked-phones", headers=EN).get_data(as_text=True)
    assert "137****5678" in page and "Remove 137****5678" not in page
    assert "its staff can remove it" in page


def test_two_secretaries_blocking_a_number_at_once_add_one_entry(fresh):  # noqa: F811
    with fresh.test_request_context():
        tree = factories.tree(db.session)
        seed_catalogue(db.session)
        ids = [
            factories.user(db.session, Role.SECRETARY, tree.community, name=name).id
            for name in ("陈书记", "李副书记")
        ]
        db.session.commit()

    def block(index: int) -> None:
        secretary = db.session.get(User, ids[index])
        services.block(db.session, secretary, RESIDENT, "骚扰", now=utcnow())

    assert outcomes(together(fresh, 2, block))["ok"] == 2
    with fresh.app_context():
        [entry] = db.session.scalars(select(BlockedPhone)).all()
        assert entry.place_id == tree.community.id
