"""The archivists' pages over HTTP: the queue by tabs with overdue marked and names masked, a
request's page with its documents by checklist and its history, every action's form with bad
input shown next to its field and everything typed (and every scan sent) kept, the reveal of
the ID numbers for the handler only, the assisting archive's answer, and the same 404 for
everyone else as for a request that does not exist."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from portal.archives import answering, assists, documents, identity, letters, review
from portal.archives.models import Delivery, Outcome, Proof, RequestState
from portal.audit.models import AuditEvent
from portal.db import utcnow
from portal.permissions import Role
from portal.uploads.web import store
from tests import factories
from tests.accounts.test_views import EN, sign_in_by_sms, sign_in_staff
from tests.archives import helpers
from tests.archives.helpers import SETTINGS, TUESDAY_10AM

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


@pytest.fixture
def world(session):
    made = helpers.world(session)
    session.commit()
    return made


@pytest.fixture
def sent(app, session, world):
    """A request sent to the district's archive (in a request context: its texts need one)."""

    def send(**values):
        with app.test_request_context(headers=EN):
            made = helpers.request(session, world, **values)
        session.commit()
        return made

    return send


@pytest.fixture
def act(app, session):
    """Run a service as the archivists' side does, outside HTTP."""

    def run(action):
        with app.test_request_context(headers=EN):
            result = action()
        session.commit()
        return result

    return run


@pytest.fixture
def browser(app, client):
    def signed_in(user):
        made = app.test_client()
        made.test_session = client.test_session
        assert sign_in_staff(made, user).status_code == 302
        return made

    return signed_in


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "JPEG")
    return out.getvalue()


# A Windows program named as a PDF.
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def _post(browser, url, data=None, headers=EN):
    return browser.post(url, data={"csrf_token": "", **(data or {})}, headers=headers)


