"""The resident's pages of archive queries over HTTP: what one can ask for and a kind's
checklist; asking with real files (a photo, a PDF), bad files and answers said on their fields
with everything typed and sent kept; the request's page, its documents and adding those the
archive asked for; one's requests, paged; and the same 404 as for a request that does not
exist for everyone else, on the request, its files and its letter."""

from __future__ import annotations

import io
import logging
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from portal.archives import documents
from portal.archives.models import ArchiveRequest, Proof, RequestState
from portal.audit.models import AuditEvent
from portal.permissions import Role
from portal.uploads.models import Upload
from tests import factories
from tests.accounts.test_views import EN, page, sign_in_by_sms
from tests.archives import helpers
from tests.archives.test_follow_up import stop_for_documents
from tests.archives.test_letter import answer, jpeg, staff, status, stored
from tests.uploads.test_pdfs import document as small_pdf

REQUESTER_ID = factories.id_number(date(1985, 3, 1))
SUBJECT_ID = factories.id_number(date(1950, 6, 1))
ASK = "/archives/ask/marriage/next_of_kin"
# An executable (an ELF header and code) named like a PDF.
EXECUTABLE = b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 64


@pytest.fixture
def world(session):
    made = helpers.world(session)
    session.commit()
    return made


@pytest.fixture
def resident(client, sms, world):
    sign_in_by_sms(client, sms, world.resident.phone)
    return client


def form(world, **fields) -> dict:
    return {
        "archive": str(world.archive.id),
        "requester_name": "李居民",
        "requester_id_number": REQUESTER_ID,
        "subject_name": "李父",
        "subject_id_number": SUBJECT_ID,
        "purpose": "办理房产继承",
        "delivery": "online",
        "consent": "y",
    } | fields


def with_files(data: dict, **files) -> dict:
    """The form with files: each named field gets (bytes, filename) or a list of them."""
    for name, sent in files.items():
        sent = sent if isinstance(sent, list) else [sent]
        data[name] = [(io.BytesIO(content), filename) for content, filename in sent]
    return data


def every_file(world, **fields) -> dict:
    return with_files(
        form(world, **fields),
        documents_requester_id=[(jpeg(), "id-front.jpg"), (jpeg(), "id-back.jpg")],
        documents_death_certificate=(small_pdf(), "death.pdf"),
        documents_kinship=(jpeg(), "hukou.jpg"),
    )


def requests(session) -> list[ArchiveRequest]:
    session.expire_all()
    return list(session.scalars(select(ArchiveRequest).order_by(ArchiveRequest.id)))


def kept_names(body: str, proof: Proof) -> str:
    return re.search(rf'name="kept_{proof.value}" type="hidden" value="([^"]*)"', body).group(1)


def test_residents_read_what_they_can_ask_for_and_each_kinds_checklist(client, resident, world):
    start = page(client, "/archives")
    assert "Civil archive queries" in start and 'href="/archives/kinds/marriage"' in start
    assert "within 1 working day" in start and "within 3 working days" in start
    assert 'href="/archives/mine"' in start
    kind = page(client, "/archives/kinds/MARRIAGE")
    assert "Marriage registration" in kind
    assert 'href="/archives/ask/marriage/next_of_kin"' in kind
    assert (
        'href="/archives/ask/marriage/agent"' in kind
        and 'href="/archives/ask/marriage/self"' in kind
    )
    # Nobody asks for a living adult's marriage record as their guardian.
    assert "/archives/ask/marriage/guardian" not in kind
    assert "The death certificate" in kind and "Their signed authorisation (委托书)" in kind
    assert "District Archives" in kind and "First Street Records Room" in kind
    assert "deleted 90 days after your request is closed" in kind
    assert "up to 6 working days more" in kind
    for nowhere in ("/archives/kinds/no-such-kind", "/archives/ask/marriage/guardian",
                    "/archives/ask/marriage/cousin", "/archives/ask/no-such-kind/self"):  # fmt: skip
        assert resident.get(nowhere, headers=EN).status_code == 404, nowhere


def test_asking_needs_a_resident_signed_in_with_their_phone(client, world):
    response = client.get(ASK, headers=EN)
    assert response.status_code == 302 and "/sign-in" in response.location


