"""Help for the elderly over HTTP: an older resident asks for help and cancels it; a
coordinator registers older residents, marks priority, asks on their behalf, matches a
volunteer and confirms the help, paying it; what residents and other communities'
coordinators may not do; and what was typed kept when something is refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.db import utcnow
from portal.ledger import services as ledger
from portal.ledger.models import LedgerAccount, Unit
from portal.permissions import SYSTEM, Role
from portal.volunteering import timebank
from portal.volunteering.help_forms import SHANGHAI
from portal.volunteering.models import Elder, HelpRequest, HelpState
from tests import factories
from tests.accounts.test_views import EN, page, sign_in_by_sms, sign_in_staff

PHONE = "13800138000"
ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def tree(session):
    return factories.tree(session)


@pytest.fixture
def coordinator(session, tree):
    return factories.user(session, Role.COORDINATOR, tree.community, name="协调员")


@pytest.fixture
def elder(session, tree):
    made = factories.elder(
        session, tree.community, user=factories.user(session, phone=PHONE), name="王秀英",
        born=date(1950, 1, 1),
    )  # fmt: skip
    session.commit()
    return made


@pytest.fixture
def volunteer(session, tree):
    made = factories.volunteer(session, tree.community, name="李志愿")
    session.commit()
    return made


@pytest.fixture
def resident(client, sms, elder):
    sign_in_by_sms(client, sms, PHONE)
    return client


@pytest.fixture
def staff(app, session, coordinator):
    session.commit()
    browser = app.test_client()
    assert sign_in_staff(browser, coordinator).status_code == 302
    return browser


def bank(session, user, minutes, community):
    now = utcnow()
    rules = timebank.TimeBankRules()
    own = timebank.person_account(session, user, rules, now=now)
    issuer = timebank.issuer_account(session, community, now=now)
    ledger.post(session, SYSTEM, unit=Unit.MINUTES, kind=timebank.BANKED,
                legs=[(issuer, -minutes), (own, minutes)], now=now)  # fmt: skip
    session.commit()
    return own


def bank_pool(session, elder, minutes):
    """Make `elder` a priority resident and give their community's pool `minutes`: a
    coordinator asking on someone's behalf asks the pool to pay."""
    elder.priority, elder.priority_reason = True, "独居高龄"
    now = utcnow()
    pool = timebank.pool_account(session, elder.community, now=now)
    issuer = timebank.issuer_account(session, elder.community, now=now)
    ledger.post(session, SYSTEM, unit=Unit.MINUTES, kind=timebank.BANKED,
                legs=[(issuer, -minutes), (pool, minutes)], now=now)  # fmt: skip
    session.commit()
    return pool


def help_form(**changes) -> dict:
    day = (utcnow() + timedelta(days=2)).astimezone(SHANGHAI).date()
    return {
        "service_kind": "company",
        "day": day.isoformat(),
        "starts_at": "14:00",
        "minutes": "120",
        "location": "幸福里12栋1203室",
        "note": "陪我去医院复查",
        "payer": "own",
    } | changes


def only_request(session) -> HelpRequest:
    session.expire_all()
    return session.scalars(select(HelpRequest)).one()


# --- older residents -------------------------------------------------------------------------


def test_an_elder_asks_for_help_sees_it_and_cancels_it(session, tree, resident, elder):
    bank(session, elder.user, 180, tree.community)
    form = page(resident, "/volunteering/help/ask")
    assert 'type="date"' in form
    assert '<input checked id="payer-0" name="payer" type="radio" value="own">' in form
    assert 'value="pool"' not in form, "the pool is offered to priority elderly only"
    response = resident.post("/volunteering/help/ask", data=help_form(), headers=EN)
    assert response.status_code == 302
    assert response.headers["Location"] == "/volunteering/help/mine"
    made = only_request(session)
    assert (made.state, made.minutes, made.asked_by_id) == (HelpState.ASKED, 120, elder.user_id)
    assert made.starts_at.astimezone(SHANGHAI).strftime("%H:%M") == "14:00"
    mine = page(resident, "/volunteering/help/mine")
    assert "Waiting for a volunteer" in mine and "2 hours" in mine
    response = resident.post(f"/volunteering/help/{made.id}/cancel", headers=EN)
    assert response.status_code == 302
    assert "Your request is cancelled." in page(resident, "/volunteering/help/mine")
    assert only_request(session).state is HelpState.CANCELLED