def _tokenless(page: str) -> str:
    """The page without its CSRF tokens (signed with the time, they differ by the second)."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", page)


def _text(response) -> str:
    return response.get_data(as_text=True)


def desk_url(made, action: str = "") -> str:
    return f"/archives/desk/requests/{made.reference}" + (f"/{action}" if action else "")


def test_the_queue_marks_overdue_masks_names_and_keeps_its_tabs(sent, world, browser):
    overdue = sent()  # Tuesday 24 November 2026: its review was due on the 25th.
    fresh = sent(now=utcnow(), relation=helpers.Relation.SELF)
    archivist = browser(world.archivist)
    assert 'href="/archives/desk"' in _text(archivist.get("/staff", headers=EN))
    page = _text(archivist.get("/archives/desk", headers=EN))
    assert "To review (2)" in page and "To answer (0)" in page
    first, second = page.index(overdue.reference), page.index(fresh.reference)
    assert first < second  # soonest due first
    row = page[first:second]
    assert '<span class="overdue">Overdue by' in row and "Marriage registration" in row
    assert "Relative of a deceased person" in row and "李*" in row and "李父" not in page
    assert "Due in" in page[second:]
    answer_tab = _text(archivist.get("/archives/desk?tab=answer", headers=EN))
    assert (
        overdue.reference not in answer_tab
        and "No archive request is waiting for an answer." in answer_tab
    )
    # In Chinese too.
    assert "待审核（2）" in _text(archivist.get("/archives/desk", headers=ZH))


def test_an_archivist_of_two_archives_chooses_and_others_have_no_desk(
    app, session, sent, world, browser, client, sms
):
    helpers.member(session, world.street_archive, world.archivist)
    session.commit()
    street = sent(archive_=world.street_archive)
    archivist = browser(world.archivist)
    page = _text(archivist.get("/archives/desk?archive=street-archive", headers=EN))
    assert street.reference in page and 'aria-current="page">First Street Records Room' in page
    assert archivist.get("/archives/desk?archive=elsewhere-archive").status_code == 404
    secretary = browser(factories.user(session, Role.SECRETARY, world.tree.community))
    assert secretary.get("/archives/desk", headers=EN).status_code == 404
    sign_in_by_sms(client, sms, world.resident.phone)
    client.get("/archives/desk", headers=EN)  # past "You are signed in."
    assert client.get("/archives/desk", headers=EN).status_code == 404


def test_the_request_page_shows_the_checklist_documents_and_history_and_is_audited(
    app, session, sent, world, browser
):
    made = sent()
    upload = factories.upload(session, store(app), owner=documents.documents_owner(made),
                              purpose=documents.proof_purpose(Proof.DEATH_CERTIFICATE))  # fmt: skip
    session.commit()
    page = _text(browser(world.second).get(desk_url(made), headers=EN))
    assert "李居民" in page and "李父" in page and "办理房产继承" in page
    assert made.requester_id_masked in page and made.subject_id_masked in page
    link = f"/archives/requests/{made.reference}/files/{upload.name}"
    death = page.index("Death certificate")
    assert page.index(link) > death and "The requester's ID card" in page
    assert "Not sent" in page  # the requester's ID and the proof of kinship are missing
    assert "Request sent" in page  # the history
    assert "Show the whole ID numbers" in page
    reads = session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.actor_id == world.second.id, AuditEvent.target_id == str(made.id)
        )
    ).all()
    assert reads == ["archives.request.read"]


def test_accepting_then_tapping_again_is_told_it_moved_on(sent, session, world, browser):
    made = sent()
    archivist = browser(world.archivist)
    accepted = _post(archivist, desk_url(made, "accept"))
    assert accepted.status_code == 302 and accepted.location.endswith(desk_url(made))
    session.refresh(made)
    assert made.state is RequestState.ACCEPTED and made.handler_id == world.archivist.id
    page = _text(archivist.get(desk_url(made), headers=EN))
    assert "Accepted. The answer is due" in page and "Record the result" in page
    second = browser(world.second)
    assert _post(second, desk_url(made, "accept")).status_code == 302
    assert "This request has moved on" in _text(second.get(desk_url(made), headers=EN))
    session.refresh(made)
    assert made.handler_id == world.archivist.id


@pytest.mark.parametrize(
    ("action", "field", "typed", "message"),
    [
        ("more", "note", "", "Say which document is missing"),
        ("more", "note", "户" * 301, "Keep it within 300 characters."),
        ("refuse", "reason", " ", "Give the reason: the resident reads it."),
        ("refuse", "reason", "因" * 501, "Keep the reason within 500 characters."),
    ],
)
def test_bad_input_is_shown_by_its_field_keeping_what_was_typed(
    sent, session, world, browser, sms, action, field, typed, message
):
    made = sent()
    refused = _post(browser(world.archivist), desk_url(made, action), {field: typed})
    assert refused.status_code == 400
    page = _text(refused)
    assert message in page and f'<p class="field-error" id="{field}-error">' in page
    assert f"{typed.strip()}</textarea>" in page
    session.refresh(made)
    assert made.state is RequestState.SUBMITTED and sms.recent(world.resident.phone) == []


def test_asking_for_more_and_refusing_text_the_resident(sent, session, world, browser, sms):
    made = sent()
    archivist = browser(world.archivist)
    asked = _post(archivist, desk_url(made, "more"), {"note": "请补充您与父亲关系的户口簿页"})
    assert asked.status_code == 302
    session.refresh(made)
    assert made.state is RequestState.AWAITING_DOCUMENTS
    page = _text(archivist.get(desk_url(made), headers=EN))
    assert "请补充您与父亲关系的户口簿页" in page and "The clock stands still" in page
    refused = _post(archivist, desk_url(made, "refuse"), {"reason": "逾期未补充材料"})
    assert refused.status_code == 302
    session.refresh(made)
    assert made.state is RequestState.REFUSED
    assert [m.kind for m in sms.recent(world.resident.phone)] == [
        "archives_refused", "archives_more_documents",
    ]  # fmt: skip


def test_passing_on_and_the_assisting_archives_answer_with_a_scan(
    act, sent, session, world, browser, sms
):
    made = sent()
    act(lambda: review.accept(session, world.archivist, made, settings=SETTINGS,
                              now=TUESDAY_10AM))  # fmt: skip
    archivist = browser(world.archivist)
    page = _text(archivist.get(desk_url(made), headers=EN))
    assert '<option value="street-archive">First Street Records Room</option>' in page
    assert '<option value="district-archive"' not in page
    refused = _post(
        archivist, desk_url(made, "pass"), {"another-archive": "", "another-note": "请查1983年登记"}
    )
    assert refused.status_code == 400
    assert "Choose the archive to ask for help." in _text(refused)
    assert "请查1983年登记</textarea>" in _text(refused)
    assert _post(archivist, desk_url(made, "pass"),
                 {"another-archive": "street-archive", "another-note": "请查1983年登记"}).status_code == 302  # fmt: skip
    assert sms.recent(world.street_archivist.phone)[0].kind == "archives_assist"

    helper = browser(world.street_archivist)
    assert made.reference in _text(helper.get("/archives/desk?tab=assists", headers=EN))
    page = _text(helper.get(desk_url(made), headers=EN))
    assert "Your archive's answer" in page and "请查1983年登记" in page
    assert "Record the result" not in page and "Refuse" not in page
    url = desk_url(made, "assist-answer")
    typed = {"assist-outcome": "found", "assist-summary": "1983年5月登记结婚。"}
    missing = _post(helper, url, typed)
    assert missing.status_code == 400
    assert "Give the file number (档号)" in _text(missing)
    assert "1983年5月登记结婚。</textarea>" in _text(missing)
    # An executable sent as a scan is refused; what was typed stays.
    bad = _post(helper, url, {**typed, "assist-file_number": "婚1983-0042",
                              "assist-scans": (io.BytesIO(EXECUTABLE), "scan.pdf")})  # fmt: skip
    assert bad.status_code == 400 and "This file is neither a photo nor a PDF" in _text(bad)
    assert 'value="婚1983-0042"' in _text(bad)
    answered = _post(helper, url, {**typed, "assist-file_number": "婚1983-0042",
                                   "assist-scans": (io.BytesIO(jpeg()), "scan.jpg")})  # fmt: skip
    assert answered.status_code == 302
    assert len(documents.scans(session, made)) == 1

    # The receiving archivist's result form starts from the answer.
    page = _text(archivist.get(desk_url(made), headers=EN))
    assert re.search(r'<input checked id="outcome-0"[^>]* value="found">', page)
    assert 'value="婚1983-0042"' in page and "Filled in from the answer of" in page


def test_a_result_keeps_its_scans_across_a_refused_try_and_issues_the_letter(
    act, sent, session, world, browser, sms
):
    made = sent(delivery=Delivery.POST)
    act(lambda: review.accept(session, world.archivist, made, settings=SETTINGS,
                              now=TUESDAY_10AM))  # fmt: skip
    archivist = browser(world.archivist)
    url = desk_url(made, "result")
    first = _post(archivist, url, {"outcome": "found", "summary": "1983年5月登记结婚。",
                                   "scans": (io.BytesIO(jpeg()), "page1.jpg")})  # fmt: skip
    assert first.status_code == 400
    page = _text(first)
    assert "Give the file number (档号)" in page and "1 scanned page added." in page
    kept = re.search(r'name="kept" type="hidden" value="([^"]+)"', page) or re.search(
        r'type="hidden" name="kept" value="([^"]+)"', page
    )
    assert kept, page
    session.refresh(made)
    assert made.state is RequestState.ACCEPTED and made.letter_id is None
    done = _post(archivist, url, {"outcome": "found", "summary": "1983年5月登记结婚。",
                                  "file_number": "婚1983-0042", "kept": kept.group(1)})  # fmt: skip
    assert done.status_code == 302
    session.refresh(made)
    assert made.state is RequestState.ANSWERED and made.letter_id is not None
    assert [scan.name for scan in documents.scans(session, made)] == [kept.group(1)]
    assert sms.recent(world.resident.phone)[0].kind == "archives_answered"
    page = _text(archivist.get(desk_url(made), headers=EN))
    assert f'href="/archives/requests/{made.reference}/letter"' in page
    assert "Record it as posted" in page

    assert _post(archivist, desk_url(made, "dispatch"), {"note": ""}).status_code == 400
    assert _post(archivist, desk_url(made, "dispatch"), {"note": "EMS 1234567890123"}
                 ).status_code == 302  # fmt: skip
    session.refresh(made)
    assert made.dispatch_note == "EMS 1234567890123"
    refused = _post(archivist, desk_url(made, "withdraw"), {"reason": ""})
    assert refused.status_code == 400 and "Say why the letter is withdrawn" in _text(refused)
    assert _post(archivist, desk_url(made, "withdraw"), {"reason": "档号有误"}).status_code == 302
    assert letters.letter_of(session, made).withdrawn_at is not None
    withdrawn_page = _text(archivist.get(desk_url(made), headers=EN))
    assert "Withdrawn" in withdrawn_page
    assert "Issue the corrected letter and text the resident" in withdrawn_page


def test_a_pick_up_is_recorded_with_one_button(act, sent, session, world, browser):
    made = sent(delivery=Delivery.PICKUP)
    act(lambda: review.accept(session, world.archivist, made, settings=SETTINGS,
                              now=TUESDAY_10AM))  # fmt: skip
    act(lambda: answering.record_result(
        session, world.archivist, made, outcome=Outcome.NOT_FOUND, file_number="", summary="",
        scans=[], settings=SETTINGS, now=TUESDAY_10AM))  # fmt: skip
    archivist = browser(world.archivist)
    assert "The resident picked it up" in _text(archivist.get(desk_url(made), headers=EN))
    assert _post(archivist, desk_url(made, "collect")).status_code == 302
    session.refresh(made)
    assert made.collected_at is not None


def test_the_whole_numbers_show_after_a_post_to_the_handler_only_and_are_audited(
    act, sent, session, world, browser
):
    made = sent()
    whole = act(lambda: identity.reveal(session, world.archivist, made, now=TUESDAY_10AM,
                                        key=helpers.SEAL_KEY))  # fmt: skip
    archivist = browser(world.archivist)
    assert whole.requester not in _text(archivist.get(desk_url(made), headers=EN))
    shown = _post(archivist, desk_url(made, "reveal"))
    assert shown.status_code == 200
    assert whole.requester in _text(shown) and whole.subject in _text(shown)
    assert "shown on this page only" in _text(shown)
    # Another archivist of the archive neither sees the button nor gets the numbers.
    second = browser(world.second)
    assert "Show the whole ID numbers" not in _text(second.get(desk_url(made), headers=EN))
    refused = _post(second, desk_url(made, "reveal"))
    assert refused.status_code == 404 and whole.requester not in _text(refused)
    looks = session.scalars(
        select(AuditEvent.actor_id).where(AuditEvent.action == "archives.request.reveal_id_numbers")
    ).all()
    assert looks == [world.archivist.id, world.archivist.id]


def test_the_assisting_archive_reads_but_may_not_act_for_the_receiving_one(
    act, sent, session, world, browser
):
    made = sent()
    act(lambda: review.accept(session, world.archivist, made, settings=SETTINGS,
                              now=TUESDAY_10AM))  # fmt: skip
    act(lambda: assists.pass_to(session, world.archivist, made, world.street_archive, "请查",
                                settings=SETTINGS, now=TUESDAY_10AM))  # fmt: skip
    helper = browser(world.street_archivist)
    assert helper.get(desk_url(made), headers=EN).status_code == 200
    for action in ("more", "refuse", "result", "withdraw", "collect"):
        response = _post(helper, desk_url(made, action),
                         {"note": "请补充", "reason": "不予受理", "outcome": "not_found"})  # fmt: skip
        assert response.status_code == 403, action
    session.refresh(made)
    assert made.state is RequestState.ACCEPTED
    # Nor does the receiving archive answer for the one it asked.
    response = _post(browser(world.second), desk_url(made, "assist-answer"),
                     {"assist-outcome": "not_found"})  # fmt: skip
    assert response.status_code == 403


def test_everyone_else_finds_no_such_request(app, sent, session, world, browser, client, sms):
    made = sent()
    secretary = factories.user(session, Role.SECRETARY, world.tree.community)
    grid_worker = factories.user(session, Role.GRID_WORKER, world.tree.grid)
    admin = factories.user(session, Role.ADMIN, world.tree.district)
    session.commit()
    sign_in_by_sms(client, sms, world.resident.phone)  # the resident has a page of their own
    strangers = [
        browser(user)
        for user in (world.street_archivist, world.elsewhere, secretary, grid_worker, admin)
    ]
    for each in [*strangers, client]:
        each.get("/archives/desk/requests/D2345678", headers=EN)  # past "You are signed in."
        missing = each.get("/archives/desk/requests/D2345678", headers=EN)
        assert missing.status_code == 404
        response = each.get(desk_url(made), headers=EN)
        assert response.status_code == 404
        shown = _text(response).replace(made.reference, "D2345678")
        assert _tokenless(shown) == _tokenless(_text(missing))
        for action in ("accept", "more", "refuse", "pass", "assist-answer", "result",
                       "withdraw", "dispatch", "collect", "reveal"):  # fmt: skip
            url = desk_url(made, action)
            assert _post(each, url, {"note": "x", "reason": "x"}).status_code == 404, url
    session.refresh(made)
    assert made.state is RequestState.SUBMITTED and made.handler_id is None
