"""The result letter over HTTP: the page to print and the PDF state the archive, the kind of
record, the person's whole name, the file number and summary (or that nothing was found), the
scanned copies, the archive's seal (or none, without breaking), and the verification code with
its QR code; a withdrawn letter says so first. The resident and the receiving archive's
archivists read it (those reads audited); the assisting archive's do not."""

from __future__ import annotations

import io
import subprocess
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from portal.archives import documents, letters, steps
from portal.archives.models import ArchiveRequest, Assist, Outcome, RequestState, StepKind
from portal.audit.models import AuditEvent
from portal.permissions import Role
from portal.uploads.models import Upload, UploadKind
from portal.uploads.web import STORE
from portal.verification import services as verification
from portal.verification.codes import grouped
from tests import factories
from tests.accounts.test_views import EN, page, sign_in_by_sms, sign_in_staff
from tests.archives import helpers
from tests.archives.helpers import TUESDAY_10AM
from tests.uploads.test_pdfs import document as small_pdf

FILE_NUMBER = "A-1978-婚-0042"
SUMMARY = "李父与王母于1978年5月4日登记结婚。\n结婚证字第0042号。"
ANSWERED_AT = TUESDAY_10AM + timedelta(days=2)


def jpeg(size=(400, 300), colour="white") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def stored(session, app, data: bytes, *, purpose: str, owner: str) -> Upload:
    """A file in the upload store, as the store keeps it once cleaned."""
    kind = UploadKind.PDF if data.startswith(b"%PDF-") else UploadKind.IMAGE
    store = app.extensions[STORE]
    made = Upload(name=store.write(data, "pdf" if kind is UploadKind.PDF else "jpg"), kind=kind,
                  purpose=purpose, size=len(data), created_at=TUESDAY_10AM, owner=owner)  # fmt: skip
    session.add(made)
    session.flush()
    return made


def answer(session, app, world, made: ArchiveRequest, *, outcome=Outcome.FOUND, scans=True):
    """What the archive's recording its result does (answering.py): the result, its scanned
    copies, the letter issued, the request closed."""
    made.outcome = outcome
    if outcome is Outcome.FOUND:
        made.file_number, made.summary = FILE_NUMBER, SUMMARY
    made.state = RequestState.ANSWERED
    made.answered_at = made.closed_at = ANSWERED_AT
    made.due_at = None
    made.handler_id = world.archivist.id
    if scans and outcome is Outcome.FOUND:
        for data in (jpeg(colour="grey"), small_pdf()):
            stored(session, app, data, purpose=documents.SCAN_PURPOSE,
                   owner=documents.scans_owner(made))  # fmt: skip
    letters.issue_letter(session, world.archivist, made, now=ANSWERED_AT)
    steps.record_step(session, made, StepKind.ANSWERED, actor=world.archivist, now=ANSWERED_AT)
    return made


def give_seal(session, app, archive) -> None:
    seal = stored(session, app, jpeg((300, 300), "red"), purpose=documents.SEAL_PURPOSE,
                  owner=documents.seal_owner(archive))  # fmt: skip
    archive.seal_name = seal.name
    session.flush()


@pytest.fixture
def world(session):
    made = helpers.world(session)
    session.commit()
    return made


@pytest.fixture
def resident(client, sms, world):
    sign_in_by_sms(client, sms, world.resident.phone)
    return client


def staff(app, user):
    browser = app.test_client()
    assert sign_in_staff(browser, user).status_code == 302
    browser.get("/", headers=EN)  # the flash of signing in goes with the first page
    return browser


def status(browser, url: str) -> int:
    """The status of a page or file, its file closed."""
    with browser.get(url, headers=EN) as response:
        return response.status_code


def pdf_text(data: bytes) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                          check=True)  # fmt: skip
    return done.stdout.decode()


def test_the_letter_states_what_was_found_with_its_seal_scans_and_code(
    app, session, world, resident
):
    give_seal(session, app, world.archive)
    made = answer(session, app, world, helpers.request(session, world))
    session.commit()
    letter = letters.letter_of(session, made)
    body = page(resident, f"/archives/requests/{made.reference}/letter")
    assert "Archive query result letter" in body and "District Archives" in body
    assert "Marriage registration" in body and "李父" in body
    assert (
        FILE_NUMBER in body and "李父与王母于1978年5月4日登记结婚。<br>结婚证字第0042号。" in body
    )
    assert grouped(letter.code) in body and "<svg" in body
    assert verification.verification_url(app.config["BASE_URL"], letter.code) in body
    assert f'src="/archives/requests/{made.reference}/seal"' in body
    scans = documents.scans(session, made)
    assert (
        f'<img class="letter-scan" src="/archives/requests/{made.reference}/files/{scans[0].name}"'
        in body
    )
    assert (
        f'href="/archives/requests/{made.reference}/files/{scans[1].name}">Scanned copy 2 (PDF)'
        in body
    )
    assert "Withdrawn" not in body
    with resident.get(f"/archives/requests/{made.reference}/seal") as seal:
        assert seal.status_code == 200 and seal.mimetype == "image/jpeg"
    with resident.get(f"/archives/requests/{made.reference}/files/{scans[0].name}") as scan:
        assert scan.status_code == 200 and scan.mimetype == "image/jpeg"
    pdf = resident.get(f"/archives/requests/{made.reference}/letter.pdf", headers=EN)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "no-store" in pdf.headers["Cache-Control"]
    text = pdf_text(pdf.data)
    assert FILE_NUMBER in text and grouped(letter.code) in text and "李父" in text
    assert "Scanned copy 1" in text and "1 more scanned copies are PDF files" in text
    assert "Withdrawn" not in text