def test_the_form_says_how_many_hours_the_elder_holds_and_writes_nothing(
    session, tree, resident, elder
):
    accounts = select(func.count()).select_from(LedgerAccount)
    before = session.scalar(accounts)
    form = page(resident, "/volunteering/help/ask")
    assert "王秀英 has no stored hours free to spend" in form and 'name="payer"' not in form
    session.expire_all()
    assert session.scalar(accounts) == before, "opening the form makes no account"
    bank(session, elder.user, 150, tree.community)
    assert "My own stored hours (you hold 2.5 hours)" in page(resident, "/volunteering/help/ask")
    chinese = resident.get("/volunteering/help/ask", headers=ZH).get_data(as_text=True)
    assert "现有2.5小时" in chinese


def test_a_refusal_keeps_everything_typed(session, tree, resident, elder):
    bank(session, elder.user, 60, tree.community)
    response = resident.post("/volunteering/help/ask", data=help_form(), headers=EN)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "do not cover 2 hours of help" in body
    assert 'value="幸福里12栋1203室"' in body and "陪我去医院复查" in body
    assert 'value="14:00"' in body and '<option selected value="120">' in body
    assert session.scalars(select(HelpRequest)).all() == []


def test_bad_days_times_and_payers_are_said_on_their_fields(session, tree, resident, elder):
    bank(session, elder.user, 600, tree.community)
    for changes, message in (
        ({"day": "2026-02-30"}, "Give the day, such as 2026-12-08."),
        ({"starts_at": "25:99"}, "Give a time such as 09:00."),
        ({"minutes": "abc"}, "Choose how long."),
        ({"minutes": "45"}, "Give the time in half hours"),
        ({"payer": "pool"}, "pays only for priority elderly"),
        ({"day": "2020-01-01"}, "Choose a time still to come."),
    ):
        response = resident.post("/volunteering/help/ask", data=help_form(**changes), headers=EN)
        assert response.status_code == 400, changes
        body = response.get_data(as_text=True)
        assert message in body and 'value="幸福里12栋1203室"' in body, changes
    assert session.scalars(select(HelpRequest)).all() == []


def test_a_resident_not_registered_is_told_to_ask_their_community(client, sms, session):
    factories.user(session, phone="13900000001")
    session.commit()
    sign_in_by_sms(client, sms, "13900000001")
    assert "registered with their community" in page(client, "/volunteering/help/ask")
    mine = page(client, "/volunteering/help/mine")
    assert "registered with their community" in mine and "Help I am asked to give" not in mine
    response = client.post("/volunteering/help/ask", data=help_form(), headers=EN)
    assert response.status_code == 200
    assert session.scalars(select(HelpRequest)).all() == []


def test_residents_may_not_open_the_coordinators_pages(session, resident, elder):
    for url in ("/volunteering/desk/help", "/volunteering/desk/elders",
                f"/volunteering/desk/elders/{elder.id}"):  # fmt: skip
        assert resident.get(url, headers=EN).status_code == 403, url
    response = resident.post(
        f"/volunteering/desk/elders/{elder.id}/priority", data={"reason": "我自己"}, headers=EN
    )
    assert response.status_code == 403
    session.expire_all()
    assert not session.get(Elder, elder.id).priority


# --- coordinators ----------------------------------------------------------------------------


def elder_form(tree, **changes) -> dict:
    return {
        "community": str(tree.community.id),
        "real_name": "张桂兰",
        "phone": "139 1234 5678",
        "birth_date": "1943-06-01",
        "lives_alone": "y",
        "low_income": "y",
        "id_card_seen": "y",
    } | changes


def test_a_coordinator_registers_an_elder_and_marks_priority(session, tree, staff):
    form = page(staff, "/volunteering/desk/elders/new")
    assert 'inputmode="numeric"' in form
    response = staff.post("/volunteering/desk/elders/new", data=elder_form(tree), headers=EN)
    assert response.status_code == 302
    made = session.scalars(select(Elder)).one()
    assert made.user.phone == "13912345678" and made.lives_alone and made.low_income
    body = page(staff, f"/volunteering/desk/elders/{made.id}")
    assert 'href="tel:13912345678">139 1234 5678</a>' in body, "the coordinator calls them"
    assert "The rules suggest priority" in body
    response = staff.post(
        f"/volunteering/desk/elders/{made.id}/priority", data={"reason": " "}, headers=EN
    )
    assert response.status_code == 400 and "Say why" in response.get_data(as_text=True)
    response = staff.post(
        f"/volunteering/desk/elders/{made.id}/priority", data={"reason": "83岁独居"}, headers=EN
    )
    assert response.status_code == 302
    session.expire_all()
    assert made.priority and made.priority_reason == "83岁独居"
    listed = page(staff, "/volunteering/desk/elders")
    assert "张桂兰" in listed and "139****5678" in listed and "Priority" in listed