def test_a_relative_asks_with_photos_and_a_pdf_and_follows_the_request(
    resident, session, world, caplog
):
    caplog.set_level(logging.DEBUG)
    body = page(resident, ASK)
    assert "Ask for a record: Marriage registration" in body
    for field in ("requester_id_number", "subject_id_number"):
        tag = re.search(rf'<input[^>]*name="{field}"[^>]*>', body).group(0)
        assert 'inputmode="text"' in tag and 'autocomplete="off"' in tag
    assert 'name="documents_kinship"' in body and 'name="documents_authorisation"' not in body
    consent = re.search(r'<input[^>]*name="consent"[^>]*>', body).group(0)
    assert "checked" not in consent
    # Three archives keep marriage records: none is chosen for the resident.
    archives = re.findall(r'<input[^>]*name="archive"[^>]*>', body)
    assert len(archives) == 3 and not [tag for tag in archives if "checked" in tag]
    response = resident.post(ASK, data=every_file(world), headers=EN)
    [made] = requests(session)
    assert response.status_code == 302
    assert response.location == f"/archives/requests/{made.reference}"
    assert made.state is RequestState.SUBMITTED and made.consented_at is not None
    shown = page(resident, response.location)
    assert "Your request " + made.reference + " is sent. The archive checks it by " in shown
    assert "Sent, waiting for the archive to check it" in shown
    assert made.requester_id_masked in shown and made.subject_id_masked in shown
    # The whole numbers are never shown again, nor in a URL, nor in a log line.
    for number in (REQUESTER_ID, SUBJECT_ID):
        assert number not in shown and number not in response.location
        assert not [line for line in caplog.messages if number in line]
    assert "Request sent" in shown
    links = re.findall(rf'href="(/archives/requests/{made.reference}/files/[^"]+)"', shown)
    assert len(links) == 4 and shown.count("Your own ID card (both sides) (") == 2
    assert "The death certificate (PDF)" in shown
    with resident.get(links[0]) as photo:
        assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    mine = page(resident, "/archives/mine")
    assert (
        made.reference in mine and "District Archives" in mine and "Marriage registration" in mine
    )


def test_bad_files_are_said_on_their_field_and_everything_else_is_kept(resident, session, world):
    wrong_digit = REQUESTER_ID[:-1] + ("1" if REQUESTER_ID[-1] != "1" else "2")
    data = with_files(
        form(world, requester_id_number=wrong_digit),
        documents_requester_id=(jpeg(), "id.jpg"),
        documents_death_certificate=(EXECUTABLE, "death.pdf"),
        documents_kinship=(b"\xff\xd8\xff" + b"\0" * (11 * 1024 * 1024), "hukou.jpg"),
    )
    # Encoded here: the test client leaves the temporary file of a body this large open.
    boundary, encoded = encode_multipart(
        {key: [FileStorage(*each) for each in value] if key.startswith("documents") else value
         for key, value in data.items()}
    )  # fmt: skip
    response = resident.post(ASK, data=encoded, headers=EN,
                             content_type=f"multipart/form-data; boundary={boundary}")  # fmt: skip
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and requests(session) == []
    death = body.split('id="documents_death_certificate-error"')[1].split("</p>")[0]
    assert "This file is neither a photo nor a PDF" in death
    kinship = body.split('id="documents_kinship-error"')[1].split("</p>")[0]
    assert "larger than 10 MB" in kinship
    # The other answers are checked too, and said at once.
    assert "This ID card number is not right" in body
    assert 'value="李居民"' in body and f'value="{SUBJECT_ID}"' in body and "办理房产继承" in body
    assert re.search(r'<input checked[^>]*value="online"', body)
    # The ID card photo was kept: it is not asked for again.
    kept = kept_names(body, Proof.REQUESTER_ID)
    assert kept and "1 file added." in body
    fixed = with_files(
        form(world, kept_requester_id=kept),
        documents_death_certificate=(small_pdf(), "death.pdf"),
        documents_kinship=(jpeg(), "hukou.jpg"),
    )
    again = resident.post(ASK, data=fixed, headers=EN)
    assert again.status_code == 302
    shown = page(resident, again.location)
    assert f"/files/{kept}" in shown


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"subject_id_number": "born-2030"}, "is after today"),
        ({"consent": None}, "Tick the box to agree that the archive handles the ID numbers."),
        ({"delivery": "post", "postal_address": ""}, "Enter where to post it"),
        ({"purpose": ""}, "Say what you need the record for."),
    ],
)
def test_a_wrong_answer_is_said_and_everything_typed_stays(
    resident, session, world, fields, message
):
    if fields.get("subject_id_number") == "born-2030":
        fields["subject_id_number"] = factories.id_number(date(2030, 1, 1))
    data = every_file(world, **{k: v for k, v in fields.items() if v is not None})
    if "consent" in fields:
        del data["consent"]
    response = resident.post(ASK, data=data, headers=EN)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and message in body
    assert requests(session) == []
    assert 'value="李居民"' in body and f'value="{REQUESTER_ID}"' in body
    for proof in (Proof.REQUESTER_ID, Proof.DEATH_CERTIFICATE, Proof.KINSHIP):
        assert kept_names(body, proof)
    assert "2 files added." in body


