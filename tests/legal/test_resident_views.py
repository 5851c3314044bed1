"""The resident's pages of legal consultations over HTTP: asking with a photo of a contract,
bad input that keeps everything typed, a minor's guardian code, the thread's follow-up and
rating, and the same 404 for everyone else as for a consultation that does not exist, on the
thread and on its documents."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from portal.legal.models import Consultation, ConsultationState, LegalTopic
from portal.permissions import Role
from tests import factories
from tests.accounts.test_views import EN, page, sign_in_by_sms, sign_in_staff

PHONE = "13800138000"
QUESTION = "我租的房子到期了，房东不退押金，说墙面有污渍。我该怎么办？"


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def tree(session):
    made = factories.tree(session)
    session.commit()
    return made


@pytest.fixture
def adviser(session, tree):
    made = factories.user(session, Role.LEGAL_ADVISER, tree.community, name="赵律师")
    session.commit()
    return made


@pytest.fixture
def resident(client, sms):
    sign_in_by_sms(client, sms, PHONE)
    return client


def topic_id(session) -> str:
    return str(session.scalars(select(LegalTopic).order_by(LegalTopic.position)).first().id)


def form(session, **fields) -> dict:
    return {
        "topic": topic_id(session),
        "question": QUESTION,
        "other_party": "王大明",
        "minor": "no",
        "consent": "y",
    } | fields


def ask_url(tree) -> str:
    return f"/legal/ask/{tree.community.code}"


def asked(session) -> Consultation:
    session.expire_all()
    return session.scalars(select(Consultation)).one()


def test_a_resident_asks_with_a_photo_of_a_contract_and_reads_the_thread(
    resident, session, tree, adviser, sms
):
    # The community's code in any case.
    body = page(resident, ask_url(tree).lower())
    assert "Ask a legal adviser" in body and 'type="file"' in body
    assert 'name="consent"' in body and "checked" not in body.split('name="consent"')[1][:40]
    data = form(session, documents=(io.BytesIO(jpeg()), "contract.jpg"))
    response = resident.post(ask_url(tree), data=data, headers=EN)
    made = asked(session)
    assert response.status_code == 302
    assert response.location.endswith(f"/legal/consultations/{made.reference}")
    assert made.state is ConsultationState.WAITING and made.adviser_id == adviser.id
    assert made.consented_at is not None and made.other_party == "王大明"
    thread = page(resident, f"/legal/consultations/{made.reference}")
    assert QUESTION in thread and "Waiting for the adviser&#39;s answer" in thread
    assert "Answer due" in thread and "by " in thread
    link = f"/legal/consultations/{made.reference}/documents/"
    assert link in thread
    name = thread.split(link)[1].split('"')[0]
    with resident.get(link + name) as shown:
        assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    mine = page(resident, "/legal/consultations")
    assert made.reference in mine


def test_an_unknown_community_is_not_found(resident, tree):
    assert resident.get("/legal/ask/NOSUCH", headers=EN).status_code == 404
    # A street is not a community.
    assert resident.get(f"/legal/ask/{tree.street.code}", headers=EN).status_code == 404


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"consent": ""}, "Tick the box to agree"),
        ({"question": ""}, "Write your question."),
        ({"question": "法" * 2001}, "within 2,000 characters"),
        ({"minor": "yes", "guardian_phone": "12345"}, "guardian&#39;s 11-digit mobile number"),
    ],
)
def test_bad_input_is_said_and_everything_typed_stays(
    resident, session, tree, adviser, fields, message
):
    data = form(session, **fields)
    if not data["consent"]:
        del data["consent"]
    response = resident.post(ask_url(tree), data=data, headers=EN)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and message in body
    assert session.scalars(select(Consultation)).all() == []
    assert data["question"] in body and "王大明" in body
    assert re.search(
        f'<input checked id="topic-[0-9]+" name="topic"[^>]*value="{data["topic"]}"', body
    )
    if "guardian_phone" in fields:
        assert 'value="12345"' in body


def test_a_photo_sent_with_a_mistake_is_kept_for_the_next_try(resident, session, tree, adviser):
    data = form(session, consent="", documents=(io.BytesIO(jpeg()), "contract.jpg"))
    del data["consent"]
    body = resident.post(ask_url(tree), data=data, headers=EN).get_data(as_text=True)
    assert "1 document added." in body
    kept = body.split('name="kept" type="hidden" value="')[1].split('"')[0]
    again = resident.post(ask_url(tree), data=form(session, kept=kept), headers=EN)
    assert again.status_code == 302
    thread = page(resident, f"/legal/consultations/{asked(session).reference}")
    assert f"/documents/{kept}" in thread


def test_a_minors_question_waits_for_the_code_texted_to_the_guardian(
    resident, session, tree, adviser, sms
):
    data = form(session, minor="yes", guardian_phone="13912340000")
    response = resident.post(ask_url(tree), data=data, headers=EN)
    made = asked(session)
    assert response.location.endswith(f"/legal/consultations/{made.reference}/guardian")
    assert made.state is ConsultationState.AWAITING_GUARDIAN and made.adviser_id is None
    assert sms.recent(adviser.phone) == []
    guardian_page = page(resident, f"/legal/consultations/{made.reference}/guardian")
    assert "139****0000" in guardian_page and "13912340000" not in guardian_page
    assert 'inputmode="numeric"' in guardian_page
    code = sms.code("13912340000")
    wrong = resident.post(
        f"/legal/consultations/{made.reference}/guardian",
        data={"code": "000000" if code != "000000" else "111111"},
        headers=EN,
    )
    assert wrong.status_code == 400 and "The code is not right" in wrong.get_data(as_text=True)
    assert asked(session).state is ConsultationState.AWAITING_GUARDIAN
    # Another code at once is refused, with the wait said; the first still works.
    resend = resident.post(
        f"/legal/consultations/{made.reference}/guardian", data={"resend": "1"}, headers=EN
    )
    assert resend.status_code == 400
    assert "A code was sent less than a minute ago" in resend.get_data(as_text=True)
    right = resident.post(
        f"/legal/consultations/{made.reference}/guardian", data={"code": code}, headers=EN
    )
    assert right.status_code == 302
    assert asked(session).state is ConsultationState.WAITING
    assert len(sms.recent(adviser.phone)) == 1


def test_the_resident_follows_up_and_rates_once_answered(resident, session, tree, adviser, sms):
    from portal.db import utcnow
    from tests.legal.test_thread import answer

    resident.post(ask_url(tree), data=form(session), headers=EN)
    made = asked(session)
    # Not answered yet: no follow-up form, no rating.
    assert "Rate the answer" not in page(resident, f"/legal/consultations/{made.reference}")
    answer(session, made, utcnow())
    session.commit()
    thread = page(resident, f"/legal/consultations/{made.reference}")
    assert "Answer from 赵律师" in thread and adviser.phone not in thread
    assert "中华人民共和国民法典 第七百零三条" in thread
    assert "You can ask 2 more questions about this." in thread
    empty = resident.post(f"/legal/consultations/{made.reference}/follow-up", data={"body": ""},
                          headers=EN)  # fmt: skip
    assert empty.status_code == 400 and "Write your question." in empty.get_data(as_text=True)
    sent = resident.post(f"/legal/consultations/{made.reference}/follow-up",
                         data={"body": "押金条丢了怎么办？"}, headers=EN)  # fmt: skip
    assert sent.status_code == 302 and asked(session).follow_ups == 1
    answer(session, asked(session), utcnow())
    session.commit()
    no_choice = resident.post(f"/legal/consultations/{made.reference}/rating",
                              data={"comment": "很好"}, headers=EN)  # fmt: skip
    body = no_choice.get_data(as_text=True)
    assert no_choice.status_code == 400 and "Choose how satisfied you are." in body
    assert "很好" in body
    rated = resident.post(f"/legal/consultations/{made.reference}/rating",
                          data={"rating": "satisfied", "comment": "很好"}, headers=EN)  # fmt: skip
    assert rated.status_code == 302
    closed = asked(session)
    assert closed.state is ConsultationState.CLOSED and closed.rating_comment == "很好"
    assert "Legal service days" in page(resident, f"/legal/consultations/{made.reference}")


# A form's CSRF token carries the second it was made in: two pages a second apart differ there.
TOKEN = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+"')


def tokenless(body: str) -> str:
    return TOKEN.sub(r'\1"', body)


def staff_browser(app, user):
    browser = app.test_client()
    assert sign_in_staff(browser, user).status_code == 302
    return browser


def test_everyone_else_gets_the_same_404_as_for_a_consultation_that_does_not_exist(
    app, resident, session, tree, adviser, sms
):
    data = form(session, documents=(io.BytesIO(jpeg()), "contract.jpg"))
    resident.post(ask_url(tree), data=data, headers=EN)
    made = asked(session)
    thread = page(resident, f"/legal/consultations/{made.reference}")
    document = thread.split(f"/legal/consultations/{made.reference}/documents/")[1].split('"')[0]
    # The resident: an unknown document is the same 404 as a consultation that is not there.
    missing = resident.get(f"/legal/consultations/LNOSUCH1/documents/{document}", headers=EN)
    unknown = resident.get(
        f"/legal/consultations/{made.reference}/documents/{'0' * 32}.jpg", headers=EN
    )
    assert missing.status_code == unknown.status_code == 404
    assert tokenless(missing.get_data(as_text=True)) == tokenless(
        unknown.get_data(as_text=True)
        .replace(made.reference, "LNOSUCH1")
        .replace(f"{'0' * 32}.jpg", document)
    )
    other_resident = app.test_client()
    sign_in_by_sms(other_resident, sms, "13911112222")
    not_assigned = factories.user(session, Role.LEGAL_ADVISER, tree.community, name="钱律师")
    elsewhere = factories.user(session, Role.LEGAL_ADVISER, tree.other_community, name="孙律师")
    secretary = factories.user(session, Role.SECRETARY, tree.community, name="书记")
    grid_worker = factories.user(session, Role.GRID_WORKER, tree.grid, name="网格员")
    other_district = factories.place(session, None, "别区")
    supervisor_elsewhere = factories.user(session, Role.LEGAL_SUPERVISOR, other_district)
    supervisor = factories.user(session, Role.LEGAL_SUPERVISOR, tree.district, name="督导")
    session.commit()
    staff = (not_assigned, elsewhere, secretary, grid_worker, supervisor_elsewhere)
    browsers = [other_resident] + [staff_browser(app, user) for user in staff]
    for browser in browsers:
        # The flash of signing in goes with the first page.
        browser.get("/legal/consultations")
        for there, nothing in [
            (f"/legal/consultations/{made.reference}", "/legal/consultations/LNOSUCH1"),
            (
                f"/legal/consultations/{made.reference}/documents/{document}",
                f"/legal/consultations/LNOSUCH1/documents/{document}",
            ),
            (
                f"/legal/consultations/{made.reference}/guardian",
                "/legal/consultations/LNOSUCH1/guardian",
            ),
        ]:
            refused, absent = browser.get(there, headers=EN), browser.get(nothing, headers=EN)
            assert refused.status_code == absent.status_code == 404, there
            # The same page, but for the address it was asked at.
            same = refused.get_data(as_text=True).replace(made.reference, "LNOSUCH1")
            assert tokenless(same) == tokenless(absent.get_data(as_text=True)), there
        for action in ("follow-up", "rating"):
            url = f"/legal/consultations/{made.reference}/{action}"
            assert browser.post(url, data={"body": "x", "rating": "satisfied"}).status_code == 404
    assert asked(session).state is ConsultationState.WAITING
    # The adviser it is given to (once they have declared no conflict: tests/legal/
    # test_adviser_views.py), and the district's supervisor, read the document; each read is
    # audited.
    consultation = asked(session)
    consultation.cleared_at = consultation.asked_at
    session.commit()
    for reader in (adviser, supervisor):
        browser = staff_browser(app, reader)
        with browser.get(f"/legal/consultations/{made.reference}/documents/{document}") as shown:
            assert shown.status_code == 200
    from portal.audit.models import AuditEvent

    session.expire_all()
    actions = session.scalars(select(AuditEvent.action)).all()
    assert actions.count("legal.consultation.document") == 2


def test_residents_find_where_to_ask_from_their_door_the_service_days_and_home(
    resident, client, tree
):
    ask_link = f'href="/legal/ask/{tree.community.code}"'
    assert ask_link in page(client, f"/b/{tree.building.public_code}")
    assert ask_link in page(client, f"/c/{tree.community.code}/legal")
    home = page(resident, "/")
    assert 'href="/legal/consultations"' in home and "My legal consultations" in home
    mine = page(resident, "/legal/consultations")
    assert "You have not asked a legal question yet." in mine and 'href="/find"' in mine


def test_asking_is_limited_per_phone(app, monkeypatch, resident, session, tree, adviser):
    monkeypatch.setitem(app.config, "LEGAL_ASK_LIMIT_PER_PHONE", "1 per day")
    assert resident.post(ask_url(tree), data=form(session), headers=EN).status_code == 302
    again = resident.post(ask_url(tree), data=form(session), headers=EN)
    body = again.get_data(as_text=True)
    assert again.status_code == 429 and "Too many questions were sent from here" in body
    assert QUESTION in body
    assert len(session.scalars(select(Consultation)).all()) == 1


def test_a_pdf_is_kept_and_given_back_as_a_download(resident, session, tree, adviser):
    from tests.uploads.test_pdfs import document

    data = form(session, documents=(io.BytesIO(document()), "contract.pdf"))
    assert resident.post(ask_url(tree), data=data, headers=EN).status_code == 302
    thread = page(resident, f"/legal/consultations/{asked(session).reference}")
    assert "(PDF)" in thread
    link = re.search(r'href="(/legal/consultations/[^"]+\.pdf)"', thread).group(1)
    with resident.get(link) as shown:
        assert shown.status_code == 200 and shown.mimetype == "application/pdf"
        assert "no-store" in shown.headers["Cache-Control"]
