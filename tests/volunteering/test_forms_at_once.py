"""The volunteering forms an older resident fills in on a phone, over HTTP: sent empty or
wrong, each marks every mistake at once beside its field, keeps what was typed and writes
nothing; switching language half-way keeps what was typed (but the ID number)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.db import utcnow
from portal.drafts.models import Draft
from portal.permissions import Role
from portal.volunteering.activity_forms import SHANGHAI
from portal.volunteering.models import Activity, Relative, Volunteer
from tests import factories
from tests.accounts.test_views import EN, page, sign_in_by_sms, sign_in_staff

PHONE = "13800138000"
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
MINOR = factories.id_number(date(2012, 1, 1))


@pytest.fixture
def tree(session):
    made = factories.tree(session)
    session.commit()
    return made


@pytest.fixture
def resident(client, sms, tree):
    sign_in_by_sms(client, sms, PHONE)
    return client


@pytest.fixture
def staff(app, session, tree):
    coordinator = factories.user(session, Role.COORDINATOR, tree.community, name="协调员")
    session.commit()
    browser = app.test_client()
    assert sign_in_staff(browser, coordinator).status_code == 302
    return browser


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def marked(body: str) -> int:
    """How many mistakes the error summary at the top lists."""
    summary = body[body.index('id="error-summary"') : body.index("</ul>")]
    return summary.count("<li>")


def error_of(body: str, field: str) -> str:
    start = body.index(f'id="{field}-error"')
    return body[start : body.index("</p>", start)]


# --- applying to volunteer -------------------------------------------------------------------


def test_an_empty_application_marks_every_missing_answer_at_once(session, resident):
    response = resident.post("/volunteering/apply", data={"community": ""}, headers=EN)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose your community." in error_of(body, "community")
    assert "Enter your name as it is on your ID card." in error_of(body, "real_name")
    assert "Enter your ID card number." in error_of(body, "id_number")
    assert "Choose at least one kind of service" in error_of(body, "services")
    assert "Tick the box to agree" in error_of(body, "id_consent")
    assert marked(body) == 5
    assert count(session, Volunteer) == 0


def test_a_minor_s_wrong_application_marks_name_consent_and_guardian_at_once(
    session, resident, tree
):
    typed = {
        "community": tree.community.code, "real_name": "李", "id_number": MINOR,
        "services": ["meals"], "guardian_phone": PHONE,
    }  # fmt: skip
    response = resident.post("/volunteering/apply", data=typed, headers=EN)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter your name as it is on your ID card." in error_of(body, "real_name")
    assert "Tick the box to agree" in error_of(body, "id_consent")
    assert "a parent or guardian must agree" in error_of(body, "guardian_name")
    assert "cannot be your own" in error_of(body, "guardian_phone")
    assert marked(body) == 4
    # What was typed stays, the ID number too (it is in the page sent to its owner only).
    assert 'value="李"' in body and f'value="{MINOR}"' in body and f'value="{PHONE}"' in body
    assert 'checked id="services-1"' in body or 'checked id="services-0"' in body
    assert count(session, Volunteer) == 0


def test_a_minor_cannot_give_their_own_phone_as_the_guardian_s(session, resident, tree):
    session.scalars(select(User).where(User.phone == PHONE)).one().locale = "zh_Hans_CN"
    session.commit()
    typed = {
        "community": tree.community.code, "real_name": "李小明", "id_number": MINOR,
        "services": ["meals"], "id_consent": "y", "guardian_name": "李父",
        "guardian_phone": "138 0013 8000",
    }  # fmt: skip
    response = resident.post("/volunteering/apply", data=typed, headers=ZH)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "监护人的手机号不能是您自己的" in error_of(body, "guardian_phone")
    assert marked(body) == 1 and 'value="138 0013 8000"' in body
    assert count(session, Volunteer) == 0
    typed["guardian_phone"] = "139 0000 1111"
    assert resident.post("/volunteering/apply", data=typed, headers=ZH).status_code == 302
    assert session.scalars(select(Volunteer.guardian_phone)).one() == "13900001111"


def test_the_application_form_lets_the_browser_keep_all_but_the_id_number(resident, tree):
    body = page(resident, f"/volunteering/apply?community={tree.community.code}")
    form = body[body.index('<form method="post" id="apply-form"') :]
    assert 'autocomplete="off"' not in form[: form.index(">")]
    number = body[body.index('id="id_number"') - 200 : body.index('id="id_number"') + 200]
    assert 'autocomplete="off"' in number
    name = body[body.index('id="real_name"') - 200 : body.index('id="real_name"') + 200]
    assert 'autocomplete="name"' in name


def test_switching_language_on_the_application_keeps_what_was_typed(session, resident, tree):
    url = f"/volunteering/apply?community={tree.community.code}"
    assert 'form="apply-form" name="language"' in page(resident, url)
    typed = {
        "community": tree.community.code, "real_name": "李小明", "id_number": MINOR,
        "services": ["company", "meals"], "guardian_name": "李父",
        "guardian_phone": "139 0000 1111", "id_consent": "y", "language": "zh-CN",
    }  # fmt: skip
    response = resident.post(url, data=typed, headers=EN)
    assert response.status_code == 302 and response.headers["Location"] == url
    assert count(session, Volunteer) == 0, "switching sends nothing"
    chinese = resident.get(url, headers=ZH).get_data(as_text=True)
    assert "申请" in chinese and "field-error" not in chinese
    assert 'value="李小明"' in chinese and 'value="李父"' in chinese
    assert 'value="139 0000 1111"' in chinese
    assert chinese.count('checked id="services-') == 2
    assert 'checked id="id_consent"' in chinese
    # The ID number is typed again: it rests in the database only sealed.
    assert MINOR not in chinese
    assert all(MINOR not in str(draft.answers) for draft in session.scalars(select(Draft)))


# --- publishing an activity ------------------------------------------------------------------


def activity_form(**changes) -> dict:
    day = (utcnow() + timedelta(days=3)).astimezone(SHANGHAI).date()
    return {
        "title": "社区助餐", "service_kind": "meals", "description": "给老人送午饭",
        "day": day.isoformat(), "starts_at": "10:00", "ends_at": "12:30", "location": "社区食堂",
        "seats": "8", "worth_minutes": "120", "serves_elderly": "y",
    } | changes  # fmt: skip


def test_an_empty_activity_marks_every_missing_answer_at_once(session, staff, tree):
    empty = dict.fromkeys(activity_form(), "") | {"community": str(tree.community.id)}
    response = staff.post("/volunteering/desk/activities/new", data=empty, headers=EN)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Give the activity a title." in error_of(body, "title")
    assert "Choose a kind of service." in error_of(body, "service_kind")
    assert "Give the day" in error_of(body, "day")
    assert "Give a time such as 09:00." in error_of(body, "starts_at")
    assert "Give a time such as 09:00." in error_of(body, "ends_at")
    assert "Say where the activity is." in error_of(body, "location")
    assert "Give a number." in error_of(body, "seats")
    assert "Choose how many hours" in error_of(body, "worth_minutes")
    assert marked(body) == 8
    assert count(session, Activity) == 0


def test_a_wrong_activity_marks_title_seats_and_hours_at_once(session, staff, tree):
    long_title = "长" * 61
    typed = activity_form(
        community=str(tree.community.id), title=long_title, seats="0", ends_at="11:00"
    )
    response = staff.post("/volunteering/desk/activities/new", data=typed, headers=EN)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "within 60 characters" in error_of(body, "title")
    assert "Give between 1 and 500 volunteers." in error_of(body, "seats")
    assert "worth at most as long as it lasts" in error_of(body, "worth_minutes")
    assert marked(body) == 3
    assert f'value="{long_title}"' in body and 'value="11:00"' in body and 'value="0"' in body
    assert count(session, Activity) == 0


def test_switching_language_on_a_new_activity_keeps_what_was_typed(session, staff, tree):
    url = "/volunteering/desk/activities/new"
    assert 'form="activity-form" name="language"' in page(staff, url)
    typed = activity_form(community=str(tree.community.id), worth_minutes="90") | {
        "serves_elderly": ""
    }
    response = staff.post(url, data=typed | {"language": "zh-CN"}, headers=EN)
    assert response.status_code == 302 and response.headers["Location"] == url
    assert count(session, Activity) == 0, "switching publishes nothing"
    chinese = staff.get(url, headers=ZH).get_data(as_text=True)
    assert "发布" in chinese and "field-error" not in chinese
    assert 'value="社区助餐"' in chinese and "给老人送午饭" in chinese
    assert 'value="社区食堂"' in chinese and 'value="12:30"' in chinese
    assert '<option selected value="90">' in chinese
    assert 'checked id="serves_elderly"' not in chinese
    # Published, the form starts afresh the next time.
    assert staff.post(url, data=typed, headers=EN).status_code == 302
    assert "社区助餐" not in page(staff, url)


def test_switching_language_while_changing_an_activity_keeps_what_was_typed(session, staff, tree):
    found = factories.activity(session, tree.community, starts_at=utcnow() + timedelta(days=2))
    session.commit()
    url = f"/volunteering/desk/activities/{found.id}/edit"
    typed = {"day": "2030-01-02", "starts_at": "08:30", "ends_at": "11:30",
             "location": "二楼活动室", "seats": "12", "language": "zh-CN"}  # fmt: skip
    response = staff.post(url, data=typed, headers=EN)
    assert response.status_code == 302 and response.headers["Location"] == url
    session.refresh(found)
    assert found.location != "二楼活动室", "switching saves nothing"
    chinese = staff.get(url, headers=ZH).get_data(as_text=True)
    assert 'value="二楼活动室"' in chinese and 'value="08:30"' in chinese
    assert 'value="12"' in chinese and 'value="2030-01-02"' in chinese


# --- declaring a relative --------------------------------------------------------------------


@pytest.fixture
def volunteer(session, tree):
    made = factories.volunteer(
        session, tree.community, user=factories.user(session, phone=PHONE), name="张三丰"
    )
    session.commit()
    return made


def test_an_empty_declaration_marks_relationship_name_and_number_at_once(
    session, volunteer, resident
):
    response = resident.post("/volunteering/hours/relatives", data={}, headers=EN)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose who they are to you." in body
    assert "Give their name as on their ID card." in error_of(body, "name")
    assert "11-digit mainland mobile number" in error_of(body, "phone")
    assert marked(body) == 3
    assert count(session, Relative) == 0


def test_a_declaration_of_one_s_own_number_keeps_the_name_and_says_both_mistakes(
    session, volunteer, resident
):
    typed = {"name": "赵奶奶", "phone": PHONE}
    response = resident.post("/volunteering/hours/relatives", data=typed, headers=ZH)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and marked(body) == 2
    assert 'value="赵奶奶"' in body and f'value="{PHONE}"' in body
    assert count(session, Relative) == 0