def test_someone_elses_marriage_record_needs_their_authorisation(resident, session, world):
    data = with_files(
        form(world),
        documents_requester_id=(jpeg(), "id.jpg"),
        documents_subject_id=(jpeg(), "their-id.jpg"),
    )
    response = resident.post("/archives/ask/marriage/agent", data=data, headers=EN)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and requests(session) == []
    error = body.split('id="documents_authorisation-error"')[1].split("</p>")[0]
    assert "signed authorisation (委托书)" in error


def test_asking_is_limited_per_phone(app, monkeypatch, resident, session, world):
    monkeypatch.setitem(app.config, "ARCHIVES_ASK_LIMIT_PER_PHONE", "1 per day")
    assert resident.post(ASK, data=every_file(world), headers=EN).status_code == 302
    again = resident.post(ASK, data=every_file(world, subject_name="李母"), headers=EN)
    body = again.get_data(as_text=True)
    assert again.status_code == 429 and "Too many requests were sent from here" in body
    assert "李母" in body and len(requests(session)) == 1


def test_the_resident_adds_the_document_the_archive_asked_for(resident, session, world):
    made = helpers.request(session, world)
    stop_for_documents(session, made, helpers.TUESDAY_10AM, note="请补充父亲的户口注销证明")
    session.commit()
    url = f"/archives/requests/{made.reference}"
    body = page(resident, url)
    assert "请补充父亲的户口注销证明" in body and f'action="{url}/documents"' in body
    assert "Another document the archive asked for" in body
    nothing = resident.post(f"{url}/documents", data={"proof": "other"}, headers=EN)
    assert nothing.status_code == 400
    assert "Choose at least one photo or PDF file" in nothing.get_data(as_text=True)
    unchosen = resident.post(
        f"{url}/documents", data=with_files({}, files=(jpeg(), "a.jpg")), headers=EN
    )
    assert unchosen.status_code == 400
    assert "Choose what you are sending." in unchosen.get_data(as_text=True)
    bad = resident.post(
        f"{url}/documents",
        data=with_files({"proof": "other"}, files=[(jpeg(), "a.jpg"), (EXECUTABLE, "b.pdf")]),
        headers=EN,
    )
    body = bad.get_data(as_text=True)
    assert (
        bad.status_code == 400
        and "This file is neither a photo nor a PDF" in body
        and "1 file added." in body
    )
    kept = re.search(r'name="kept" type="hidden" value="([^"]+)"', body).group(1)
    assert requests(session)[0].state is RequestState.AWAITING_DOCUMENTS
    sent = resident.post(f"{url}/documents", data={"proof": "other", "kept": kept}, headers=EN)
    assert sent.status_code == 302
    [after] = requests(session)
    assert after.state is RequestState.SUBMITTED and after.due_at is not None
    shown = page(resident, url)
    assert "Your documents are sent to the archive, which answers by " in shown
    assert "Documents added" in shown and f"/files/{kept}" in shown
    assert f'action="{url}/documents"' not in shown
    # Not waiting any more: nothing more is taken, nor even stored.
    stored_files = session.scalar(select(func.count()).select_from(Upload))
    late = resident.post(f"{url}/documents", headers=EN,
                         data=with_files({"proof": "other"}, files=(jpeg(), "c.jpg")))  # fmt: skip
    assert late.status_code == 400
    assert "not waiting for documents" in late.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Upload)) == stored_files


def test_a_refused_and_an_answered_request_say_why_and_what_came(app, resident, session, world):
    refused = helpers.request(session, world)
    refused.state, refused.closed_at, refused.due_at = (
        RequestState.REFUSED,
        refused.created_at,
        None,
    )
    refused.refusal_reason = "死亡证明不清晰，请重新申请。"
    answered = answer(session, app, world, helpers.request(session, world, delivery="pickup"))
    session.commit()
    body = page(resident, f"/archives/requests/{refused.reference}")
    assert "The archive could not take your request" in body and "死亡证明不清晰" in body
    body = page(resident, f"/archives/requests/{answered.reference}")
    assert "The record was found" in body and "A-1978-婚-0042" in body
    assert f'href="/archives/requests/{answered.reference}/letter"' in body
    assert "Pick up the paper letter" in body and "1 Archive Road" in body
    assert "tel:075512345678" in body and "Answered, letter issued" in body


