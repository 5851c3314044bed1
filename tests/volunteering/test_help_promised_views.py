# ruff: noqa: F811
# (the fixtures are test_help_views's, imported to be taken by name)
"""Hours promised to open requests over HTTP: the form says how many of the elder's hours are
held back, refuses asking for them twice in the elder's language with nothing written, and
does not offer own hours when none are free (pointing to the pool, gifts and the coordinator)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from portal.db import utcnow
from portal.idnumbers import age_on
from portal.volunteering.models import Elder, HelpRequest
from portal.volunteering.volunteers import local_day
from tests.accounts.test_views import EN
from tests.volunteering.test_help_views import (  # noqa: F401
    ZH,
    bank,
    bank_pool,
    coordinator,
    elder,
    help_form,
    resident,
    staff,
    tree,
)


def requests_count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(HelpRequest))


def test_the_second_ask_for_the_same_hours_is_refused_in_chinese(session, tree, resident, elder):
    bank(session, elder.user, 90, tree.community)
    first = resident.post("/volunteering/help/ask", data=help_form(minutes="90"), headers=EN)
    assert first.status_code == 302
    second = resident.post(
        "/volunteering/help/ask", data=help_form(minutes="90", starts_at="09:00"), headers=ZH
    )
    assert second.status_code == 400
    body = second.get_data(as_text=True)
    assert "您现有1.5小时，其中1.5小时已用于其他求助" in body
    assert 'value="09:00"' in body, "what was typed stays"
    assert requests_count(session) == 1


def test_the_form_says_how_many_hours_are_held_back(session, tree, resident, elder):
    bank(session, elder.user, 150, tree.community)
    resident.post("/volunteering/help/ask", data=help_form(minutes="90"), headers=EN)
    form = resident.get("/volunteering/help/ask", headers=ZH).get_data(as_text=True)
    assert "您现有2.5小时，其中1.5小时已用于其他求助" in form


def test_no_own_hours_free_leaves_the_pool_for_a_priority_elder(session, tree, resident, elder):
    bank_pool(session, elder, 120)
    body = resident.get("/volunteering/help/ask", headers=EN).get_data(as_text=True)
    assert 'value="own"' not in body and 'value="pool"' in body
    assert "王秀英 has no stored hours free to spend: the community&#39;s pool pays." in body
    assert "Ask for less time" not in body


def test_no_own_hours_free_and_no_pool_points_to_gifts_and_the_coordinator(
    session, tree, resident, elder
):
    body = resident.get("/volunteering/help/ask", headers=ZH).get_data(as_text=True)
    assert 'name="payer"' not in body and 'id="help-form"' not in body
    assert "请家人赠送时间" in body and "协调员会帮忙" in body
    day = (elder.user.created_at + timedelta(days=2)).date().isoformat()
    response = resident.post("/volunteering/help/ask", headers=EN,
                             data=help_form(payer="own", day=day))  # fmt: skip
    assert response.status_code == 400 and requests_count(session) == 0


def test_how_long_must_be_chosen_and_nothing_is_written_without_it(session, tree, resident, elder):
    bank(session, elder.user, 600, tree.community)
    form = resident.get("/volunteering/help/ask", headers=ZH).get_data(as_text=True)
    choices = form.split('name="minutes">')[1].split("</select>")[0]
    assert choices.startswith('<option value="">请选择…</option>') and "selected" not in choices
    response = resident.post("/volunteering/help/ask", data=help_form(minutes=""), headers=ZH)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "请选择需要多长时间" in body and 'value="幸福里12栋1203室"' in body
    assert requests_count(session) == 0


def test_the_same_request_sent_again_is_refused_with_a_clear_message(
    session, tree, resident, elder
):
    bank(session, elder.user, 600, tree.community)
    assert resident.post("/volunteering/help/ask", data=help_form(), headers=ZH).status_code == 302
    again = resident.post("/volunteering/help/ask", data=help_form(), headers=ZH)
    assert again.status_code == 400
    assert "您已为这个时间求助过了" in again.get_data(as_text=True)
    assert requests_count(session) == 1


# --- registering older residents -------------------------------------------------------------


def test_a_person_of_36_is_refused_as_an_older_resident_and_nothing_is_written(
    session, tree, staff
):
    from tests.volunteering.test_help_views import elder_form

    response = staff.post("/volunteering/desk/elders/new", headers=ZH,
                          data=elder_form(tree, birth_date="1990-03-08"))  # fmt: skip
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "时间银行为年满60岁的老人提供帮助，此人36岁。" in body and 'value="张桂兰"' in body
    session.expire_all()
    assert session.scalars(select(Elder)).all() == []


def test_the_elder_page_gives_the_birth_date_in_words_and_the_age(session, tree, staff):
    from tests.volunteering.test_help_views import elder_form

    staff.post("/volunteering/desk/elders/new", data=elder_form(tree, birth_date="1942-03-08"),
               headers=EN)  # fmt: skip
    made = session.scalars(select(Elder)).one()
    age = age_on(made.birth_date, local_day(utcnow()))
    chinese = staff.get(f"/volunteering/desk/elders/{made.id}", headers=ZH).get_data(as_text=True)
    assert f"1942年3月8日（{age}岁）" in chinese
    english = staff.get(f"/volunteering/desk/elders/{made.id}", headers=EN).get_data(as_text=True)
    assert f"8 Mar 1942 ({age} years old)" in english


# --- what each reader sees of their requests -------------------------------------------------


def test_my_requests_come_soonest_first_with_their_place(session, tree, resident, elder):
    bank(session, elder.user, 600, tree.community)
    later = help_form(location="幸福里12栋1203室", starts_at="16:00")
    sooner = help_form(location="社区卫生服务站", starts_at="09:00")
    for form in (sooner, later):  # asked in this order: the newest is not the soonest
        assert resident.post("/volunteering/help/ask", data=form, headers=EN).status_code == 302
    body = resident.get("/volunteering/help/mine", headers=EN).get_data(as_text=True)
    assert body.index("社区卫生服务站") < body.index("幸福里12栋1203室")


def test_the_advice_for_older_residents_is_not_given_to_a_young_volunteer(app, session, tree, sms):
    from tests import factories
    from tests.accounts.test_views import sign_in_by_sms

    young = factories.volunteer(session, tree.community, name="小李", born=date(1995, 1, 1))
    older = factories.volunteer(session, tree.community, name="老李", born=date(1958, 1, 1))
    session.commit()
    advice = "Please visit your community's service centre with your ID card"
    for volunteer, shown in ((young, False), (older, True)):
        browser = app.test_client()
        sign_in_by_sms(browser, sms, volunteer.user.phone)
        body = browser.get("/volunteering/help/mine", headers=EN).get_data(as_text=True)
        assert "Help I am asked to give" in body
        assert (advice in body) == shown, volunteer.real_name