def test_registering_without_seeing_the_id_card_keeps_what_was_typed(session, tree, staff):
    response = staff.post(
        "/volunteering/desk/elders/new",
        data=elder_form(tree, id_card_seen="", birth_date="1943-13-40"),
        headers=EN,
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Give the date of birth" in body and 'value="张桂兰"' in body
    response = staff.post(
        "/volunteering/desk/elders/new", data=elder_form(tree, id_card_seen=""), headers=EN
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "after seeing their ID card" in body
    assert 'value="139 1234 5678"' in body or 'value="13912345678"' in body
    assert session.scalars(select(Elder)).all() == []


def test_a_coordinator_asks_matches_and_confirms_and_the_hours_are_paid(
    session, tree, staff, elder, volunteer, sms
):
    own = bank_pool(session, elder, 180)
    response = staff.post(
        f"/volunteering/desk/elders/{elder.id}/ask",
        data=help_form(minutes="180", payer="own"),
        headers=EN,
    )
    assert response.status_code == 400, "only the resident spends their own hours"
    response = staff.post(
        f"/volunteering/desk/elders/{elder.id}/ask",
        data=help_form(minutes="90", payer="pool"),
        headers=EN,
    )
    assert response.status_code == 302
    made = only_request(session)
    url = f"/volunteering/desk/help/{made.id}"
    assert response.headers["Location"] == url
    body = page(staff, url)
    assert "李志愿" in body and volunteer.user.phone not in body
    assert "王秀英" in page(staff, "/volunteering/desk/help")
    response = staff.post(f"{url}/match", data={"volunteer": "abc"}, headers=EN)
    assert response.status_code == 400
    assert "Choose an approved volunteer" in response.get_data(as_text=True)
    response = staff.post(f"{url}/match", data={"volunteer": str(volunteer.id)}, headers=EN)
    assert response.status_code == 302
    assert sms.recent(volunteer.user.phone)[0].kind == "time_bank_help_matched"
    coming = sms.recent(elder.user.phone)[0]
    assert coming.kind == "time_bank_help_volunteer_coming" and "李志愿" in coming.body
    # The help is in the past now: two days on, the coordinator confirms it.
    session.execute(
        HelpRequest.__table__.update()
        .where(HelpRequest.id == made.id)
        .values(starts_at=utcnow() - timedelta(hours=2))
    )
    session.commit()
    response = staff.post(f"{url}/done", data={"minutes": "240"}, headers=EN)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "at most the 1.5 hours asked for" in body and '<option selected value="240">' in body
    response = staff.post(f"{url}/done", data={"minutes": "90"}, headers=EN)
    assert response.status_code == 302
    session.expire_all()
    assert ledger.balance(session, own) == 90
    assert only_request(session).state is HelpState.DONE
    assert "1.5 hours" in page(staff, url)
    response = staff.post(f"{url}/done", data={"minutes": "90"}, headers=EN)
    assert response.status_code == 400
    session.expire_all()
    assert ledger.balance(session, own) == 90
    volunteer_page = page(staff, "/volunteering/desk/help?state=done")
    assert "王秀英" in volunteer_page
    # In Chinese the help is "completed", not "succeeded".
    done_zh = staff.get(url, headers=ZH).get_data(as_text=True)
    assert "<strong>已完成</strong>" in done_zh and "成功" not in done_zh


def test_a_coordinator_cancels_with_a_reason_and_both_are_texted(
    session, tree, staff, elder, volunteer, sms
):
    bank_pool(session, elder, 180)
    staff.post(f"/volunteering/desk/elders/{elder.id}/ask", data=help_form(payer="pool"),
               headers=EN)  # fmt: skip
    made = only_request(session)
    url = f"/volunteering/desk/help/{made.id}"
    staff.post(f"{url}/match", data={"volunteer": str(volunteer.id)}, headers=EN)
    response = staff.post(f"{url}/cancel", data={"reason": ""}, headers=EN)
    assert response.status_code == 400 and "Say why" in response.get_data(as_text=True)
    response = staff.post(f"{url}/cancel", data={"reason": "志愿者生病"}, headers=EN)
    assert response.status_code == 302
    assert sms.recent(PHONE)[0].kind == "time_bank_help_cancelled"
    assert sms.recent(volunteer.user.phone)[0].kind == "time_bank_help_cancelled"


def test_the_volunteer_sees_the_help_they_are_asked_to_give(
    app, session, tree, staff, elder, volunteer, sms
):
    bank_pool(session, elder, 180)
    staff.post(f"/volunteering/desk/elders/{elder.id}/ask", data=help_form(payer="pool"),
               headers=EN)  # fmt: skip
    made = only_request(session)
    staff.post(f"/volunteering/desk/help/{made.id}/match",
               data={"volunteer": str(volunteer.id)}, headers=EN)  # fmt: skip
    browser = app.test_client()
    sign_in_by_sms(browser, sms, volunteer.user.phone)
    body = page(browser, "/volunteering/help/mine")
    assert "Help I am asked to give" in body and "王秀英" in body and "幸福里12栋1203室" in body


def test_whole_phones_go_to_those_who_call_and_masked_ones_to_everyone_else(
    app, session, tree, staff, resident, elder, volunteer, sms
):
    tree.community.phone = "0755-2345 6789"
    factories.help_request(session, elder, starts_at=utcnow() + timedelta(days=1))
    made = only_request(session)
    made.volunteer, made.state = volunteer, HelpState.MATCHED
    neighbour = factories.user(session, name="邻居")
    session.commit()
    helper_phone = volunteer.user.phone
    # The coordinator calls both, from the request and from the older resident's page.
    desk = page(staff, f"/volunteering/desk/help/{made.id}")
    assert f'href="tel:{PHONE}"' in desk and f'href="tel:{helper_phone}"' in desk
    assert f'href="tel:{PHONE}"' in page(staff, f"/volunteering/desk/elders/{elder.id}")
    # The volunteer going to the home calls the older resident, by name.
    browser = app.test_client()
    sign_in_by_sms(browser, sms, helper_phone)
    giving = page(browser, "/volunteering/help/mine")
    assert "王秀英" in giving and f'href="tel:{PHONE}"' in giving
    # The older resident learns who comes, and calls the community, not the volunteer.
    mine = page(resident, "/volunteering/help/mine")
    assert "李志愿" in mine and 'href="tel:075523456789"' in mine
    assert helper_phone not in mine and helper_phone[-4:] not in mine
    # A neighbour who is neither sees none of it.
    browser = app.test_client()
    sign_in_by_sms(browser, sms, neighbour.phone)
    theirs = page(browser, "/volunteering/help/mine")
    for secret in (PHONE, PHONE[-4:], helper_phone, "王秀英", "李志愿"):
        assert secret not in theirs
    assert browser.get(f"/volunteering/desk/help/{made.id}", headers=EN).status_code == 403


def test_another_communitys_coordinator_is_refused(app, session, tree, elder, volunteer):
    bank(session, elder.user, 180, tree.community)
    other = factories.user(session, Role.COORDINATOR, tree.other_community)
    session.commit()
    browser = app.test_client()
    sign_in_staff(browser, other)
    assert browser.get(f"/volunteering/desk/elders/{elder.id}", headers=EN).status_code == 403
    response = browser.post(
        f"/volunteering/desk/elders/{elder.id}/ask", data=help_form(), headers=EN
    )
    assert response.status_code == 403
    assert session.scalars(select(HelpRequest)).all() == []
    # Their own lists show their own community only.
    assert "王秀英" not in page(browser, f"/volunteering/desk/elders?community={tree.community.id}")
    for url in ("/volunteering/desk/help/99999", "/volunteering/desk/elders/99999"):
        assert browser.get(url, headers=EN).status_code == 404


def test_the_pages_in_chinese(session, tree, resident, elder):
    bank(session, elder.user, 180, tree.community)
    body = resident.get("/volunteering/help/ask", headers=ZH).get_data(as_text=True)
    assert "求助" in body and "自己存的时长" in body
    # Hours read one way, with no space: 1小时 as 1.5小时.
    assert ">1小时</option>" in body and ">1.5小时</option>" in body and " 小时" not in body


def test_the_volunteering_page_leads_elders_and_matched_volunteers_to_help(
    app, session, tree, resident, elder, volunteer, sms
):
    body = page(resident, "/volunteering/")
    assert 'href="/volunteering/help/ask"' in body and "My requests for help" in body
    factories.help_request(session, elder, starts_at=utcnow() + timedelta(days=1))
    made = only_request(session)
    made.volunteer, made.state = volunteer, HelpState.MATCHED
    session.commit()
    browser = app.test_client()
    sign_in_by_sms(browser, sms, volunteer.user.phone)
    body = page(browser, "/volunteering/")
    assert "Help I am asked to give (1)" in body and "/volunteering/help/ask" not in body


def test_a_priority_elder_is_offered_the_pool_and_asks_for_help_paid_from_it(
    session, tree, resident, elder
):
    elder.priority = True
    session.commit()
    pool = timebank.pool_account(session, tree.community, now=utcnow())
    issuer = timebank.issuer_account(session, tree.community, now=utcnow())
    ledger.post(session, SYSTEM, unit=Unit.MINUTES, kind=timebank.DONATED,
                legs=[(issuer, -120), (pool, 120)], now=utcnow())  # fmt: skip
    session.commit()
    form = page(resident, "/volunteering/help/ask")
    # No own hours to spend: the pool alone is offered.
    assert '<input checked id="payer-0" name="payer" type="radio" value="pool">' in form
    response = resident.post("/volunteering/help/ask", data=help_form(payer="pool"), headers=EN)
    assert response.status_code == 302
    assert only_request(session).payer == "pool"