def test_the_documents_deleted_after_closing_are_said_so(resident, session, world):
    made = helpers.request(session, world)
    made.state, made.closed_at = RequestState.REFUSED, helpers.TUESDAY_10AM
    made.documents_deleted_at = helpers.TUESDAY_10AM + timedelta(days=90)
    session.commit()
    body = page(resident, f"/archives/requests/{made.reference}")
    assert "They were deleted on 22 Feb 2027" in body


def test_ones_requests_are_listed_newest_first_a_page_at_a_time(resident, session, world):
    made = [
        helpers.request(session, world, now=helpers.TUESDAY_10AM + timedelta(hours=hour))
        for hour in range(22)
    ]
    helpers.request(session, world, resident=factories.user(session, name="别人"))
    session.commit()
    first = page(resident, "/archives/mine")
    assert first.index(made[-1].reference) < first.index(made[-2].reference)
    assert made[1].reference not in first and "Page 1 of 2" in first
    second = page(resident, "/archives/mine?page=2")
    assert made[0].reference in second and made[1].reference in second
    assert session.scalar(select(func.count()).select_from(ArchiveRequest)) == 23


# A form's CSRF token carries the second it was made in: two pages a second apart differ there.
TOKEN = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+"')


def same_page(refused, absent, reference: str) -> bool:
    first = TOKEN.sub(r'\1"', refused.get_data(as_text=True).replace(reference, "DNOSUCH1"))
    return first == TOKEN.sub(r'\1"', absent.get_data(as_text=True))


def test_everyone_else_gets_the_same_404_as_for_a_request_that_does_not_exist(
    app, client, sms, session, world
):
    made = answer(session, app, world, helpers.request(session, world))
    name = stored(session, app, jpeg(), purpose=documents.proof_purpose(Proof.REQUESTER_ID),
                  owner=documents.documents_owner(made)).name  # fmt: skip
    session.commit()
    other_resident = app.test_client()
    sign_in_by_sms(other_resident, sms, "13911112222")
    other_resident.get("/", headers=EN)
    secretary = factories.user(session, Role.SECRETARY, world.tree.community, name="书记")
    grid_worker = factories.user(session, Role.GRID_WORKER, world.tree.grid, name="网格员")
    session.commit()
    strangers = [other_resident] + [
        staff(app, user)
        for user in (world.street_archivist, world.elsewhere, secretary, grid_worker)
    ]
    for browser in strangers:
        for path in ("", f"/files/{name}", "/letter", "/letter.pdf", "/seal"):
            with (
                browser.get(f"/archives/requests/{made.reference}{path}", headers=EN) as refused,
                browser.get(f"/archives/requests/DNOSUCH1{path}", headers=EN) as absent,
            ):
                assert refused.status_code == absent.status_code == 404, path
                assert same_page(refused, absent, made.reference), path
        posted = browser.post(f"/archives/requests/{made.reference}/documents",
                              data={"proof": "other"}, headers=EN)  # fmt: skip
        assert posted.status_code == 404
    # The receiving archive's archivist reads the files (audited), but the resident's page is
    # the resident's alone: archivists work on the desk.
    archivist = staff(app, world.archivist)
    assert status(archivist, f"/archives/requests/{made.reference}") == 404
    assert status(archivist, f"/archives/requests/{made.reference}/files/{name}") == 200
    session.expire_all()
    reads = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.startswith("archives.request."))
    )
    assert list(reads) == ["archives.request.file"]


def test_the_short_address_in_a_text_leads_to_the_request_page(client):
    response = client.get("/d/D7k3qm2p")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/archives/requests/D7k3qm2p")


def test_the_start_page_offers_only_kinds_an_archive_keeps(client, world):
    body = client.get("/archives", headers=EN).get_data(as_text=True)
    assert 'href="/archives/kinds/marriage"' in body and 'href="/archives/kinds/schooling"' in body
    # Land records are offered, but no archive of this district keeps them yet.
    assert 'href="/archives/kinds/land"' not in body
