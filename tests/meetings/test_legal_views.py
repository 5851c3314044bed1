"""Legal service days (遇8有约) over HTTP, in both languages: the community's page from the
door, booking a time with what it is about, the queue number on the booking's page, the
adviser's walk-ins on the desk; bad input, the limits, and who may not."""

from __future__ import annotations

import pytest

from portal.meetings import booking as engine
from portal.meetings import legal
from portal.meetings.forms import start_value
from portal.meetings.models import Booking
from portal.permissions import Role
from tests import factories
from tests.accounts.test_views import EN, page, sign_in_by_sms, sign_in_staff
from tests.meetings.conftest import MONDAY_8AM, shanghai
from tests.meetings.test_legal import legal_schedule_for

PHONE = "13800138000"
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


@pytest.fixture
def clock(monkeypatch):
    """The meeting pages' clock, set by the test (sign-in keeps the real one)."""
    from portal.meetings.views import legal as legal_views
    from portal.meetings.views import resident, staff

    moment = {"now": MONDAY_8AM}
    for module in (legal_views, resident, staff):
        monkeypatch.setattr(module, "utcnow", lambda: moment["now"])
    return moment


@pytest.fixture
def adviser(session, tree):
    return factories.user(session, Role.LEGAL_ADVISER, tree.community, name="赵律师")


@pytest.fixture
def legal_schedule(session, tree, adviser):
    tree.community.phone = "025-84561234"
    tree.community.service_centre_zh = "甲社区党群服务中心二楼"
    tree.community.service_centre_en = "Community centre, 2nd floor"
    made = legal_schedule_for(session, adviser, tree.community)
    session.commit()
    return made


@pytest.fixture
def resident(client, sms):
    sign_in_by_sms(client, sms, PHONE)
    return client


def staff_browser(app, user):
    browser = app.test_client()
    assert sign_in_staff(browser, user).status_code == 302
    return browser


def book_url(tree, schedule) -> str:
    return f"/c/{tree.community.code}/legal/{schedule.id}/book"


def test_the_door_links_to_the_communitys_legal_service_days(client, tree, legal_schedule):
    body = page(client, f"/b/{tree.building.public_code}")
    assert f'href="/c/{tree.community.code}/legal"' in body
    assert "Legal service days: book a lawyer" in body
    zh = client.get(f"/b/{tree.building.public_code}", headers=ZH).get_data(as_text=True)
    assert "遇8有约：预约法律服务" in zh


def test_anyone_sees_the_next_days_in_both_languages(client, tree, legal_schedule, clock):
    body = page(client, f"/c/{tree.community.code}/legal")
    assert "Legal service days" in body and "赵律师" in body
    assert "Community centre, 2nd floor" in body and "09:00" in body and "11:00" in body
    # Each service day's button opens that day's times.
    for day in ("2026-12-08", "2026-12-18", "2026-12-28"):
        assert f'href="{book_url(tree, legal_schedule)}?day={day}"' in body
    zh = client.get(f"/c/{tree.community.code}/legal", headers=ZH).get_data(as_text=True)
    assert "甲社区党群服务中心二楼" in zh and "法律服务日" in zh
    assert "12月8日" in zh


def test_a_community_without_advisers_gives_its_phone_and_other_places_are_not_found(
    client, tree, session
):
    tree.community.phone = "025-84561234"
    session.commit()
    body = page(client, f"/c/{tree.community.code}/legal")
    assert "No legal service day is planned yet." in body and "025-84561234" in body
    zh = client.get(f"/c/{tree.community.code}/legal", headers=ZH).get_data(as_text=True)
    assert "暂无法律服务日安排" in zh
    for place in (tree.grid, tree.street):
        assert client.get(f"/c/{place.code}/legal").status_code == 404
    assert client.get("/c/nowhere/legal").status_code == 404


