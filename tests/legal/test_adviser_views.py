"""The advisers' and supervisors' pages over HTTP: the queue, the conflict check before the
question, an answer with a snippet inserted (no JavaScript) and citations, a conflict passed
on, a supervisor's reassignment, snippets; and the same 404 for everyone else."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.legal import answering, asking
from portal.legal.models import AnswerSnippet, ConsultationState
from portal.permissions import Role
from portal.uploads.web import store
from tests import factories
from tests.accounts.test_views import EN, sign_in_by_sms, sign_in_staff
from tests.legal import helpers

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


@pytest.fixture
def world(session):
    made = helpers.world(session)
    session.commit()
    return made


@pytest.fixture
def sent(app, session, world):
    """Send a consultation from the world's community (texting its adviser needs an app)."""

    def send(**values):
        with app.test_request_context():
            return helpers.consultation(session, world.tree.community, **values)

    return send


@pytest.fixture
def browser(app, client):
    def signed_in(user):
        made = app.test_client()
        made.test_session = client.test_session
        assert sign_in_staff(made, user).status_code == 302
        return made

    return signed_in


def _tokenless(page: str) -> str:
    """The page without its CSRF tokens (signed with the time, they differ by the second)."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", page)


def _post(browser, url, data=None, headers=EN):
    return browser.post(url, data={"csrf_token": "", **(data or {})}, headers=headers)


def test_the_queue_and_the_conflict_check_before_the_question(sent, session, world, browser):
    made = sent()
    session.commit()
    adviser = browser(world.adviser)
    assert 'href="/legal/desk"' in adviser.get("/staff", headers=EN).get_data(as_text=True)
    desk = adviser.get("/legal/desk", headers=EN).get_data(as_text=True)
    assert made.reference in desk and "Check for a conflict first" in desk
    # Its deadline (26 November 2026) has passed: marked overdue, in words.
    assert '<span class="overdue">Overdue by' in desk
    assert helpers.QUESTION not in desk

    url = f"/legal/desk/{made.reference}"
    before = adviser.get(url, headers=EN).get_data(as_text=True)
    assert "王房东" in before and helpers.QUESTION not in before
    assert _post(adviser, f"{url}/clear").status_code == 302
    after = adviser.get(url, headers=EN).get_data(as_text=True)
    assert helpers.QUESTION in after
    reads = session.scalars(
        select(AuditEvent.action).where(AuditEvent.actor_id == world.adviser.id)
    ).all()
    assert "legal.consultation.read" in reads and "legal.consultation.cleared" in reads


def test_a_snippet_is_inserted_keeping_what_was_typed_then_the_answer_goes(
    sent, session, world, browser, sms
):
    made = sent()
    made.cleared_at = made.asked_at
    snippet = AnswerSnippet(adviser_id=world.adviser.id, title="押金", body="押金应当退还。")
    session.add(snippet)
    session.commit()
    adviser = browser(world.adviser)
    url = f"/legal/desk/{made.reference}/answer"
    typed = {"body": "您好，", "law_1": "中华人民共和国民法典", "article_1": "第七百二十二条"}
    shown = _post(adviser, url, {**typed, "snippet": str(snippet.id), "insert": "1"}, ZH)
    assert shown.status_code == 200
    text = shown.get_data(as_text=True)
    assert "您好，\n\n押金应当退还。</textarea>" in text and "第七百二十二条" in text
    assert made.state is ConsultationState.WAITING

    nothing = _post(adviser, url, {"body": " ", "snippet": ""}, EN)
    assert nothing.status_code == 400 and "Write your answer" in nothing.get_data(as_text=True)

    sent = _post(adviser, url, {**typed, "body": "您好，\n\n押金应当退还。"})
    assert sent.status_code == 302
    session.refresh(made)
    assert made.state is ConsultationState.ANSWERED
    assert sms.recent(made.user.phone)[0].kind == "legal_answered"
    thread = adviser.get(f"/legal/desk/{made.reference}", headers=ZH).get_data(as_text=True)
    assert "中华人民共和国民法典 第七百二十二条" in thread


def test_a_conflict_needs_a_reason_and_passes_it_on(sent, session, world, browser):
    made = sent()
    session.commit()
    adviser = browser(world.adviser)
    url = f"/legal/desk/{made.reference}/conflict"
    refused = _post(adviser, url, {"reason": ""})
    assert refused.status_code == 400
    assert "only supervisors read it" in refused.get_data(as_text=True)
    assert _post(adviser, url, {"reason": "对方是我的客户"}).status_code == 302
    session.refresh(made)
    assert made.adviser_id == world.second.id
    assert adviser.get(f"/legal/desk/{made.reference}", headers=EN).status_code == 404
    # The reason reaches the supervisor, not the next adviser.
    supervisor = browser(world.supervisor)
    overview = supervisor.get("/legal/desk", headers=EN).get_data(as_text=True)
    assert "对方是我的客户" in overview
    second = browser(world.second).get(f"/legal/desk/{made.reference}", headers=EN)
    assert "对方是我的客户" not in second.get_data(as_text=True)


def test_a_page_shown_after_a_refused_answer_is_in_the_audit_log(sent, session, world, browser):
    made = sent()
    made.cleared_at = made.asked_at
    session.commit()
    adviser = browser(world.adviser)
    # An answer with no text is refused; the page shown again holds the whole thread.
    refused = _post(adviser, f"/legal/desk/{made.reference}/answer", {"body": " "})
    assert refused.status_code == 400 and helpers.QUESTION in refused.get_data(as_text=True)
    reads = session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.actor_id == world.adviser.id, AuditEvent.target_id == str(made.id)
        )
    ).all()
    assert reads.count("legal.consultation.read") == 1


def test_a_supervisor_reads_and_reassigns(sent, session, world, browser, sms):
    made = sent()
    session.commit()
    supervisor = browser(world.supervisor)
    page = supervisor.get(f"/legal/desk/{made.reference}", headers=EN).get_data(as_text=True)
    assert helpers.QUESTION in page and "Give it to another adviser" in page
    url = f"/legal/desk/{made.reference}/reassign"
    assert _post(supervisor, url, {"adviser": "nonsense"}).status_code == 400
    assert _post(supervisor, url, {"adviser": str(world.street_adviser.id)}).status_code == 302
    session.refresh(made)
    assert made.adviser_id == world.street_adviser.id
    assert sms.recent(world.street_adviser.phone)[0].kind == "legal_consultation_new"
    # The adviser it was moved away from may have it back (from leave, say).
    page = supervisor.get(f"/legal/desk/{made.reference}", headers=EN).get_data(as_text=True)
    assert f'<option value="{world.adviser.id}">' in page


def test_the_supervisor_is_told_when_every_adviser_declared_a_conflict(
    app, sent, session, world, browser
):
    made = sent()
    with app.test_request_context():
        for adviser in (world.adviser, world.second, world.street_adviser, world.district_adviser):
            assert made.adviser_id == adviser.id
            answering.declare_conflict(session, adviser, made, "对方是我的委托人",
                                       settings=helpers.SETTINGS, now=made.asked_at)  # fmt: skip
    session.commit()
    assert made.adviser_id is None
    supervisor = browser(world.supervisor)
    page = supervisor.get(f"/legal/desk/{made.reference}", headers=EN).get_data(as_text=True)
    assert "No other adviser of its community, street or district can take it" in page
    assert "对方是我的委托人" in page


def test_snippets_are_kept_changed_and_deleted_by_their_adviser_only(session, world, browser):
    adviser = browser(world.adviser)
    assert _post(adviser, "/legal/snippets", {"title": "", "body": "x"}).status_code == 400
    assert _post(adviser, "/legal/snippets", {"title": "租房押金", "body": "押金应当退还。"}
                 ).status_code == 302  # fmt: skip
    snippet = session.scalar(
        select(AnswerSnippet).where(AnswerSnippet.adviser_id == world.adviser.id)
    )
    snippet_id = snippet.id
    url = f"/legal/snippets/{snippet_id}"
    assert "租房押金" in adviser.get("/legal/snippets", headers=EN).get_data(as_text=True)
    assert _post(adviser, url, {"title": "押金", "body": "押金应当全额退还。"}).status_code == 302
    other = browser(world.second)
    assert other.get(url, headers=EN).status_code == 404
    assert _post(other, f"{url}/delete").status_code == 404
    assert _post(adviser, f"{url}/delete").status_code == 302
    session.expire_all()
    assert session.scalar(select(AnswerSnippet.id).where(AnswerSnippet.id == snippet_id)) is None


def test_everyone_else_finds_no_such_consultation(app, sent, session, world, browser, client, sms):
    asker = factories.user(session, phone="13800138001")
    made = sent(resident=asker)
    secretary = factories.user(session, Role.SECRETARY, world.tree.community)
    grid_worker = factories.user(session, Role.GRID_WORKER, world.tree.grid)
    session.commit()
    sign_in_by_sms(client, sms, "13800138000")
    # The resident who asked reads it on their own page, not on the advisers' one.
    own = app.test_client()
    own.test_session = client.test_session
    sign_in_by_sms(own, sms, asker.phone)
    browsers = [browser(user) for user in (world.second, secretary, grid_worker, world.elsewhere)]
    for each in [*browsers, client, own]:
        each.get("/legal/desk/L2345678", headers=EN)  # past "You are signed in."
        missing = each.get("/legal/desk/L2345678", headers=EN)
        assert missing.status_code == 404
        response = each.get(f"/legal/desk/{made.reference}", headers=EN)
        assert response.status_code == 404
        # The same page, but for the address it was asked at (the language switch's link).
        shown = response.get_data(as_text=True).replace(made.reference, "L2345678")
        assert _tokenless(shown) == _tokenless(missing.get_data(as_text=True))
        for action in ("clear", "answer", "conflict", "reassign"):
            url = f"/legal/desk/{made.reference}/{action}"
            assert _post(each, url, {"body": "x", "reason": "x"}).status_code == 404, url
    session.refresh(made)
    assert made.state is ConsultationState.WAITING and made.cleared_at is None


def test_documents_show_once_the_adviser_has_no_conflict(app, sent, session, world, browser):
    made = sent()
    upload = factories.upload(session, store(app), owner=asking.document_owner(made))
    session.commit()
    adviser = browser(world.adviser)
    url = f"/legal/desk/{made.reference}"
    link = f"/legal/consultations/{made.reference}/documents/{upload.name}"
    assert link not in adviser.get(url, headers=EN).get_data(as_text=True)
    # Nor does the document open by its address before the conflict check.
    assert adviser.get(link, headers=EN).status_code == 404
    _post(adviser, f"{url}/clear")
    assert link in adviser.get(url, headers=EN).get_data(as_text=True)
    with adviser.get(link, headers=EN) as shown:
        assert shown.status_code == 200
    assert link in browser(world.supervisor).get(url, headers=EN).get_data(as_text=True)
