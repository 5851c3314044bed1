"""Reading QR codes and PDFs back the way a phone and a printer would: zxing-cpp decodes,
poppler renders and extracts text."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image


def decode(image: bytes | Image.Image) -> list[str]:
    """The texts of every QR code zxing-cpp finds in the image (QR codes only: a row of large
    digits beside one can read as a one-dimensional barcode)."""
    if isinstance(image, bytes):
        image = Image.open(io.BytesIO(image))
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [each.text for each in found]


def modules_image(modules: list[list[bool]], scale: int = 8, quiet: int = 4) -> Image.Image:
    """A matrix drawn as pixels, with its quiet zone, for decoding."""
    size = (len(modules) + 2 * quiet) * scale
    image = Image.new("L", (size, size), 255)
    pixels = image.load()
    for row, cells in enumerate(modules):
        for column, dark in enumerate(cells):
            if dark:
                for dy in range(scale):
                    for dx in range(scale):
                        pixels[(column + quiet) * scale + dx, (row + quiet) * scale + dy] = 0
    return image


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is missing (apt-get install poppler-utils)")
    return path


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(
        [_poppler("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def pdf_text(pdf: Path, first: int = 1, last: int | None = None) -> str:
    command = [_poppler("pdftotext"), "-f", str(first), "-l", str(last or first), str(pdf), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def pdf_page_images(pdf: Path, first: int, last: int, dpi: int = 72) -> list[Image.Image]:
    """Pages `first`..`last` rendered as a printer would, at `dpi`."""
    with tempfile.TemporaryDirectory() as folder:
        prefix = Path(folder) / "page"
        command = [
            _poppler("pdftoppm"),
            "-f",
            str(first),
            "-l",
            str(last),
            "-r",
            str(dpi),
            "-gray",
            "-png",
            str(pdf),
            str(prefix),
        ]
        subprocess.run(command, check=True, capture_output=True)
        return [Image.open(path).copy() for path in sorted(Path(folder).glob("page*.png"))]


def scan(locator, attempts: int = 3) -> str:
    """The one code a phone's camera reads from an element on screen, as a resident scans it.

    A code that is replaced every few seconds may be caught half drawn, and zxing-cpp may
    report one symbol twice; a camera simply looks again, and so does this, up to
    `attempts` times before failing with what it saw."""
    seen: list[str] = []
    for _ in range(attempts):
        seen = decode(locator.screenshot())
        if len(set(seen)) == 1:
            return seen[0]
        locator.page.wait_for_timeout(500)
    raise AssertionError(f"expected one code, read {seen!r}")