def test_booking_needs_a_signed_in_phone(client, tree, legal_schedule):
    response = client.get(book_url(tree, legal_schedule), headers=EN)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_a_resident_books_and_sees_their_number_of_the_day(
    session, resident, tree, legal_schedule, clock, sms
):
    form = page(resident, book_url(tree, legal_schedule))
    assert "Only the lawyer reads them." in form and 'type="radio"' in form
    engine.book(session, engine.Booker(phone="13900139000"), legal_schedule.id, shanghai(8, 9),
                now=MONDAY_8AM)  # fmt: skip
    session.commit()
    response = resident.post(
        book_url(tree, legal_schedule),
        data={"start": start_value(shanghai(8, 9, 20)), "about": "劳动合同纠纷"},
        headers=EN,
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    made = session.query(Booking).filter_by(phone=PHONE).one()
    assert (made.about, made.starts_at) == ("劳动合同纠纷", shanghai(8, 9, 20))
    assert response.headers["Location"].endswith(f"/m/{made.reference}")
    texted = sms.recent(PHONE)[0]
    assert texted.kind == "meeting_booked" and f"/m/{made.reference}" in texted.body
    body = page(resident, f"/m/{made.reference}")
    assert "You are number 2 of the day" in body
    resident.post("/language", data={"locale": "zh_Hans_CN"})
    zh = resident.get(f"/m/{made.reference}", headers=ZH).get_data(as_text=True)
    assert "您是当天第2位" in zh


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"about": "遗产继承"}, "Choose a time."),
        ({"start": "²", "about": "遗产继承"}, "Choose a time."),
        ({"start": "START", "about": "字" * 301}, "Keep it within 300 characters."),
        ({"start": "START", "about": ""}, "Say in a few words what you would like advice on."),
    ],
)
def test_bad_input_is_refused_with_what_was_typed_kept(
    session, resident, tree, legal_schedule, clock, data, message
):
    if data.get("start") == "START":
        data = data | {"start": start_value(shanghai(8, 10))}
    response = resident.post(book_url(tree, legal_schedule), data=data, headers=EN)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and message in body
    if data["about"]:
        assert data["about"] in body
    assert session.query(Booking).count() == 0


