"""Becoming a volunteer over HTTP: the start page for each stage, the application form (what
was typed kept when something is wrong), the coordinator's desk with masked numbers, the
answer and its SMS, and the reveal; and what each may not do."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.permissions import Role
from portal.volunteering.models import Volunteer, VolunteerState
from tests import factories
from tests.accounts.test_views import EN, page, sign_in_by_sms, sign_in_staff
from tests.test_idnumbers import with_check_digit

PHONE = "13800138000"
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


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
def coordinator(session, tree):
    made = factories.user(session, Role.COORDINATOR, tree.community, name="张协调")
    session.commit()
    return made


@pytest.fixture
def staff(app, coordinator):
    browser = app.test_client()
    assert sign_in_staff(browser, coordinator).status_code == 302
    return browser


def form_for(tree, **given) -> dict:
    return {
        "community": tree.community.code, "real_name": "李秀英",
        "id_number": factories.id_number(date(1960, 5, 1)), "services": ["company", "meals"],
        "id_consent": "y",
    } | given  # fmt: skip


def apply(resident, tree, **given):
    response = resident.post("/volunteering/apply", data=form_for(tree, **given), headers=EN)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def volunteers(session) -> list[Volunteer]:
    return list(session.scalars(select(Volunteer)))


def test_someone_not_signed_in_reads_what_it_is_and_signs_in_to_apply(client, tree):
    body = page(client, "/volunteering/")
    assert "time bank" in body and "/sign-in?next=/volunteering/apply" in body
    response = client.get("/volunteering/apply", headers=EN)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_the_form_fits_an_id_number_with_an_x_and_asks_consent_apart(resident, tree):
    body = page(resident, f"/volunteering/apply?community={tree.community.code}")
    assert "Apply to volunteer" in page(resident, "/volunteering/")
    field = body[body.index('id="id_number"') - 200 : body.index('id="id_number"') + 200]
    assert 'inputmode="numeric"' not in field and 'autocomplete="off"' in field
    assert f'<option selected value="{tree.community.code}">' in body
    assert f'value="{tree.other_community.code}"' in body, "the district's communities"
    assert 'type="checkbox"' in body and 'name="services"' in body and 'name="id_consent"' in body
    assert "only you see it whole" in body


def test_a_resident_applies_and_then_waits(session, resident, tree):
    response = apply(resident, tree)
    assert "id_number" not in response.headers["Location"]
    [made] = volunteers(session)
    whole = factories.whole_id_number(made)
    assert made.state == VolunteerState.APPLIED and made.community_id == tree.community.id
    body = page(resident, "/volunteering/")
    assert "You applied to volunteer with 甲社区" in body and whole not in body
    assert resident.get("/volunteering/apply", headers=EN).status_code == 302


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"id_number": "110105196005010011"}, "This ID card number is not right"),
        ({"id_number": with_check_digit("11010519490230123")}, "is not a real date"),
        ({"id_number": "1101051960"}, "An ID card number has 18 characters"),
        ({"id_number": "11010519600501AB1X"}, "An ID card number has only digits"),
        ({"id_consent": ""}, "Tick the box to agree"),
        ({"services": []}, "Choose at least one kind of service"),
        ({"community": "nowhere"}, "Choose your community."),
        ({"id_number": factories.id_number(date(2012, 1, 1))}, "a parent or guardian must agree"),
    ],
)
def test_a_mistake_is_shown_and_what_was_typed_stays(session, resident, tree, given, message):
    response = resident.post("/volunteering/apply", data=form_for(tree, **given), headers=EN)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in body and message in body
    assert 'value="李秀英"' in body
    assert volunteers(session) == []


def test_the_start_page_reads_in_chinese(client, tree):
    body = client.get("/volunteering/", headers=ZH).get_data(as_text=True)
    assert "志愿" in body and "time bank" not in body


def test_a_minor_applies_with_a_guardian(session, resident, tree):
    apply(resident, tree, id_number=factories.id_number(date(2012, 1, 1)),
          guardian_name="李父", guardian_phone="139 0000 1111")  # fmt: skip
    [made] = volunteers(session)
    assert made.guardian_phone == "13900001111"


def test_a_second_account_with_the_same_number_is_refused(session, app, resident, tree, sms):
    number = factories.id_number()
    apply(resident, tree, id_number=number)
    other = app.test_client()
    sign_in_by_sms(other, sms, "13900139000")
    response = other.post("/volunteering/apply", data=form_for(tree, id_number=number,
                                                              real_name="王五"), headers=EN)  # fmt: skip
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "registered to another account" in body
    assert "李秀英" not in body and len(volunteers(session)) == 1


def test_the_coordinator_approves_from_the_desk_with_the_id_number_masked(
    session, resident, staff, tree, sms
):
    apply(resident, tree)
    [made] = volunteers(session)
    whole = factories.whole_id_number(made)
    desk = page(staff, "/volunteering/desk")
    assert "李秀英" in desk and whole not in desk
    assert f"{whole[:4]}**********{whole[-4:]}" in desk and made.id_number_masked in desk
    detail = page(staff, f"/volunteering/desk/volunteers/{made.id}")
    # The ID number masked; the phone whole, to call the applicant (masked in the list).
    assert whole not in detail and 'href="tel:13800138000"' in detail
    response = staff.post(f"/volunteering/desk/volunteers/{made.id}/approve", headers=EN)
    assert response.status_code == 302
    session.expire_all()
    assert made.state == VolunteerState.APPROVED
    assert sms.recent(PHONE)[0].kind == "volunteer_approved"
    body = page(resident, "/volunteering/")
    assert "You are a volunteer of 甲社区" in body and whole not in body
    desk = page(staff, "/volunteering/desk")
    assert whole not in desk and "138****8000" in desk
    assert "李秀英" in page(staff, "/volunteering/desk?q=秀英")
    assert "李秀英" not in page(staff, "/volunteering/desk?q=王")


def test_the_coordinator_declines_with_a_reason_and_the_resident_applies_again(
    session, resident, staff, tree, sms
):
    apply(resident, tree)
    [made] = volunteers(session)
    url = f"/volunteering/desk/volunteers/{made.id}/decline"
    empty = staff.post(url, data={"reason": ""}, headers=EN)
    assert empty.status_code == 400 and "Say in a few words why" in empty.get_data(as_text=True)
    assert made.state == VolunteerState.APPLIED
    assert staff.post(url, data={"reason": "请先参加培训"}, headers=EN).status_code == 302
    session.expire_all()
    assert made.state == VolunteerState.DECLINED
    assert sms.recent(PHONE)[0].kind == "volunteer_declined"
    body = page(resident, "/volunteering/")
    assert "请先参加培训" in body and "Apply again" in body
    form = page(resident, "/volunteering/apply")
    assert 'value="李秀英"' in form
    apply(resident, tree)
    session.expire_all()
    assert made.state == VolunteerState.APPLIED


def test_a_reveal_shows_the_number_once_and_is_audited(session, resident, staff, tree):
    apply(resident, tree)
    [made] = volunteers(session)
    whole = factories.whole_id_number(made)
    response = staff.post(f"/volunteering/desk/volunteers/{made.id}/reveal",
                          data={"reveal-reason": "核对保险"}, headers=EN)  # fmt: skip
    assert response.status_code == 200 and whole in response.get_data(as_text=True)
    [event] = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "volunteering.reveal_id_number")
    ).all()
    assert event.details == {"reason": "核对保险"}
    assert whole not in page(staff, f"/volunteering/desk/volunteers/{made.id}")


def test_a_coordinator_of_another_community_and_a_resident_are_refused(
    session, app, resident, tree
):
    apply(resident, tree)
    [made] = volunteers(session)
    elsewhere = factories.user(session, Role.COORDINATOR, tree.other_community)
    session.commit()
    other = app.test_client()
    sign_in_staff(other, elsewhere)
    for browser in (other, resident):
        assert (
            browser.get(f"/volunteering/desk/volunteers/{made.id}", headers=EN).status_code == 403
        )
        for action in ("approve", "decline", "reveal"):
            url = f"/volunteering/desk/volunteers/{made.id}/{action}"
            assert browser.post(url, data={"reason": "不行"}, headers=EN).status_code == 403
    assert resident.get("/volunteering/desk", headers=EN).status_code == 403
    session.expire_all()
    assert made.state == VolunteerState.APPLIED
    assert "李秀英" not in page(other, "/volunteering/desk")


def test_the_tiles_show_volunteering_to_everyone_and_the_desk_to_coordinators(client, staff, tree):
    assert "/volunteering/" in page(client, "/")
    assert "/volunteering/desk" in page(staff, "/staff")


def test_a_missing_volunteer_is_not_found(staff):
    assert staff.get("/volunteering/desk/volunteers/999999", headers=EN).status_code == 404


def test_a_volunteer_sees_their_own_whole_number_unaudited(session, resident, tree):
    apply(resident, tree)
    [made] = volunteers(session)
    whole = factories.whole_id_number(made)
    made.state = VolunteerState.APPROVED
    session.commit()
    body = page(resident, "/volunteering/")
    assert whole not in body and "Show my whole ID number" in body
    shown = resident.post("/volunteering/my-id-number", headers=EN).get_data(as_text=True)
    assert whole in shown
    assert not session.scalars(
        select(AuditEvent).where(AuditEvent.action == "volunteering.reveal_id_number")
    ).all()


def test_a_number_that_does_not_open_is_said_plainly_and_nothing_is_recorded(
    session, resident, staff, tree
):
    apply(resident, tree)
    [made] = volunteers(session)
    # The sealed number of another row, copied in: it is bound to that row and does not open.
    other = factories.volunteer(session, tree.community)
    made.id_number_sealed = other.id_number_sealed
    session.commit()
    response = staff.post(f"/volunteering/desk/volunteers/{made.id}/reveal",
                          data={"reveal-reason": "核对保险"}, headers=EN)  # fmt: skip
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The whole ID card number cannot be read at the moment" in body
    assert made.id_number_masked in body and factories.whole_id_number(other) not in body
    assert "核对保险" in body  # the reason typed is kept
    assert not session.scalars(
        select(AuditEvent).where(AuditEvent.action == "volunteering.reveal_id_number")
    ).all()
    made.state = VolunteerState.APPROVED
    session.commit()
    mine = resident.post("/volunteering/my-id-number", headers=EN).get_data(as_text=True)
    assert "The whole ID card number cannot be read at the moment" in mine
    assert made.id_number_masked in mine
