"""Volunteer activities over HTTP: residents find activities, sign up, land on the waiting
list, cancel and see their own; coordinators publish, change and cancel activities and read
the roster; and what each may not do, with what they typed kept when something is wrong."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.db import utcnow
from portal.permissions import Role
from portal.volunteering import confirming
from portal.volunteering.activity_forms import SHANGHAI
from portal.volunteering.models import Activity, ActivityState, SignUp, SignUpState
from tests import factories
from tests.accounts.test_views import EN, page, sign_in_by_sms, sign_in_staff
from tests.volunteering.attendance_world import attended, seat

PHONE = "13800138000"


@pytest.fixture
def tree(session):
    return factories.tree(session)


@pytest.fixture
def coordinator(session, tree):
    return factories.user(session, Role.COORDINATOR, tree.community, name="协调员")


@pytest.fixture
def activity(session, tree):
    made = factories.activity(
        session, tree.community, starts_at=utcnow() + timedelta(days=2), seats=1,
        title="陪伴独居老人",
    )  # fmt: skip
    session.commit()
    return made


@pytest.fixture
def volunteer(session, tree):
    made = factories.volunteer(
        session, tree.community, user=factories.user(session, phone=PHONE), name="李志愿"
    )
    session.commit()
    return made


@pytest.fixture
def resident(client, sms, volunteer):
    sign_in_by_sms(client, sms, PHONE)
    return client


@pytest.fixture
def staff(app, session, coordinator):
    session.commit()
    browser = app.test_client()
    assert sign_in_staff(browser, coordinator).status_code == 302
    return browser


def good_form(tree, **changes) -> dict:
    day = (utcnow() + timedelta(days=3)).astimezone(SHANGHAI).date()
    return {
        "community": str(tree.community.id),
        "title": "社区助餐",
        "service_kind": "meals",
        "description": "给老人送午饭",
        "day": day.isoformat(),
        "starts_at": "10:00",
        "ends_at": "12:30",
        "location": "社区食堂",
        "seats": "8",
        "worth_minutes": "120",
        "serves_elderly": "y",
    } | changes


# --- residents -------------------------------------------------------------------------------


def test_anyone_finds_the_activities_to_come_by_community_and_kind(client, tree, activity):
    body = page(client, "/volunteering/activities")
    assert "陪伴独居老人" in body and "1 seats left" in body
    assert f'href="/volunteering/activities/{activity.id}"' in body
    assert "陪伴独居老人" in page(client, f"/volunteering/activities?community={tree.community.id}")
    elsewhere = page(client, f"/volunteering/activities?community={tree.other_community.id}")
    assert "陪伴独居老人" not in elsewhere and "No activity is planned yet" in elsewhere
    assert "陪伴独居老人" not in page(client, "/volunteering/activities?kind=meals")
    assert "陪伴独居老人" in page(client, "/volunteering/activities?kind=company")
    for odd in ("community=abc", "community=99999999999", "kind=flying", "page=-1", "page=x"):
        assert "陪伴独居老人" in page(client, f"/volunteering/activities?{odd}")


def test_an_activity_s_page_says_when_in_shanghai_and_asks_to_sign_in(client, activity):
    body = page(client, f"/volunteering/activities/{activity.id}")
    local = activity.starts_at.astimezone(SHANGHAI)
    assert local.strftime("%H:%M") in body and "社区服务中心" in body
    assert "Sign in to sign up" in body and "next=/volunteering/activities/" in body
    assert client.get("/volunteering/activities/99999", headers=EN).status_code == 404


def test_the_activity_s_page_in_chinese(client, activity):
    response = client.get(
        f"/volunteering/activities/{activity.id}", headers={"Accept-Language": "zh-CN"}
    )
    body = response.get_data(as_text=True)
    assert "登录后报名" in body and "剩余名额" in body


def test_a_volunteer_signs_up_then_the_next_waits_and_moves_up_when_they_cancel(
    app, session, tree, resident, activity, sms
):
    url = f"/volunteering/activities/{activity.id}"
    response = resident.post(f"{url}/sign-up", headers=EN)
    assert response.status_code == 302 and response.headers["Location"] == url
    body = page(resident, url)
    assert "You have a seat. We text you the day before." in body and "I cannot come" in body
    assert "陪伴独居老人" in page(resident, "/volunteering/activities/mine")
    # A second volunteer, in a browser of their own, finds it full.
    other = factories.volunteer(session, tree.community, name="王志愿")
    session.commit()
    second = app.test_client()
    sign_in_by_sms(second, sms, other.user.phone)
    assert "Join the waiting list" in page(second, url)
    second.post(f"{url}/sign-up", headers=EN)
    body = page(second, url)
    assert "You are number 1 on the waiting list." in body
    assert "Number 1 on the waiting list" in page(second, "/volunteering/activities/mine")
    response = resident.post(f"{url}/cancel-sign-up", headers=EN)
    assert response.status_code == 302
    assert "You have cancelled" in page(resident, url)
    assert "You have a seat." in page(second, url)
    assert sms.recent(other.user.phone)[0].kind == "volunteer_activity_seated"


def test_my_past_activities_say_whether_their_hours_are_confirmed(
    app, session, tree, coordinator, volunteer, resident
):
    past = utcnow() - timedelta(days=3)
    confirmed = factories.activity(session, tree.community, starts_at=past, title="助餐送饭")
    waiting = factories.activity(session, tree.community, starts_at=past, title="环境清扫")
    attended(session, confirmed, volunteer, 90)
    seat(session, waiting, volunteer)
    with app.app_context():
        confirming.confirm_all(session, coordinator, confirmed, now=utcnow())
    session.commit()
    body = page(resident, "/volunteering/activities/mine")
    assert body.count("1.5 hours confirmed") == 1 and body.count("Hours not confirmed yet") == 1
    assert body.index("助餐送饭") < body.index("1.5 hours confirmed") < body.index("环境清扫")
    assert 'href="/volunteering/certificate"' in body
    chinese = resident.get("/volunteering/activities/mine", headers={"Accept-Language": "zh-CN"})
    assert "已确认1.5小时" in chinese.get_data(as_text=True)


def test_a_seat_taken_within_the_day_says_when_to_come_not_that_a_reminder_follows(
    session, tree, resident
):
    soon = factories.activity(
        session, tree.community, starts_at=utcnow() + timedelta(hours=3), title="今天下午的活动"
    )
    session.commit()
    url = f"/volunteering/activities/{soon.id}"
    resident.post(f"{url}/sign-up", headers=EN)
    body = page(resident, url)
    # Three hours ahead is today or, late in the evening in Shanghai, tomorrow.
    assert re.search(r"You have a seat: (Today|Tomorrow) \(", body)
    assert "Please be there on time" in body
    assert "We text you the day before" not in body


def test_signing_up_twice_is_said_on_the_page(resident, activity):
    url = f"/volunteering/activities/{activity.id}"
    resident.post(f"{url}/sign-up", headers=EN)
    page(resident, url)
    resident.post(f"{url}/sign-up", headers=EN)
    assert "You have signed up for this activity already." in page(resident, url)


def test_a_resident_who_is_no_volunteer_is_refused(client, session, sms, activity):
    sign_in_by_sms(client, sms, "13900139000")
    url = f"/volunteering/activities/{activity.id}"
    assert "Only registered volunteers can sign up" in page(client, url)
    assert client.post(f"{url}/sign-up", headers=EN).status_code == 403
    assert session.scalars(select(SignUp)).all() == []


def test_signing_up_needs_a_signed_in_phone(client, activity):
    response = client.post(f"/volunteering/activities/{activity.id}/sign-up", headers=EN)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert client.get("/volunteering/activities/mine", headers=EN).status_code == 302


def test_cancelling_without_a_sign_up_is_not_found(resident, activity):
    url = f"/volunteering/activities/{activity.id}/cancel-sign-up"
    assert resident.post(url, headers=EN).status_code == 404


# --- coordinators ----------------------------------------------------------------------------


def test_a_coordinator_publishes_an_activity_from_their_phone(session, staff, tree):
    form = page(staff, "/volunteering/desk/activities/new")
    assert 'type="date"' in form and 'type="time"' in form and 'inputmode="numeric"' in form
    response = staff.post("/volunteering/desk/activities/new", data=good_form(tree), headers=EN)
    assert response.status_code == 302, response.get_data(as_text=True)
    made = session.scalars(select(Activity).where(Activity.title == "社区助餐")).one()
    assert made.seats == 8 and made.worth_minutes == 120 and made.serves_elderly
    local = made.starts_at.astimezone(SHANGHAI)
    assert (local.hour, local.minute) == (10, 0)
    assert made.ends_at - made.starts_at == timedelta(hours=2, minutes=30)
    assert response.headers["Location"] == f"/volunteering/desk/activities/{made.id}"
    assert "社区助餐" in page(staff, "/volunteering/desk/activities")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"day": "明天"}, "Give the day, such as 2026-12-08."),
        ({"starts_at": "25:00"}, "Give a time such as 09:00."),
        ({"seats": "很多"}, "Enter a whole number, in digits."),
        ({"seats": "0"}, "Give between 1 and 500 volunteers."),
        ({"title": ""}, "Give the activity a title."),
        ({"worth_minutes": "600"}, "An activity is worth at most as long as it lasts."),
        ({"worth_minutes": "abc"}, "Choose how many hours it is worth."),
        ({"day": "2020-01-01"}, "The activity must start in the future."),
        ({"service_kind": ""}, "Choose a kind of service."),
    ],
)
def test_a_bad_value_is_refused_and_everything_typed_stays(session, staff, tree, changes, message):
    sent = good_form(tree, description="给老人送午饭，记得带保温箱", **changes)
    response = staff.post("/volunteering/desk/activities/new", data=sent, headers=EN)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and message in body
    assert "给老人送午饭，记得带保温箱" in body and 'value="社区食堂"' in body
    for name in ("day", "starts_at", "seats"):
        assert f'value="{sent[name]}"' in body
    assert session.scalars(select(Activity)).all() == []


def test_a_coordinator_cannot_publish_for_another_community(session, staff, tree):
    sent = good_form(tree, community=str(tree.other_community.id))
    response = staff.post("/volunteering/desk/activities/new", data=sent, headers=EN)
    assert response.status_code == 400 and "Choose a community." in response.get_data(as_text=True)
    assert session.scalars(select(Activity)).all() == []


def test_residents_and_other_communities_coordinators_are_refused(
    app, session, tree, resident, activity
):
    for url in ("/volunteering/desk/activities", "/volunteering/desk/activities/new",
                f"/volunteering/desk/activities/{activity.id}"):  # fmt: skip
        assert resident.get(url, headers=EN).status_code == 403, url
    other = factories.user(session, Role.COORDINATOR, tree.other_community)
    session.commit()
    browser = app.test_client()
    sign_in_staff(browser, other)
    assert (
        browser.get(f"/volunteering/desk/activities/{activity.id}", headers=EN).status_code == 403
    )
    assert (
        browser.get(f"/volunteering/desk/activities/{activity.id}/edit", headers=EN).status_code
        == 403
    )
    response = browser.post(f"/volunteering/desk/activities/{activity.id}/cancel",
                            data={"reason": "下雨"}, headers=EN)  # fmt: skip
    assert response.status_code == 403
    session.refresh(activity)
    assert activity.state is ActivityState.PUBLISHED


def test_the_roster_gives_names_and_phones_to_call_and_the_check_in_screen_masks_them(
    session, staff, resident, activity
):
    resident.post(f"/volunteering/activities/{activity.id}/sign-up", headers=EN)
    body = page(staff, f"/volunteering/desk/activities/{activity.id}")
    assert "李志愿" in body and f'href="tel:{PHONE}"' in body
    # The code's screen is held up to everyone at the door.
    screen = page(staff, f"/volunteering/desk/activities/{activity.id}/check-in")
    assert "138****8000" in screen and PHONE not in screen
    assert "1 of 1 seats taken" in body


def test_a_coordinator_changes_the_seats_but_never_below_those_taken(
    session, staff, resident, activity, sms
):
    resident.post(f"/volunteering/activities/{activity.id}/sign-up", headers=EN)
    url = f"/volunteering/desk/activities/{activity.id}/edit"
    form = page(staff, url)
    local = activity.starts_at.astimezone(SHANGHAI)
    assert f'value="{local.date().isoformat()}"' in form and 'value="社区服务中心"' in form
    sent = {
        "day": local.date().isoformat(),
        "starts_at": local.strftime("%H:%M"),
        "ends_at": activity.ends_at.astimezone(SHANGHAI).strftime("%H:%M"),
        "location": "社区广场东侧",
        "seats": "0",
    }
    response = staff.post(url, data=sent, headers=EN)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and 'value="社区广场东侧"' in body
    assert "Give between 1 and 500 volunteers." in body
    response = staff.post(url, data=sent | {"seats": "3"}, headers=EN)
    assert response.status_code == 302
    session.refresh(activity)
    assert (activity.seats, activity.location) == (3, "社区广场东侧")
    assert sms.recent(PHONE)[0].kind == "volunteer_activity_changed"


def test_a_coordinator_cancels_with_a_reason(session, staff, resident, activity, sms):
    resident.post(f"/volunteering/activities/{activity.id}/sign-up", headers=EN)
    url = f"/volunteering/desk/activities/{activity.id}/cancel"
    response = staff.post(url, data={"reason": " "}, headers=EN)
    assert response.status_code == 400 and "Say why it is cancelled" in response.get_data(
        as_text=True
    )
    response = staff.post(url, data={"reason": "暴雨预警"}, headers=EN)
    assert response.status_code == 302
    session.refresh(activity)
    assert activity.state is ActivityState.CANCELLED
    assert sms.recent(PHONE)[0].kind == "volunteer_activity_cancelled"
    body = page(resident, f"/volunteering/activities/{activity.id}")
    assert "This activity is cancelled: 暴雨预警" in body and "I cannot come" not in body
    state = session.scalars(select(SignUp.state)).one()
    assert state is SignUpState.SEATED