def test_a_taken_time_offers_the_nearest_with_the_text_kept(
    session, resident, tree, legal_schedule, clock
):
    engine.book(session, engine.Booker(phone="13900139000"), legal_schedule.id, shanghai(8, 10),
                now=MONDAY_8AM)  # fmt: skip
    session.commit()
    response = resident.post(
        book_url(tree, legal_schedule),
        data={"start": start_value(shanghai(8, 10)), "about": "邻里噪音纠纷"},
        headers=EN,
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Someone has just booked that time." in body and "邻里噪音纠纷" in body
    assert "These are the nearest free times:" in body
    offered = [start_value(shanghai(8, 9, 40)), start_value(shanghai(8, 10, 20))]
    assert all(f'value="{value}"' in body for value in offered)
    assert f'value="{start_value(shanghai(18, 9))}"' not in body, "only the offers"


def test_a_time_in_the_past_is_refused_with_offers(session, resident, tree, legal_schedule, clock):
    clock["now"] = shanghai(8, 10, 30)
    response = resident.post(
        book_url(tree, legal_schedule),
        data={"start": start_value(shanghai(8, 9)), "about": "遗产继承"},
        headers=EN,
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "That time has passed." in body
    assert f'value="{start_value(shanghai(8, 11))}"' in body
    assert session.query(Booking).count() == 0


def test_too_many_bookings_by_one_phone_are_refused_with_the_form_kept(
    app, session, resident, tree, legal_schedule, clock
):
    app.config["LEGAL_BOOKING_LIMIT_PER_PHONE"] = "1 per day"
    first = {"start": start_value(shanghai(8, 9)), "about": "遗产继承"}
    assert resident.post(book_url(tree, legal_schedule), data=first).status_code == 302
    again = {"start": start_value(shanghai(18, 9)), "about": "房屋买卖"}
    response = resident.post(book_url(tree, legal_schedule), data=again, headers=EN)
    body = response.get_data(as_text=True)
    assert response.status_code == 429 and "Too many bookings" in body and "房屋买卖" in body
    assert session.query(Booking).count() == 1


def test_too_many_bookings_from_one_address_are_refused(
    app, session, client, sms, tree, legal_schedule, clock
):
    app.config["LEGAL_BOOKING_LIMIT_PER_ADDRESS"] = "1 per hour"
    sign_in_by_sms(client, sms, PHONE)
    ok = {"start": start_value(shanghai(8, 9)), "about": "遗产继承"}
    assert client.post(book_url(tree, legal_schedule), data=ok).status_code == 302
    other = factories.user(session, phone="13900139000")
    session.commit()
    client.post("/sign-out")
    sign_in_by_sms(client, sms, other.phone)
    response = client.post(
        book_url(tree, legal_schedule),
        data={"start": start_value(shanghai(8, 9, 20)), "about": "房屋买卖"},
        headers=EN,
    )
    assert response.status_code == 429
    assert session.query(Booking).count() == 1


def test_a_schedule_of_another_community_or_kind_is_not_found(
    session, resident, tree, legal_schedule, schedule, clock
):
    assert (
        resident.get(f"/c/{tree.other_community.code}/legal/{legal_schedule.id}/book").status_code
        == 404
    )
    assert resident.get(book_url(tree, schedule)).status_code == 404


def test_the_adviser_adds_a_walk_in_who_joins_the_queue(
    session, app, tree, adviser, legal_schedule, clock
):
    clock["now"] = shanghai(8, 9, 5)
    legal.book(session, engine.Booker(phone="13900139000"), legal_schedule.id, shanghai(8, 9, 20),
               about="合同", now=MONDAY_8AM)  # fmt: skip
    session.commit()
    browser = staff_browser(app, adviser)
    desk = page(browser, "/staff/meetings")
    assert f'action="/staff/meetings/legal/{legal_schedule.id}/walk-in"' in desk
    assert "The next free time (09:00)" in desk
    prefix = f"s{legal_schedule.id}"
    url = f"/staff/meetings/legal/{legal_schedule.id}/walk-in"
    refused = browser.post(url, data={f"{prefix}-phone": "12345"}, headers=EN)
    assert refused.status_code == 400 and "11-digit mainland mobile number" in refused.get_data(
        as_text=True
    )
    added = browser.post(url, data={f"{prefix}-phone": "137 0013 7000", f"{prefix}-name": "李大爷"},
                         headers=EN)  # fmt: skip
    assert added.status_code == 302
    picked = browser.post(
        url,
        data={f"{prefix}-phone": "13700137001", f"{prefix}-start": start_value(shanghai(8, 11))},
        headers=EN,
    )
    assert picked.status_code == 302
    walk_ins = session.query(Booking).filter_by(walk_in=True).order_by(Booking.starts_at).all()
    assert [(b.starts_at, b.name) for b in walk_ins] == [
        (shanghai(8, 9), "李大爷"),
        (shanghai(8, 11), ""),
    ]
    desk = page(browser, "/staff/meetings")
    assert "No. 1" in desk and "李大爷" in desk and "No. 3" in desk and "Walk-in" in desk
    zh = browser.get("/staff/meetings", headers=ZH).get_data(as_text=True)
    assert "第1位" in zh and "现场登记" in zh
    taken = browser.post(
        url,
        data={f"{prefix}-phone": "13700137002", f"{prefix}-start": start_value(shanghai(8, 11))},
        headers=EN,
    )
    assert taken.status_code == 400
    assert "Choose one of today&#39;s free times." in taken.get_data(as_text=True)


def test_others_may_not_add_walk_ins_or_open_the_advisers_bookings(
    session, app, resident, tree, adviser, legal_schedule, clock
):
    clock["now"] = shanghai(8, 9, 5)
    theirs = legal.book(session, engine.Booker(phone="13900139000"), legal_schedule.id,
                        shanghai(8, 9, 20), about="合同", now=MONDAY_8AM)  # fmt: skip
    session.commit()
    # A resident opening another's booking.
    assert resident.get(f"/m/{theirs.reference}", headers=EN).status_code == 404
    url = f"/staff/meetings/legal/{legal_schedule.id}/walk-in"
    data = {f"s{legal_schedule.id}-phone": "13700137000"}
    assert resident.post(url, data=data).status_code == 403
    secretary = factories.user(session, Role.SECRETARY, tree.community)
    elsewhere = factories.user(session, Role.LEGAL_ADVISER, tree.other_community)
    session.commit()
    for user in (secretary, elsewhere):
        browser = staff_browser(app, user)
        assert browser.post(url, data=data).status_code == 403
        assert browser.get(f"/staff/meetings/bookings/{theirs.reference}").status_code == 404
        assert "/walk-in" not in page(browser, "/staff/meetings")
    assert session.query(Booking).filter_by(walk_in=True).count() == 0


def test_a_walk_in_after_the_session_is_refused_with_the_reason(
    session, app, adviser, legal_schedule, clock
):
    clock["now"] = shanghai(8, 11, 30)
    browser = staff_browser(app, adviser)
    assert "/walk-in" not in page(browser, "/staff/meetings"), "no form once the session is over"
    response = browser.post(
        f"/staff/meetings/legal/{legal_schedule.id}/walk-in",
        data={f"s{legal_schedule.id}-phone": "13700137000"},
        headers=EN,
    )
    body = response.get_data(as_text=True)
    assert (
        response.status_code == 400 and "There is no free time left in today&#39;s session." in body
    )
    assert session.query(Booking).count() == 0


def test_a_service_days_button_offers_that_days_times(
    session, resident, tree, legal_schedule, clock
):
    one_day = page(resident, f"{book_url(tree, legal_schedule)}?day=2026-12-18")
    assert "See all free times" in one_day
    assert f'value="{start_value(shanghai(18, 9))}"' in one_day
    assert f'value="{start_value(shanghai(8, 9))}"' not in one_day
    every = page(resident, f"{book_url(tree, legal_schedule)}?day=nonsense")
    assert f'value="{start_value(shanghai(8, 9))}"' in every
