"""The FAQ's pages over HTTP: the public list, search and answer; the consent page from the
SMS; the adviser's proposal and draft; the supervisors' review."""

from datetime import timedelta

import pytest
from flask import render_template
from flask_login import login_user
from sqlalchemy import select

from portal.accounts.models import PhoneCode
from portal.legal.models import FaqState
from tests.accounts.test_views import EN, sign_in_by_sms, sign_in_staff
from tests.legal.faq_helpers import (
    CLEAN_ANSWER,
    CLEAN_QUESTION,
    consent_token,
    consented,
    proposed,
    published,
    published_text,
    submitted,
    world,
)


@pytest.fixture
def legal(session):
    made = world(session)
    session.commit()
    return made


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_public_list_and_search_show_only_published_answers(client, session, legal):
    shown = published_text(session, legal, "房东不退押金怎么办？", "押金应当返还。")
    hidden = submitted(session, legal)
    session.commit()
    listed = text(client.get("/legal/faq", headers=EN))
    assert "房东不退押金怎么办" in listed and CLEAN_QUESTION[:10] not in listed
    searched = client.get("/legal/faq?q=押金", headers=EN)
    assert searched.status_code == 200
    assert f"/legal/faq/{shown.id}" in text(searched)
    assert f"/legal/faq/{hidden.id}" not in text(searched)
    assert "1 answer found" in text(searched)
    assert "押金应当返还" in text(client.get(f"/legal/faq/{shown.id}", headers=EN))
    assert client.get(f"/legal/faq/{hidden.id}").status_code == 404
    assert client.get(f"/legal/faq/{hidden.id + 100}").status_code == 404
    # A topic that does not exist, or is not a number, shows them all.
    assert client.get("/legal/faq?topic=abc&page=x").status_code == 200


def test_the_resident_agrees_on_the_page_the_sms_links_to(client, session, legal, sms):
    faq, _token = proposed(session, legal)
    session.commit()
    token = consent_token(sms, legal.resident.phone)
    url = f"/legal/faq/consent/{token}"
    # The link alone reads nothing of the consultation: an SMS is forwarded and previewed.
    page = text(client.get(url, headers=EN))
    assert "不退押金三千元" not in page and "Sign in to read them" in page
    sign_in_by_sms(client, sms, "13900001111")  # another resident
    assert "不退押金三千元" not in text(client.get(url, headers=EN))
    client.post("/sign-out")
    sign_in_by_sms(client, sms, legal.resident.phone)
    page = text(client.get(url, headers=EN))
    assert "不退押金三千元" in page and "Sign in to read them" not in page
    assert client.post(url, data={"resend": "1"}).status_code == 302
    code = sms.code(legal.resident.phone)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    refused = client.post(url, data={"code": wrong, "decision": "agree"}, headers=EN)
    assert refused.status_code == 302
    assert "The code is not right" in text(client.get(url, headers=EN))
    session.refresh(faq)
    assert faq.state == FaqState.ASKED
    agreed = client.post(url, data={"code": code, "decision": "agree"}, headers=EN)
    assert agreed.status_code == 302
    session.refresh(faq)
    assert faq.state == FaqState.CONSENTED
    assert "You agreed" in text(client.get(url, headers=EN))
    # A few minutes later they change their mind: a new code, and the consent is taken back.
    for sent in session.scalars(select(PhoneCode)):
        sent.created_at -= timedelta(minutes=5)
    session.commit()
    assert "Take back my consent" in text(client.get(url, headers=EN))
    assert client.post(url, data={"resend": "1"}).status_code == 302
    code = sms.code(legal.resident.phone)
    assert client.post(url, data={"code": code, "decision": "take_back"}).status_code == 302
    session.refresh(faq)
    assert faq.state == FaqState.WITHDRAWN
    assert "You said no" in text(client.get(url, headers=EN))


def test_the_resident_can_say_no(client, session, legal, sms):
    faq, token = proposed(session, legal)
    session.commit()
    url = f"/legal/faq/consent/{token}"
    client.post(url, data={"resend": "1"})
    client.post(url, data={"code": sms.code(legal.resident.phone), "decision": "decline"})
    session.refresh(faq)
    assert faq.state == FaqState.WITHDRAWN and faq.refused_at is not None
    assert "You said no" in text(client.get(url, headers=EN))


def test_a_consent_token_that_does_not_exist_is_not_found(client, legal):
    assert client.get("/legal/faq/consent/ABCDEFGHJKLM").status_code == 404
    assert client.post("/legal/faq/consent/nope", data={"resend": "1"}).status_code == 404


