"""The coordinator's pool page over HTTP: the pool's balance and movements, relatives waiting
for confirmation (confirmed or refused from the page), the two CSV files for Excel, and who
may not see or do any of it."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.db import utcnow
from portal.i18n import SHANGHAI
from portal.notifications.models import SmsMessage
from portal.permissions import Role
from portal.volunteering import giving, timebank
from portal.volunteering.models import Evidence, RelativeState
from tests import factories
from tests.accounts.test_views import EN, page, sign_in_by_sms, sign_in_staff
from tests.volunteering.test_giving import bank, relative

RULES = timebank.TimeBankRules()


@pytest.fixture
def tree(session):
    return factories.tree(session)


@pytest.fixture
def volunteer(session, tree):
    made = factories.volunteer(
        session, tree.community, user=factories.user(session, phone="13800138000"), name="张三丰"
    )
    bank(session, made.user, 300, tree.community, rules=RULES, now=utcnow())
    return made


@pytest.fixture
def waiting(session, volunteer):
    made = relative(session, volunteer, state=RelativeState.DECLARED, name="李秀英")
    session.commit()
    return made


def staff_client(app, session, user):
    session.commit()
    browser = app.test_client()
    assert sign_in_staff(browser, user).status_code == 302
    return browser


@pytest.fixture
def coordinator(app, session, tree):
    return staff_client(app, session, factories.user(session, Role.COORDINATOR, tree.community))


def pool_url(tree) -> str:
    return f"/volunteering/desk/pool?community={tree.community.code}"


def test_the_pool_page_shows_the_balance_movements_and_who_waits(
    session, coordinator, tree, volunteer, waiting
):
    with coordinator.application.test_request_context():
        giving.donate_hours(session, volunteer.user, minutes=90, rules=RULES, now=utcnow())
    session.commit()
    body = page(coordinator, pool_url(tree))
    assert "1.5" in body and "Donated by 张*丰" in body
    assert "李秀英" in body and "The household register" in body
    assert page(coordinator, "/volunteering/desk/pool").count("Donated by 张*丰") == 1, (
        "their only community"
    )


def test_a_coordinator_confirms_a_relative_from_the_page(
    session, coordinator, tree, volunteer, waiting
):
    response = coordinator.post(
        f"/volunteering/desk/relatives/{waiting.id}/confirm",
        data={f"c{waiting.id}-evidence": "certificate"},
        headers=EN,
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(pool_url(tree))
    session.refresh(waiting)
    assert (waiting.state, waiting.evidence) == (RelativeState.CONFIRMED, Evidence.CERTIFICATE)
    assert session.scalars(
        select(SmsMessage.kind).where(SmsMessage.phone == "13800138000")
    ).all() == ["time_bank_relative_confirmed"]


def test_confirming_without_saying_what_was_seen_is_refused(session, coordinator, waiting):
    response = coordinator.post(
        f"/volunteering/desk/relatives/{waiting.id}/confirm", data={}, headers=EN
    )
    assert response.status_code == 400 and "Say which document you have seen." in response.get_data(
        as_text=True
    )
    session.refresh(waiting)
    assert waiting.state is RelativeState.DECLARED


def test_a_refusal_without_a_reason_is_refused_and_one_with_a_reason_is_texted(
    session, coordinator, waiting
):
    url = f"/volunteering/desk/relatives/{waiting.id}/refuse"
    response = coordinator.post(url, data={f"r{waiting.id}-reason": ""}, headers=EN)
    assert response.status_code == 400 and "Say why: the volunteer is told." in response.get_data(
        as_text=True
    )
    response = coordinator.post(url, data={f"r{waiting.id}-reason": "姓名与户口簿不符"}, headers=EN)
    assert response.status_code == 302
    session.refresh(waiting)
    assert (waiting.state, waiting.refuse_reason) == (RelativeState.REFUSED, "姓名与户口簿不符")
    assert session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "volunteering.relative_refuse")
    ).all()


def test_another_communitys_coordinator_may_not_confirm(app, session, tree, waiting):
    other = staff_client(
        app, session, factories.user(session, Role.COORDINATOR, tree.other_community)
    )
    response = other.post(
        f"/volunteering/desk/relatives/{waiting.id}/confirm",
        data={f"c{waiting.id}-evidence": "certificate"},
        headers=EN,
    )
    assert response.status_code == 403
    assert other.get(pool_url(tree), headers=EN).status_code == 403
    session.refresh(waiting)
    assert waiting.state is RelativeState.DECLARED


def test_a_resident_may_not_open_the_pool_page(client, sms, session, tree, volunteer):
    session.commit()
    sign_in_by_sms(client, sms, "13800138000")
    for url in (pool_url(tree), f"/volunteering/desk/pool.csv?community={tree.community.code}"):
        assert client.get(url, headers=EN).status_code == 403, url


def test_an_unknown_community_or_relative_is_not_found(coordinator):
    assert coordinator.get("/volunteering/desk/pool?community=NOPE", headers=EN).status_code == 404
    response = coordinator.post("/volunteering/desk/relatives/999999/confirm", headers=EN)
    assert response.status_code == 404


def read_csv(response) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode()), "a BOM, so that Excel reads the Chinese"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_the_pool_movements_as_a_file_for_excel(session, coordinator, tree, volunteer):
    with coordinator.application.test_request_context():
        giving.donate_hours(session, volunteer.user, minutes=60, rules=RULES, now=utcnow())
    session.commit()
    response = coordinator.get(
        f"/volunteering/desk/pool.csv?community={tree.community.code}", headers=EN
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    # Named by the day in Shanghai, as its rows are written (not the day in UTC).
    today = utcnow().astimezone(SHANGHAI).strftime("%Y%m%d")
    assert f"pool-{tree.community.code}-{today}-" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == ["When", "What", "Hours in or out", "Hours after"]
    assert rows[1][1:] == ["Donated by 张*丰", "1", "1"], "hours as the pages write them"
    assert session.scalars(
        select(AuditEvent.details).where(AuditEvent.action == "volunteering.export")
    ).all() == [{"what": "pool"}]


def test_the_volunteers_stored_hours_as_a_file_with_phones_masked(
    session, coordinator, tree, volunteer
):
    factories.volunteer(session, tree.community, name="王五")
    factories.volunteer(session, tree.other_community, name="别处的人")
    session.commit()
    response = coordinator.get(
        f"/volunteering/desk/pool/volunteers.csv?community={tree.community.code}", headers=EN
    )
    rows = read_csv(response)
    assert rows[0] == ["Name", "Mobile", "Hours stored"]
    named = {row[0]: row for row in rows[1:]}
    assert set(named) == {"张三丰", "王五"}
    assert named["张三丰"] == ["张三丰", "138****8000", "5"] and named["王五"][2] == "0"
    assert "13800138000" not in response.get_data(as_text=True)
    assert all("****" in row[1] for row in rows[1:])


@pytest.mark.parametrize(("minutes", "figure"), [(0, 0), (30, 0.5), (60, 1), (90000, 1500)])
def test_hours_in_files_are_numbers_as_the_pages_write_them(minutes, figure):
    assert timebank.hours_figure(minutes) == figure
    assert str(timebank.hours_figure(minutes)) == str(figure)
