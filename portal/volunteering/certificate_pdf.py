"""A volunteer's certificate as an A4 PDF, in the reader's language, with its verification code
and QR code, for printing or sending on.

Chinese text uses ReportLab's built-in CID font STSong-Light (registered by the door posters'
module too), which PDF readers supply, so no font file is shipped.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from portal.verification import services as verification
from portal.verification.codes import grouped
from portal.verification.models import IssuedDocument
from portal.volunteering.certificates import ServiceRecord, recorders_text
from portal.volunteering.timebank import hours_text
from portal.web.templating import local_date, local_name

CJK = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(CJK))

_TITLE = ParagraphStyle("title", fontName=CJK, fontSize=20, leading=28, alignment=1)
_BODY = ParagraphStyle("body", fontName=CJK, fontSize=11.5, leading=17)
_SMALL = ParagraphStyle("small", fontName=CJK, fontSize=9.5, leading=13)


def _p(text: str, style: ParagraphStyle = _BODY) -> Paragraph:
    return Paragraph(escape(text), style)


def certificate_pdf(
    document: IssuedDocument,
    record: ServiceRecord,
    *,
    name: str,
    kind_names: dict[str, str],
    base_url: str,
) -> bytes:
    """The certificate `document` (with the record it was issued on) as PDF bytes, for its
    volunteer, `name`: the paper names them whole (it is theirs to hand to a school or an
    employer); the verification page shows the name masked."""
    facts = document.facts
    out = io.BytesIO()
    pdf = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=_("Certificate of volunteer service"),
        creator="portal",
        invariant=1,
    )
    # Certificates issued before each community's share was kept name the issuing one.
    recorded_by = (
        recorders_text(facts["recorded_by"])
        if facts.get("recorded_by")
        else local_name(document.place)
    )
    summary = [
        (_("Volunteer"), name),
        (_("ID number"), facts["id_number"]),
        (_("Recorded by"), recorded_by),
        (_("Activities"), str(facts["activities"])),
        (_("Hours of service"), hours_text(facts["minutes"])),
        (_("Issued on"), local_date(document.issued_at)),
    ]
    story = [
        _p(_("Certificate of volunteer service"), _TITLE),
        Spacer(1, 6 * mm),
        _table([[_p(label), _p(value)] for label, value in summary], [45 * mm, None], grid=False),
        Spacer(1, 6 * mm),
    ]
    if record.served:
        rows = [[_p(_("Date")), _p(_("Activity")), _p(_("Kind")), _p(_("Hours"))]]
        for served in record.served:
            title = served.title + (" " + _("(recorded by hand)") if served.by_hand else "")
            if record.recorder_of(served):
                title += f" · {record.recorder_of(served)}"
            rows.append(
                [
                    _p(local_date(served.starts_at)),
                    _p(title),
                    _p(kind_names.get(served.kind_code, served.kind_code)),
                    _p(hours_text(served.minutes)),
                ]
            )
        story.append(_table(rows, [28 * mm, None, 30 * mm, 20 * mm], grid=True))
    else:
        story.append(_p(_("No hours have been confirmed yet.")))
    url = verification.verification_url(base_url, document.code)
    story += [
        Spacer(1, 10 * mm),
        Image(
            io.BytesIO(verification.qr_png(base_url, document.code)),
            width=verification.PRINTED_QR_MM * mm,
            height=verification.PRINTED_QR_MM * mm,
        ),
        _p(_("Verification code: %(code)s", code=grouped(document.code)), _SMALL),
        _p(_("Scan the code, or open %(url)s, to check this certificate.", url=url), _SMALL),
    ]
    pdf.build(story)
    return out.getvalue()


def _table(rows: list[list], widths: list, *, grid: bool) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if grid else 0, hAlign="LEFT")
    style = [("VALIGN", (0, 0), (-1, -1), "TOP")]
    if grid:
        style += [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
        ]
    table.setStyle(TableStyle(style))
    return table
