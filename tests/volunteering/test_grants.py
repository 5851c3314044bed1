"""The district grants hours to a community's pool, so that priority elderly residents can be
helped before anyone has donated: by an administrator of the district only, with a reason."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.errors import Forbidden, Invalid
from portal.ledger import services as ledger
from portal.permissions import Role
from portal.volunteering import grants, timebank
from tests import factories
from tests.accounts.test_views import EN, sign_in_staff

NOW = datetime(2026, 12, 4, 8, tzinfo=UTC)


@pytest.fixture
def tree(session):
    return factories.tree(session)


@pytest.fixture
def admin(session, tree):
    return factories.user(session, Role.ADMIN, tree.district, name="区管理员")


def test_a_district_administrator_grants_hours_to_a_pool(session, tree, admin):
    transfer = grants.grant_to_pool(
        session, admin, tree.community, minutes=600, reason="2026年度为老服务补贴", now=NOW
    )
    pool = timebank.pool_account(session, tree.community, now=NOW)
    issuer = timebank.issuer_account(session, tree.community, now=NOW)
    assert (ledger.balance(session, pool), ledger.balance(session, issuer)) == (600, -600)
    assert transfer.kind == timebank.GRANTED and transfer.memo == "2026年度为老服务补贴"
    [event] = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "volunteering.pool_granted")
    ).all()
    assert event.actor_id == admin.id and event.details["minutes"] == 600


@pytest.mark.parametrize(
    ("minutes", "reason", "field"),
    [(0, "补贴", "hours"), (45, "补贴", "hours"), (-60, "补贴", "hours"), (1.5, "补贴", "hours"),
     (60, "  ", "reason"), (60, "长" * 201, "reason")],
)  # fmt: skip
def test_bad_amounts_and_a_missing_reason_are_refused(session, tree, admin, minutes, reason, field):
    with pytest.raises(Invalid) as refused:
        grants.grant_to_pool(
            session, admin, tree.community, minutes=minutes, reason=reason, now=NOW
        )
    assert refused.value.details["field"] == field
    assert ledger.recompute(session) == {} or all(
        v == 0 for v in ledger.recompute(session).values()
    )


def test_only_an_administrator_of_the_district_grants(session, tree):
    coordinator = factories.user(session, Role.COORDINATOR, tree.community)
    elsewhere = factories.place(session, None, "别的区")
    stranger_admin = factories.user(session, Role.ADMIN, elsewhere)
    for actor in (coordinator, stranger_admin):
        with pytest.raises(Forbidden):
            grants.grant_to_pool(session, actor, tree.community, minutes=60, reason="补贴", now=NOW)


def test_the_administrator_s_page_shows_the_pools_and_keeps_a_refused_grant(
    app, session, tree, admin
):
    session.commit()
    browser = app.test_client()
    assert sign_in_staff(browser, admin).status_code == 302
    assert browser.get("/volunteering/admin/pools", headers=EN).status_code == 200
    refused = browser.post(
        "/volunteering/admin/pools",
        data={"community": tree.community.code, "hours": "1.25", "reason": "年度补贴"},
        headers=EN,
    )
    assert (
        refused.status_code == 400 and 'value="1.25"' in refused.text and "年度补贴" in refused.text
    )
    done = browser.post(
        "/volunteering/admin/pools",
        data={"community": tree.community.code, "hours": "10", "reason": "年度补贴"},
        headers=EN,
    )
    assert done.status_code == 302
    page = browser.get("/volunteering/admin/pools", headers=EN).text
    assert "10" in page


def test_a_coordinator_may_not_open_the_grants_page(app, session, tree):
    coordinator = factories.user(session, Role.COORDINATOR, tree.community)
    session.commit()
    browser = app.test_client()
    assert sign_in_staff(browser, coordinator).status_code == 302
    assert browser.get("/volunteering/admin/pools", headers=EN).status_code == 403
