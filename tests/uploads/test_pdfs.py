"""PDFs sent to the upload store: metadata removed, scripts, attachments, launches and
passwords refused, nothing rasterised."""

from __future__ import annotations

import io

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String

from portal.uploads.pdfs import PdfRefused, clean_pdf

pytestmark = pytest.mark.usefixtures("app_context")

ACTIVE = (
    "This PDF contains scripts, attached files or actions, which are not accepted. "
    "Print it to a new PDF and send that."
)
ENCRYPTED = "This PDF is protected by a password. Save it without the password and send it again."
UNREADABLE = "This PDF could not be read. Save it again and send it once more."
TEXT = "Certificate of residence"


def document(change=None, **saving) -> bytes:
    """A one-page PDF with text, an Info dictionary and XMP naming its author; `change(pdf)`
    adds what a test needs."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    page = pdf.pages[0]
    font = Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    page.Resources = Dictionary(Font=Dictionary(F1=font))
    page.Contents = pdf.make_stream(f"BT /F1 12 Tf 72 720 Td ({TEXT}) Tj ET".encode())
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:creator"] = ["Zhang San in XMP"]
    pdf.docinfo["/Author"] = "Zhang San"
    pdf.docinfo["/Producer"] = "Scanner Suite 9"
    if change:
        change(pdf)
    out = io.BytesIO()
    pdf.save(out, **saving)
    return out.getvalue()


def refusal(data: bytes) -> str:
    with pytest.raises(PdfRefused) as refused:
        clean_pdf(data)
    return refused.value.message


def test_info_and_xmp_metadata_are_removed_and_the_text_kept():
    original = document()
    assert b"Zhang San" in original and b"Scanner Suite" in original  # the test's own PDF

    cleaned = clean_pdf(original)

    for trace in (b"Zhang San", b"Scanner Suite", b"xmpmeta", b"/Metadata", b"/Info"):
        assert trace not in cleaned
    with pikepdf.open(io.BytesIO(cleaned)) as pdf:
        assert "/Info" not in pdf.trailer and "/Metadata" not in pdf.Root
        assert len(pdf.pages) == 1
        assert TEXT.encode() in pdf.pages[0].Contents.read_bytes()


def test_metadata_of_a_page_is_removed_too():
    def page_metadata(pdf):
        pdf.pages[0].Metadata = pdf.make_stream(b"<x:xmpmeta>Zhang San page</x:xmpmeta>")

    assert b"Zhang San page" not in clean_pdf(document(page_metadata))


def javascript_on_open(pdf):
    pdf.Root.OpenAction = Dictionary(S=Name.JavaScript, JS=String("app.alert('hi')"))


def named_javascript(pdf):
    script = Dictionary(S=Name.JavaScript, JS=String("this.submitForm('http://x')"))
    pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("a"), script])))


def javascript_on_a_link(pdf):
    link = Dictionary(
        Type=Name.Annot,
        Subtype=Name.Link,
        Rect=Array([0, 0, 10, 10]),
        A=Dictionary(S=Name.JavaScript, JS=pdf.make_stream(b"app.alert(1)")),
    )
    pdf.pages[0].Annots = Array([pdf.make_indirect(link)])


def launch_on_open(pdf):
    pdf.Root.OpenAction = Dictionary(S=Name.Launch, F=String("cmd.exe"))


def launch_on_page_open(pdf):
    pdf.pages[0].AA = Dictionary(O=Dictionary(S=Name.Launch, F=String("calc.exe")))


def attached_file(pdf):
    pdf.attachments["notes.txt"] = pikepdf.AttachedFileSpec(pdf, b"hidden payload")


@pytest.mark.parametrize(
    "change",
    [
        javascript_on_open,
        named_javascript,
        javascript_on_a_link,
        launch_on_open,
        launch_on_page_open,
        attached_file,
    ],
)
def test_scripts_launches_and_attached_files_are_refused(change):
    assert refusal(document(change)) == ACTIVE


@pytest.mark.parametrize("user_password", ["", "secret"])
def test_an_encrypted_pdf_is_refused(user_password):
    encrypted = document(encryption=pikepdf.Encryption(owner="owner", user=user_password))
    assert refusal(encrypted) == ENCRYPTED


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"%PDF-1.7\n" + b"\x00" * 100, id="header-then-nothing"),
        pytest.param(b"%PDF-", id="header-only"),
        pytest.param(b"<?php system($_GET['c']); ?>", id="not-a-pdf"),
    ],
)
def test_what_cannot_be_parsed_is_refused(data):
    assert refusal(data) == UNREADABLE


def test_what_follows_the_end_of_the_file_does_not_survive():
    polyglot = document() + b"\n<script>alert(1)</script>\n"
    assert b"<script>" not in clean_pdf(polyglot)
