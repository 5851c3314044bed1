"""QR codes of the portal's permanent addresses (a door, a document to verify): their modules
as SVG, PNG or PDF drawing operators.

Error correction Q: a code on a door gets scratched, rained on and stickered over, and a
printed letter gets folded, and Q still reads with a quarter of it gone. Every URL of one kind
has the same length in a deployment, so the QR version and mask chosen for one suit them all;
choosing them (trying eight masks) is most of the work of making a code, so a batch chooses
once (`QRBatch`).
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import qrcode
from qrcode.constants import ERROR_CORRECT_Q

QUIET_ZONE = 4  # modules of white around the code, as the standard asks


def _make(url: str, version: int | None = None, mask: int | None = None) -> qrcode.QRCode:
    code = qrcode.QRCode(
        version=version, error_correction=ERROR_CORRECT_Q, mask_pattern=mask, border=0
    )
    code.add_data(url)
    code.make(fit=version is None)
    return code


class QRBatch:
    """Makes the module matrices of many URLs of one length with one version and mask."""

    def __init__(self, sample_url: str) -> None:
        sample = _make(sample_url)
        self.length = len(sample_url)
        self.version = sample.version
        self.mask = sample.best_mask_pattern()

    def matrix(self, url: str) -> list[list[bool]]:
        if len(url) != self.length:  # Not one of the batch: choose for it alone.
            return _make(url).modules
        return _make(url, self.version, self.mask).modules


def matrix(url: str) -> list[list[bool]]:
    """The dark (True) and light modules of the QR code for `url`, without the quiet zone."""
    return _make(url).modules


def dark_runs(modules: list[list[bool]]) -> Iterator[tuple[int, int, int]]:
    """(row, first column, length) of every horizontal run of dark modules."""
    for row, cells in enumerate(modules):
        column, size = 0, len(cells)
        while column < size:
            if cells[column]:
                start = column
                while column < size and cells[column]:
                    column += 1
                yield row, start, column - start
            else:
                column += 1


def svg(modules: list[list[bool]], *, label: str, size_mm: float | None = None) -> str:
    """The code as one SVG path in module units. On the web CSS sets its size; for printing,
    `size_mm` gives it a physical width and height."""
    size = len(modules) + 2 * QUIET_ZONE
    path = "".join(
        f"M{start + QUIET_ZONE} {row + QUIET_ZONE}h{length}v1h-{length}z"
        for row, start, length in dark_runs(modules)
    )
    label = label.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    physical = f'width="{size_mm}mm" height="{size_mm}mm" ' if size_mm else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" {physical}viewBox="0 0 {size} {size}" '
        f'role="img" aria-label="{label}" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/><path d="{path}" fill="#000"/></svg>'
    )


def png(url: str, box_size: int = 12) -> bytes:
    """The code as a PNG image, for downloading."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, box_size=box_size, border=QUIET_ZONE)
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_operators(modules: list[list[bool]]) -> str:
    """PDF path operators filling the dark modules, one unit a module, origin bottom left."""
    last = len(modules) - 1
    return (
        " ".join(f"{start} {last - row} {length} 1 re" for row, start, length in dark_runs(modules))
        + " f"
    )
