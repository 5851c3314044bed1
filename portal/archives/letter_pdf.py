"""The result letter of an archive query as an A4 PDF, in the reader's language: the archive,
the kind of record, the person concerned, what was found (the file number and summary) or
that nothing was, the scanned copies, the archive's seal, and the verification code with its
QR code. A withdrawn letter says so first.

Chinese text uses ReportLab's built-in CID font STSong-Light (as the volunteer's certificate
does), which PDF readers supply, so no font file is shipped.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    Flowable,
    Image,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from portal.archives.labels import OUTCOME_LABELS
from portal.archives.letters import archive_named, person_named
from portal.archives.models import ArchiveRequest, Outcome
from portal.verification import services as verification
from portal.verification.codes import grouped
from portal.verification.models import IssuedDocument
from portal.web.templating import local_date, local_name

CJK = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(CJK))

_TITLE = ParagraphStyle("title", fontName=CJK, fontSize=20, leading=28, alignment=1)
_HEADING = ParagraphStyle("heading", fontName=CJK, fontSize=14, leading=20, spaceBefore=8)
_BODY = ParagraphStyle("body", fontName=CJK, fontSize=11.5, leading=17)
_SMALL = ParagraphStyle("small", fontName=CJK, fontSize=9.5, leading=13)
_SIGNED = ParagraphStyle("signed", parent=_BODY, alignment=2)
_WITHDRAWN = ParagraphStyle("withdrawn", fontName=CJK, fontSize=14, leading=20,
                            textColor=colors.HexColor("#b3261e"))  # fmt: skip

# The printable width of the page, and how large the seal is printed (a real one is 40 mm).
WIDTH = A4[0] - 36 * mm
SEAL_MM = 40
# A scanned page at most this tall, so that one fits a page below its heading.
SCAN_HEIGHT = 200 * mm


def _p(text: str, style: ParagraphStyle = _BODY) -> Paragraph:
    # Line breaks the archivist typed stay line breaks.
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _picture(data: bytes, width: float, height: float) -> Image:
    """An image at most `width` by `height`, its proportions kept."""
    pixels_wide, pixels_high = ImageReader(io.BytesIO(data)).getSize()
    scale = min(width / pixels_wide, height / pixels_high)
    return Image(io.BytesIO(data), width=pixels_wide * scale, height=pixels_high * scale)


def letter_pdf(
    request: ArchiveRequest,
    letter: IssuedDocument,
    *,
    pictures: list[bytes],
    pdf_count: int,
    seal: bytes | None,
    base_url: str,
) -> bytes:
    """The letter of `request` as PDF bytes, with the scanned pages that are `pictures` (and
    a word on the `pdf_count` scanned copies sent as PDF files) and the archive's `seal` (left
    out when the archive has none). It names the person whole: it is the requester's to
    hand over; the verification page shows the name masked."""
    out = io.BytesIO()
    pdf = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
        bottomMargin=18 * mm, title=_("Archive query result letter"), creator="portal",
        invariant=1,
    )  # fmt: skip
    story: list[Flowable] = []
    if letter.is_withdrawn:
        story += [
            _p(
                _(
                    "Withdrawn on %(date)s: this letter no longer counts.",
                    date=local_date(letter.withdrawn_at),
                ),
                _WITHDRAWN,
            ),
            _p(_("Reason: %(reason)s", reason=letter.withdrawal_reason)),
            Spacer(1, 4 * mm),
        ]
    story += [
        _p(_("Archive query result letter"), _TITLE),
        Spacer(1, 6 * mm),
        _table(_facts(request, letter)),
        Spacer(1, 4 * mm),
    ]
    if request.outcome is Outcome.FOUND:
        story.append(_p(_("The archive found the record asked for. It is summarised above; the "
                          "scanned copies follow.")))  # fmt: skip
    else:
        story.append(_p(_("The archive searched its holdings and found no such record.")))
    story += _signature(request, letter, seal)
    story += _verification(letter, base_url)
    if pictures or pdf_count:
        story.append(_p(_("Scanned copies"), _HEADING))
    for number, data in enumerate(pictures, start=1):
        story += [
            _p(_("Scanned copy %(num)d", num=number), _SMALL),
            _picture(data, WIDTH, SCAN_HEIGHT),
            Spacer(1, 4 * mm),
        ]
    if pdf_count:
        story.append(_p(_("%(num)d more scanned copies are PDF files: open them from the "
                          "letter's page online.", num=pdf_count)))  # fmt: skip
    pdf.build(story)
    return out.getvalue()


def _facts(request: ArchiveRequest, letter: IssuedDocument) -> list[tuple[str, str]]:
    rows = [
        (_("Archive"), archive_named(letter)),
        (_("Kind of record"), local_name(request.kind)),
        (_("Person concerned"), person_named(request)),
        (_("Request"), request.reference),
        (_("Asked on"), local_date(request.created_at)),
        (_("Result"), str(OUTCOME_LABELS[request.outcome])),
    ]
    if request.outcome is Outcome.FOUND:
        rows.append((_("File number"), request.file_number))
    if request.summary.strip():
        # For a record not found, where the archive looked.
        rows.append((_("Summary"), request.summary))
    rows.append((_("Issued on"), local_date(letter.issued_at)))
    return rows


def _signature(
    request: ArchiveRequest, letter: IssuedDocument, seal: bytes | None
) -> list[Flowable]:
    """The archive's name and the date, with its seal over them when it has one."""
    signed = [_p(archive_named(letter), _SIGNED), _p(local_date(letter.issued_at), _SIGNED)]
    if seal is None:
        return [Spacer(1, 6 * mm), *signed]
    stamp = _picture(seal, SEAL_MM * mm, SEAL_MM * mm)
    table = Table([[signed, stamp]], colWidths=[70 * mm, (SEAL_MM + 4) * mm], hAlign="RIGHT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return [Spacer(1, 6 * mm), table]


def _verification(letter: IssuedDocument, base_url: str) -> list[Flowable]:
    url = verification.verification_url(base_url, letter.code)
    return [
        Spacer(1, 6 * mm),
        Image(
            io.BytesIO(verification.qr_png(base_url, letter.code)),
            width=verification.PRINTED_QR_MM * mm,
            height=verification.PRINTED_QR_MM * mm,
            hAlign="LEFT",
        ),
        _p(_("Verification code: %(code)s", code=grouped(letter.code)), _SMALL),
        _p(_("Scan the code, or open %(url)s, to check this letter.", url=url), _SMALL),
        Spacer(1, 4 * mm),
    ]


def _table(rows: list[tuple[str, str]]) -> Table:
    table = Table([[_p(label), _p(value)] for label, value in rows],
                  colWidths=[35 * mm, None], hAlign="LEFT")  # fmt: skip
    table.setStyle(
        TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.lightgrey),
        ])
    )  # fmt: skip
    return table
