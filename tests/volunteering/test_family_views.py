"""Asking for help on an older resident's behalf over HTTP: a coordinator adds and removes a
family member on the elder's page; the family member asks for the elder, sees and cancels
(after a page that asks first) what they asked; a grid worker asks from the staff desk; and
what each may not do, with what was typed kept and nothing written."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.db import utcnow
from portal.permissions import Role
from portal.volunteering.models import FamilyMember, HelpRequest, HelpState
from tests import factories
from tests.accounts.test_views import EN, page, sign_in_by_sms, sign_in_staff
from tests.volunteering.test_help_views import PHONE, ZH, bank, bank_pool, help_form, only_request

SON = "13712345670"


@pytest.fixture
def tree(session):
    return factories.tree(session)


@pytest.fixture
def elder(session, tree):
    made = factories.elder(
        session, tree.community, user=factories.user(session, phone=PHONE), name="王秀英",
        born=date(1950, 1, 1),
    )  # fmt: skip
    session.commit()
    return made


@pytest.fixture
def staff(app, session, tree):
    coordinator = factories.user(session, Role.COORDINATOR, tree.community, name="协调员")
    session.commit()
    browser = app.test_client()
    assert sign_in_staff(browser, coordinator).status_code == 302
    return browser


@pytest.fixture
def son(session, elder):
    made = factories.family_member(
        session, elder, user=factories.user(session, phone=SON, name="李建国"), name="李建国"
    )
    session.commit()
    return made


@pytest.fixture
def relative_browser(app, sms, son):
    browser = app.test_client()
    sign_in_by_sms(browser, sms, SON)
    return browser


@pytest.fixture
def worker(app, session, tree):
    made = factories.user(session, Role.GRID_WORKER, tree.grid, name="网格员")
    session.commit()
    browser = app.test_client()
    assert sign_in_staff(browser, made).status_code == 302
    return browser


def family_form(**changes) -> dict:
    return {
        "name": "李建国",
        "phone": "137 1234 5670",
        "tie": "parent",
        "elder_agreed": "y",
    } | changes


# --- coordinators ----------------------------------------------------------------------------


def test_a_coordinator_adds_a_family_member_and_removes_them(session, staff, elder):
    url = f"/volunteering/desk/elders/{elder.id}"
    body = page(staff, url)
    assert "Add a family member" in body and 'inputmode="numeric"' in body
    response = staff.post(f"{url}/family", data=family_form(), headers=EN)
    assert response.status_code == 302
    member = session.scalars(select(FamilyMember)).one()
    assert member.user.phone == SON and member.elder_agreed_at is not None
    body = page(staff, url)
    # The coordinator may need to call them: the number whole, to tap.
    assert "李建国" in body and f'href="tel:{SON}"' in body and "Son or daughter" in body
    response = staff.post(f"/volunteering/desk/family/{member.id}/remove", headers=EN)
    assert response.status_code == 302
    body = page(staff, url)
    assert "Removed" in body and "137****5670" in body and f'href="tel:{SON}"' not in body
    session.expire_all()
    assert session.get(FamilyMember, member.id).removed_at is not None


def test_without_the_elders_agreement_nothing_is_added_and_what_was_typed_stays(
    session, staff, elder
):
    url = f"/volunteering/desk/elders/{elder.id}/family"
    response = staff.post(url, data=family_form(elder_agreed=""), headers=EN)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "only once the older resident has agreed" in body
    assert 'value="李建国"' in body and 'value="13712345670"' in body
    assert 'checked id="tie-0"' in body
    response = staff.post(url, data=family_form(phone="1234"), headers=EN)
    assert response.status_code == 400
    assert 'value="李建国"' in response.get_data(as_text=True)
    chinese = staff.post(url, data=family_form(elder_agreed=""), headers=ZH)
    assert "须经老人本人当面同意" in chinese.get_data(as_text=True)
    assert session.scalars(select(FamilyMember)).all() == []


def test_residents_grid_workers_and_other_communities_may_not_add_or_remove(
    app, session, tree, elder, son, relative_browser, worker
):
    other = factories.user(session, Role.COORDINATOR, tree.other_community)
    session.commit()
    elsewhere = app.test_client()
    sign_in_staff(elsewhere, other)
    for browser in (relative_browser, worker, elsewhere):
        response = browser.post(f"/volunteering/desk/elders/{elder.id}/family",
                                data=family_form(phone="13700000009"), headers=EN)  # fmt: skip
        assert response.status_code == 403
        response = browser.post(f"/volunteering/desk/family/{son.id}/remove", headers=EN)
        assert response.status_code == 403
    session.expire_all()
    assert session.scalars(select(FamilyMember)).all() == [son]
    assert session.get(FamilyMember, son.id).removed_at is None


# --- family members --------------------------------------------------------------------------


def test_a_family_member_asks_for_the_elder_sees_it_and_cancels_it_after_a_check(
    app, session, tree, elder, son, relative_browser, sms
):
    bank(session, elder.user, 180, tree.community)
    home = page(relative_browser, "/volunteering/")
    assert "Ask for help for 王秀英 (your parent)" in home
    form = page(relative_browser, "/volunteering/help/ask")
    assert "Ask for help for 王秀英" in form and "You ask for 王秀英 (your parent)" in form
    assert "王秀英&#39;s own stored hours (they hold 3 hours)" in form
    response = relative_browser.post(
        "/volunteering/help/ask", data=help_form(starts_at="25:00"), headers=EN
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Give a time such as 09:00." in body and 'value="幸福里12栋1203室"' in body
    assert session.scalars(select(HelpRequest)).all() == []
    response = relative_browser.post("/volunteering/help/ask", data=help_form(), headers=EN)
    assert response.status_code == 302
    made = only_request(session)
    assert (made.asked_by_id, made.elder_id, made.payer) == (son.user_id, elder.id, "own")
    # The coordinator reads who asked, on the request's page.
    coordinator = factories.user(session, Role.COORDINATOR, tree.community)
    session.commit()
    desk = app.test_client()
    sign_in_staff(desk, coordinator)
    assert "Asked on their behalf by" in page(desk, f"/volunteering/desk/help/{made.id}")
    assert "李建国 · Son or daughter" in page(desk, f"/volunteering/desk/help/{made.id}")
    assert sms.recent(PHONE)[0].kind == "time_bank_help_asked_for_you"
    mine = page(relative_browser, "/volunteering/help/mine")
    assert "Help for my family" in mine and "For 王秀英" in mine
    assert "Waiting for a volunteer" in mine and "王秀英&#39;s own stored hours" in mine
    cancel = f"/volunteering/help/{made.id}/cancel"
    assert f'href="{cancel}"' in mine
    check = page(relative_browser, cancel)
    assert "Cancel this request?" in check and "No, keep it" in check
    assert only_request(session).state is HelpState.ASKED, "the page only asks"
    assert relative_browser.post(cancel, headers=EN).status_code == 302
    assert only_request(session).state is HelpState.CANCELLED
    assert sms.recent(PHONE)[0].kind == "time_bank_help_cancelled"


def test_the_form_for_the_elder_in_chinese(session, tree, elder, son, relative_browser):
    bank(session, elder.user, 90, tree.community)
    body = relative_browser.get("/volunteering/help/ask", headers=ZH).get_data(as_text=True)
    assert "为王秀英求助" in body and "您在为王秀英（您的父母）求助" in body
    assert "王秀英自己存的时长（现有1.5小时）" in body


def test_a_family_member_of_two_chooses_and_never_reaches_anothers_elder(
    session, tree, elder, son, relative_browser
):
    mother_in_law = factories.elder(session, tree.community, name="张桂兰", priority=True)
    factories.family_member(session, mother_in_law, user=son.user, tie="parent_in_law")
    stranger = factories.elder(session, tree.community, name="赵大爷")
    session.commit()
    choose = page(relative_browser, "/volunteering/help/ask")
    assert "For whom do you ask for help?" in choose and "your parent-in-law" in choose
    assert f"/volunteering/help/ask?elder={mother_in_law.id}" in choose
    chosen = page(relative_browser, f"/volunteering/help/ask?elder={mother_in_law.id}")
    assert "Ask for help for 张桂兰" in chosen and 'value="pool"' in chosen
    # Another family's elder is not offered, and asking for them asks for nobody.
    assert "For whom" in page(relative_browser, f"/volunteering/help/ask?elder={stranger.id}")
    response = relative_browser.post(
        f"/volunteering/help/ask?elder={stranger.id}", data=help_form(), headers=EN
    )
    assert response.status_code == 200
    assert session.scalars(select(HelpRequest)).all() == []


def test_a_removed_family_member_asks_for_nobody(session, tree, elder, son, relative_browser):
    bank(session, elder.user, 180, tree.community)
    son.removed_at = utcnow()
    session.commit()
    assert "registered with their community" in page(relative_browser, "/volunteering/help/ask")
    response = relative_browser.post(
        f"/volunteering/help/ask?elder={elder.id}", data=help_form(), headers=EN
    )
    assert response.status_code == 200
    assert session.scalars(select(HelpRequest)).all() == []


def test_only_the_elder_or_who_asked_opens_the_cancel_page(
    app, session, tree, elder, son, resident, sms
):
    factories.help_request(session, elder, starts_at=utcnow() + timedelta(days=1))
    neighbour = factories.user(session, name="邻居")
    session.commit()
    made = only_request(session)
    cancel = f"/volunteering/help/{made.id}/cancel"
    # The elder's own request: the elder may cancel it, their family member (who did not
    # ask for it) may not.
    assert "Cancel this request?" in page(resident, cancel)
    for phone in (SON, neighbour.phone):
        browser = app.test_client()
        sign_in_by_sms(browser, sms, phone)
        assert browser.get(cancel, headers=EN).status_code == 403
        assert browser.post(cancel, headers=EN).status_code == 403
    assert only_request(session).state is HelpState.ASKED


@pytest.fixture
def resident(client, sms, elder):
    sign_in_by_sms(client, sms, PHONE)
    return client


# --- grid workers ----------------------------------------------------------------------------


def test_a_grid_worker_asks_for_a_priority_elder_from_the_desk(session, tree, elder, worker, sms):
    bank_pool(session, elder, 180)
    desk = page(worker, "/staff")
    assert 'href="/volunteering/desk/elders"' in desk
    listed = page(worker, "/volunteering/desk/elders")
    assert "王秀英" in listed and f"/volunteering/desk/elders/{elder.id}/ask" in listed
    for hidden in (PHONE[-4:], "Priority", "Register an older resident", "独居高龄"):
        assert hidden not in listed, hidden
    form = page(worker, f"/volunteering/desk/elders/{elder.id}/ask")
    assert 'value="pool"' in form and 'value="own"' not in form
    response = worker.post(f"/volunteering/desk/elders/{elder.id}/ask",
                           data=help_form(payer="own"), headers=EN)  # fmt: skip
    assert response.status_code == 400
    assert 'value="幸福里12栋1203室"' in response.get_data(as_text=True)
    response = worker.post(f"/volunteering/desk/elders/{elder.id}/ask",
                           data=help_form(payer="pool"), headers=EN)  # fmt: skip
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/volunteering/desk/elders")
    assert "Sent: Company for 王秀英" in page(worker, response.headers["Location"])
    assert only_request(session).payer == "pool"
    assert sms.recent(PHONE)[0].kind == "time_bank_help_asked_for_you"
    # The elder's page (priority, its reason, phones, family) stays the coordinators'.
    assert worker.get(f"/volunteering/desk/elders/{elder.id}", headers=EN).status_code == 403
    assert worker.get("/volunteering/desk/help", headers=EN).status_code == 403


def test_a_grid_worker_is_told_the_pool_pays_for_priority_elderly_only(
    session, tree, elder, worker
):
    body = page(worker, f"/volunteering/desk/elders/{elder.id}/ask")
    assert "pays only for the help of priority elderly residents" in body
    assert "Send the request" not in body


def test_a_grid_worker_of_another_community_is_refused(app, session, tree, elder):
    bank_pool(session, elder, 180)
    other = factories.user(session, Role.GRID_WORKER, tree.other_grid)
    session.commit()
    browser = app.test_client()
    sign_in_staff(browser, other)
    url = f"/volunteering/desk/elders/{elder.id}/ask"
    assert browser.get(url, headers=EN).status_code == 403
    assert browser.post(url, data=help_form(payer="pool"), headers=EN).status_code == 403
    listed = page(browser, f"/volunteering/desk/elders?community={tree.community.id}")
    assert "王秀英" not in listed
    assert session.scalars(select(HelpRequest)).all() == []


# --- a volunteer who is not an older resident ------------------------------------------------


def test_a_volunteer_reads_the_help_they_give_before_the_elders_wording(app, session, tree, sms):
    # Old enough to be helped too, so the elders' wording is for them as well.
    helper = factories.volunteer(session, tree.community, name="李志愿", born=date(1958, 1, 1))
    session.commit()
    browser = app.test_client()
    sign_in_by_sms(browser, sms, helper.user.phone)
    for url in ("/volunteering/help/ask", "/volunteering/help/mine"):
        body = page(browser, url)
        assert body.index("Help I am asked to give") < body.index("registered with their"), url


# --- switching language on the form ----------------------------------------------------------


def test_switching_language_on_the_form_keeps_what_was_typed(session, tree, elder, son, app, sms):
    bank(session, elder.user, 180, tree.community)
    browser = app.test_client()
    sign_in_by_sms(browser, sms, SON)
    form = page(browser, "/volunteering/help/ask")
    assert 'form="help-form" name="language"' in form
    typed = help_form(location="幸福里3栋502室", note="请带轮椅", minutes="90")
    response = browser.post("/volunteering/help/ask", data=typed | {"language": "zh-CN"},
                            headers=EN)  # fmt: skip
    assert response.status_code == 302
    assert response.headers["Location"] == "/volunteering/help/ask"
    assert session.scalars(select(HelpRequest)).all() == [], "switching sends nothing"
    chinese = browser.get("/volunteering/help/ask", headers=ZH).get_data(as_text=True)
    assert "为王秀英求助" in chinese
    assert 'value="幸福里3栋502室"' in chinese and "请带轮椅" in chinese
    assert '<option selected value="90">' in chinese and 'value="14:00"' in chinese
    assert "field-error" not in chinese, "nothing is checked on the way"
    # Sent, the form starts afresh the next time.
    assert browser.post("/volunteering/help/ask", data=typed).status_code == 302
    assert "幸福里3栋502室" not in page(browser, "/volunteering/help/ask")
