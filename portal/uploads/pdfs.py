"""PDFs people upload (legal documents, archive copies): parsed, checked and written anew.

A PDF is a program as much as a document: it can run JavaScript when opened, launch other
programs, and carry other files inside it. Staff open these files on office computers, so a
PDF with any of that is refused, not cleaned: a document someone scanned or printed to PDF
has none of it. Its metadata (the Info dictionary and XMP streams: author, software, often
a name or a path) is removed. Nothing is rasterised: the text stays searchable.

qpdf (through pikepdf) parses the file; one it cannot parse, or that is encrypted, is refused.
Streams are copied as they came, never decompressed, so a small file cannot swell in memory.
"""

from __future__ import annotations

import io

import pikepdf
from flask_babel import lazy_gettext as _l
from pikepdf import Array, Dictionary, Name, Stream

from portal.uploads.errors import UploadRefused

# Keys that hold scripts, attached files or rich media, wherever they appear.
ACTIVE_KEYS = frozenset(
    {"/JS", "/JavaScript", "/EmbeddedFiles", "/EmbeddedFile", "/EF", "/RichMedia", "/XFA"}
)
# Actions (/S) that run something or open something inside or outside the file.
ACTIVE_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/ImportData", "/GoToE", "/RichMediaExecute", "/Rendition"}
)


class PdfRefused(UploadRefused):
    """A file the portal will not keep as a PDF; the message says why."""


def clean_pdf(data: bytes) -> bytes:
    """The PDF in `data` written anew without its Info and XMP metadata; `PdfRefused` if it
    cannot be parsed, is encrypted, or carries JavaScript, attached files or launch actions."""
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise _encrypted() from None
    except (pikepdf.PdfError, ValueError, RecursionError):
        raise _unreadable() from None
    with pdf:
        if pdf.is_encrypted:
            raise _encrypted()
        try:
            _refuse_active_content(pdf)
            _remove_metadata(pdf)
            out = io.BytesIO()
            pdf.save(
                out,
                preserve_pdfa=False,
                fix_metadata_version=False,
                stream_decode_level=pikepdf.StreamDecodeLevel.none,
                compress_streams=False,
            )
        except (pikepdf.PdfError, ValueError, RecursionError):
            raise _unreadable() from None
    return out.getvalue()


def _refuse_active_content(pdf: pikepdf.Pdf) -> None:
    """Raise PdfRefused if any object of the file holds a script, a file or a launch."""
    for obj in [pdf.trailer, *pdf.objects]:
        for dictionary in _dictionaries(obj):
            if ACTIVE_KEYS.intersection(dictionary.keys()):
                raise _active()
            action = dictionary.get("/S")
            if isinstance(action, Name) and str(action) in ACTIVE_ACTIONS:
                raise _active()


def _remove_metadata(pdf: pikepdf.Pdf) -> None:
    """Remove the Info dictionary and every XMP stream (the catalogue's, a page's, an image's)."""
    if "/Info" in pdf.trailer:
        del pdf.trailer["/Info"]
    for obj in list(pdf.objects):
        for dictionary in _dictionaries(obj):
            if "/Metadata" in dictionary:
                del dictionary["/Metadata"]


def _dictionaries(obj):
    """Every dictionary in `obj` and in what it holds directly (not through references, which
    are objects of their own), a stream's dictionary included."""
    pending = [obj]
    while pending:
        current = pending.pop()
        if isinstance(current, Stream):
            current = current.stream_dict
        if isinstance(current, Dictionary):
            yield current
            values = current.values()
        elif isinstance(current, Array):
            values = list(current)
        else:
            continue
        pending.extend(
            value
            for value in values
            if isinstance(value, Dictionary | Array) and not value.is_indirect
        )


def _encrypted() -> PdfRefused:
    return PdfRefused(
        _l("This PDF is protected by a password. Save it without the password and send it again.")
    )


def _unreadable() -> PdfRefused:
    return PdfRefused(_l("This PDF could not be read. Save it again and send it once more."))


def _active() -> PdfRefused:
    return PdfRefused(
        _l(
            "This PDF contains scripts, attached files or actions, which are not accepted. "
            "Print it to a new PDF and send that."
        )
    )