def test_the_adviser_proposes_from_the_consultation(client, session, legal, sms):
    sign_in_staff(client, legal.other_adviser)
    url = f"/legal/desk/{legal.consultation.reference}/faq"
    assert client.post(url).status_code == 404
    client.post("/sign-out")
    sign_in_staff(client, legal.adviser)
    response = client.post(url, headers=EN)
    assert response.status_code == 302 and "/legal/faq/drafts/" in response.location
    assert consent_token(sms, legal.resident.phone)
    assert "Waiting for the resident" in text(client.get(response.location, headers=EN))


def test_the_adviser_sees_the_flags_beside_the_text_and_cannot_send_it(client, session, legal):
    faq = consented(session, legal)
    session.commit()
    sign_in_staff(client, legal.adviser)
    url = f"/legal/faq/drafts/{faq.id}"
    page = text(client.get(url, headers=EN))
    assert "Name given in the consultation" in page and "Mobile number" in page
    flagged = client.post(url, data={"question": "李大伟不退押金", "answer": CLEAN_ANSWER,
                                     "submit": "1"}, headers=EN)  # fmt: skip
    assert flagged.status_code == 400
    assert "李大伟不退押金" in text(flagged) and "may still name someone" in text(flagged)
    session.refresh(faq)
    assert faq.state == FaqState.CONSENTED and faq.question == "李大伟不退押金"
    sent = client.post(url, data={"question": CLEAN_QUESTION, "answer": CLEAN_ANSWER,
                                  "submit": "1"}, headers=EN)  # fmt: skip
    assert sent.status_code == 302
    session.refresh(faq)
    assert faq.state == FaqState.SUBMITTED


def test_another_adviser_cannot_open_the_draft(client, session, legal):
    faq = consented(session, legal)
    session.commit()
    sign_in_staff(client, legal.other_adviser)
    assert client.get(f"/legal/faq/drafts/{faq.id}").status_code == 404


def test_a_supervisor_of_the_district_publishes_and_withdraws(client, session, legal):
    faq = submitted(session, legal)
    session.commit()
    sign_in_staff(client, legal.other_supervisor)
    assert client.post(f"/legal/faq/review/{faq.id}/publish").status_code == 404
    assert CLEAN_QUESTION not in text(client.get("/legal/faq/review", headers=EN))
    client.post("/sign-out")
    sign_in_staff(client, legal.supervisor)
    assert CLEAN_QUESTION in text(client.get("/legal/faq/review", headers=EN))
    response = client.post(f"/legal/faq/review/{faq.id}/publish")
    assert response.location.endswith(f"/legal/faq/{faq.id}")
    assert client.get(f"/legal/faq/{faq.id}").status_code == 200
    client.post(f"/legal/faq/review/{faq.id}/withdraw")
    assert client.get(f"/legal/faq/{faq.id}").status_code == 404


def test_the_review_page_is_not_found_for_anyone_else(client, legal):
    sign_in_staff(client, legal.adviser)
    assert client.get("/legal/faq/review").status_code == 404


def test_the_adviser_partial_offers_the_proposal_then_where_it_stands(app, session, legal):
    with app.test_request_context(headers=EN):
        login_user(legal.adviser)
        before = render_template("legal/_faq_adviser.html", consultation=legal.consultation)
        assert "Propose publishing it" in before
        faq = published(session, legal)
        after = render_template("legal/_faq_adviser.html", consultation=legal.consultation)
        assert "Published" in after and f"/legal/faq/drafts/{faq.id}" in after


def test_the_adviser_finds_closed_consultations_and_drafts_to_write_on_the_desk(
    client, session, legal, sms
):
    sign_in_staff(client, legal.adviser)
    closed = text(client.get("/legal/desk?show=closed", headers=EN))
    assert "Closed (1)" in closed and legal.consultation.reference in closed
    assert "Answers to write for the public" not in closed
    faq = consented(session, legal)
    session.commit()
    desk = text(client.get("/legal/desk", headers=EN))
    assert "Answers to write for the public" in desk and f"/legal/faq/drafts/{faq.id}" in desk
    # Only to the adviser who proposed it.
    client.post("/sign-out")
    sign_in_staff(client, legal.other_adviser)
    assert f"/legal/faq/drafts/{faq.id}" not in text(client.get("/legal/desk", headers=EN))
