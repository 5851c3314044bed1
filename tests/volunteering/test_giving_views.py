"""Giving, donating and declaring relatives over HTTP, on a phone: a volunteer gives hours to
a confirmed relative and donates to the pool; a wrong amount is refused on its field with what
was typed kept and nothing written; whoever is not an approved volunteer is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.db import utcnow
from portal.ledger.models import LedgerTransfer
from portal.volunteering import timebank
from portal.volunteering.models import Relative, RelativeState
from tests import factories
from tests.accounts.test_views import EN, page, sign_in_by_sms
from tests.volunteering.test_giving import bank, relative

PHONE = "13800138000"
RULES = timebank.TimeBankRules()


@pytest.fixture
def tree(session):
    return factories.tree(session)


@pytest.fixture
def volunteer(session, tree):
    made = factories.volunteer(
        session, tree.community, user=factories.user(session, phone=PHONE), name="张三丰"
    )
    bank(session, made.user, 300, tree.community, rules=RULES, now=utcnow())
    session.commit()
    return made


@pytest.fixture
def parent(session, volunteer):
    made = relative(session, volunteer, name="李秀英")
    session.commit()
    return made


@pytest.fixture
def resident(client, sms, volunteer):
    sign_in_by_sms(client, sms, PHONE)
    return client


def held(session, user) -> int:
    return timebank.person_account(session, user, RULES, now=utcnow()).balance


def transfers(session) -> int:
    return session.scalar(select(func.count()).select_from(LedgerTransfer))


def test_a_volunteer_gives_an_hour_and_a_half_to_their_parent(session, resident, volunteer, parent):
    form = page(resident, "/volunteering/hours/give")
    assert "李秀英" in form and 'inputmode="decimal"' in form and "You hold 5 hours" in form
    response = resident.post(
        "/volunteering/hours/give", data={"relative": str(parent.id), "hours": "１.５"}, headers=EN
    )
    assert response.status_code == 302 and response.headers["Location"] == "/volunteering/hours"
    assert (held(session, volunteer.user), held(session, parent.user)) == (210, 90)
    shown = page(resident, "/volunteering/hours")
    assert "Given to your parent 李秀英" in shown and "3.5" in shown


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("abc", "Give the hours as a number, such as 1 or 1.5."),
        ("0", "Give more than zero hours."),
        ("-1", "Give the hours as a number"),
        ("0.25", "Give hours in half hours"),
        ("6", "You hold 5 hours: give at most that."),
        ("", "Give the hours as a number"),
    ],
)
def test_a_wrong_amount_is_refused_on_its_field_and_kept(session, resident, parent, hours, message):
    before = transfers(session)
    response = resident.post(
        "/volunteering/hours/give", data={"relative": str(parent.id), "hours": hours}, headers=EN
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and message in body
    assert f'value="{hours}"' in body or hours == ""
    assert transfers(session) == before


def test_an_unconfirmed_relative_is_not_offered_nor_accepted(session, resident, volunteer):
    waiting = relative(session, volunteer, state=RelativeState.DECLARED, name="王大妈")
    session.commit()
    assert "王大妈" not in page(resident, "/volunteering/hours/give")
    before = transfers(session)
    response = resident.post(
        "/volunteering/hours/give", data={"relative": str(waiting.id), "hours": "1"}, headers=EN
    )
    assert response.status_code == 400 and "has not confirmed this relative" in response.get_data(
        as_text=True
    )
    assert transfers(session) == before


def test_another_volunteers_relative_cannot_be_chosen(session, resident, tree):
    other = factories.volunteer(session, tree.community, name="王五")
    theirs = relative(session, other, name="王母")
    session.commit()
    response = resident.post(
        "/volunteering/hours/give", data={"relative": str(theirs.id), "hours": "1"}, headers=EN
    )
    assert response.status_code == 400 and "Choose who to give hours to." in response.get_data(
        as_text=True
    )


def test_a_volunteer_donates_to_the_pool(session, resident, tree):
    assert "甲社区" in page(resident, "/volunteering/hours/donate")
    response = resident.post("/volunteering/hours/donate", data={"hours": "2"}, headers=EN)
    assert response.status_code == 302
    assert timebank.pool_account(session, tree.community, now=utcnow()).balance == 120
    assert "Donated to 甲社区 (en)&#39;s pool" in page(resident, "/volunteering/hours")


def test_a_donation_in_quarter_hours_is_refused(session, resident):
    before = transfers(session)
    response = resident.post("/volunteering/hours/donate", data={"hours": "1.25"}, headers=EN)
    assert response.status_code == 400 and "half hours" in response.get_data(as_text=True)
    assert transfers(session) == before


def test_a_volunteer_declares_a_relative_and_sees_it_wait(session, resident, volunteer):
    form = page(resident, "/volunteering/hours/relatives")
    assert 'inputmode="numeric"' in form and "Grandparent" in form
    response = resident.post(
        "/volunteering/hours/relatives",
        data={"kinship": "grandparent", "name": "赵奶奶", "phone": "139 0000 1111"},
        headers=EN,
    )
    assert response.status_code == 302
    made = session.scalars(select(Relative).where(Relative.volunteer_id == volunteer.id)).one()
    assert (made.name, made.user.phone) == ("赵奶奶", "13900001111")
    assert "Waiting for the community to confirm" in page(resident, "/volunteering/hours/relatives")


def test_a_declaration_with_a_bad_number_keeps_what_was_typed(session, resident):
    response = resident.post(
        "/volunteering/hours/relatives",
        data={"kinship": "parent", "name": "赵奶奶", "phone": "12345"},
        headers=EN,
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "11-digit" in body
    assert (
        'value="赵奶奶"' in body
        and 'value="12345"' in body
        and 'checked id="kinship-1" name="kinship" type="radio" value="parent"' in body
    )
    assert session.scalar(select(func.count()).select_from(Relative)) == 0


def test_a_resident_who_is_no_volunteer_is_refused(client, sms, session):
    factories.user(session, phone="13700001111")
    session.commit()
    sign_in_by_sms(client, sms, "13700001111")
    for url in (
        "/volunteering/hours/give",
        "/volunteering/hours/donate",
        "/volunteering/hours/relatives",
    ):
        assert client.get(url, headers=EN).status_code == 403
    assert (
        client.post("/volunteering/hours/donate", data={"hours": "1"}, headers=EN).status_code
        == 403
    )


def test_giving_needs_a_signed_in_phone(client):
    response = client.get("/volunteering/hours/give", headers=EN)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