def test_a_letter_of_nothing_found_without_a_seal_says_so_plainly(app, session, world, resident):
    made = answer(session, app, world, helpers.request(session, world), outcome=Outcome.NOT_FOUND)
    session.commit()
    body = page(resident, f"/archives/requests/{made.reference}/letter")
    assert "found no such record" in body and "letter-seal" not in body
    assert "Scanned copies" not in body and "File number" not in body
    assert status(resident, f"/archives/requests/{made.reference}/seal") == 404
    text = pdf_text(
        resident.get(f"/archives/requests/{made.reference}/letter.pdf", headers=EN).data
    )
    assert "found no such record" in text


def test_a_withdrawn_letter_says_so_first_on_the_page_and_on_paper(app, session, world, resident):
    made = answer(session, app, world, helpers.request(session, world))
    verification.withdraw(session, world.archivist, letters.LETTER, letters.letter_of(session, made),
                          reason="档号有误，已重新出具", now=ANSWERED_AT + timedelta(days=1))  # fmt: skip
    session.commit()
    body = page(resident, f"/archives/requests/{made.reference}/letter")
    assert body.index("Withdrawn on") < body.index("<h1>")
    assert "this letter no longer counts" in body and "档号有误，已重新出具" in body
    text = pdf_text(
        resident.get(f"/archives/requests/{made.reference}/letter.pdf", headers=EN).data
    )
    assert text.index("Withdrawn on") < text.index("Archive query result letter")
    assert "档号有误，已重新出具" in text
    request_page = page(resident, f"/archives/requests/{made.reference}")
    assert "The archive withdrew the letter" in request_page


def test_in_chinese_the_letter_is_in_chinese(app, session, world, resident):
    made = answer(session, app, world, helpers.request(session, world))
    session.commit()
    headers = {"Accept-Language": "zh-CN"}
    body = resident.get(f"/archives/requests/{made.reference}/letter", headers=headers)
    text = body.get_data(as_text=True)
    assert "测试区档案馆" in text and "婚姻登记" in text and "档案查询结果告知书" in text
    assert "档案查询结果告知书" in pdf_text(
        resident.get(f"/archives/requests/{made.reference}/letter.pdf", headers=headers).data
    )


def test_the_receiving_archivists_read_it_audited_and_the_assisting_archive_does_not(
    app, session, world
):
    give_seal(session, app, world.archive)
    made = helpers.request(session, world)
    session.add(Assist(request_id=made.id, archive_id=world.street_archive.id,
                       asked_by_id=world.archivist.id, asked_at=TUESDAY_10AM,
                       due_at=TUESDAY_10AM + timedelta(days=6)))  # fmt: skip
    answer(session, app, world, made)
    session.commit()
    archivist = staff(app, world.second)
    for url in ("letter", "letter.pdf", "seal"):
        assert status(archivist, f"/archives/requests/{made.reference}/{url}") == 200
    session.expire_all()
    actions = session.scalars(select(AuditEvent.action)).all()
    assert actions.count("archives.request.letter") == 1
    assert actions.count("archives.request.letter_pdf") == 1
    # The archive that helped reads the request's files (scans and documents), not its letter.
    helper = staff(app, world.street_archivist)
    scan = documents.scans(session, made)[0]
    assert status(helper, f"/archives/requests/{made.reference}/files/{scan.name}") == 200
    for url in ("letter", "letter.pdf", "seal"):
        assert status(helper, f"/archives/requests/{made.reference}/{url}") == 404


def test_a_letter_keeps_the_seal_and_name_it_was_issued_with(session, app, app_context):
    from portal.archives import archive_admin
    from portal.uploads.web import store

    world = helpers.world(session)
    admin = factories.user(session, Role.ADMIN, None, name="管理员")
    first, second = (factories.upload(session, store(app), purpose=documents.SEAL_PURPOSE)
                     for _ in range(2))  # fmt: skip
    archive_admin.replace_seal(session, admin, world.archive, first, now=TUESDAY_10AM)
    made = helpers.request(session, world)
    made.state, made.outcome, made.file_number = RequestState.ANSWERED, Outcome.FOUND, "婚1983-1"
    issued = letters.issue_letter(session, world.archivist, made, now=TUESDAY_10AM)
    archive_admin.replace_seal(session, admin, world.archive, second, now=TUESDAY_10AM)
    world.archive.name_en = "Minghu District Archives (renamed)"
    session.flush()
    assert made.letter_seal_name == first.name
    assert letters.archive_named(issued) == "District Archives"
