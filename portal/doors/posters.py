"""Door posters: one A4 page a building, with its QR code drawn as vector modules.

Chinese text uses ReportLab's built-in CID font STSong-Light, which PDF readers supply, so no
font file is shipped. Making QR matrices is the costly part; with several processes they are
made in a pool while this process draws, and the modules go into the page as literal PDF
operators (ReportLab's path API formats every rectangle and is seven times slower).
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import zipfile
from collections.abc import Callable, Iterator, Sequence
from typing import BinaryIO

from flask_babel import force_locale, gettext
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from portal.doors.qrcodes import door_url
from portal.doors.services import DoorFacts
from portal.phones import spaced_phone
from portal.qr import QUIET_ZONE, QRBatch, pdf_operators, svg

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
QR_SIZE = 130 * mm
CJK = "STSong-Light"
LATIN = "Helvetica"
# Below this many posters, starting worker processes costs more than it saves.
PARALLEL_FROM = 1000

pdfmetrics.registerFont(UnicodeCIDFont(CJK))
# Compressed page streams are written as binary, not as ASCII85 text: every PDF reader takes
# either, binary is a fifth smaller, and ReportLab's pure-Python ASCII85 took half the time.
rl_config.useA85 = 0


def write_posters(
    out: BinaryIO,
    doors: Sequence[DoorFacts],
    base_url: str,
    *,
    processes: int = 1,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write one poster a building to `out` as a single PDF; return the number of pages."""
    texts = _texts()
    urls = [door_url(base_url, door.code) for door in doors]
    canvas = Canvas(out, pagesize=A4, pageCompression=1, invariant=1)
    canvas.setTitle(texts["title_zh"])
    canvas.setCreator("portal")
    _static_form(canvas, texts)
    for door, url, operators in zip(doors, urls, _operators(urls, processes), strict=True):
        _draw(canvas, door, url, operators, texts)
        canvas.showPage()
        if progress:
            progress(1)
    canvas.save()
    return len(doors)


def _texts() -> dict[str, str]:
    """The poster's words: Chinese, with the title also in English. Patterns are formatted
    per page with %, so each is looked up once per document."""
    with force_locale("zh_Hans_CN"):
        texts = {
            "title_zh": gettext("Scan to report a problem"),
            "privacy": gettext(
                "Scanning records nothing about you. What you report is used only to handle it."
            ),
            "grid": gettext("Grid: %(grid)s"),
            "worker": gettext("Grid worker: %(names)s, phone %(phone)s"),
            "worker_phone": gettext("Grid worker's phone: %(phone)s"),
            "worker_only": gettext("Grid worker: %(names)s"),
            "community": gettext("Community: %(community)s, secretary hotline %(phone)s"),
            "community_only": gettext("Community: %(community)s"),
            "code": gettext("Building code %(code)s"),
        }
    with force_locale("en"):
        texts["title_en"] = gettext("Scan to report a problem")
    return texts


def _static_form(canvas: Canvas, texts: dict[str, str]) -> None:
    """What every poster shares, drawn once and placed on each page."""
    canvas.beginForm("static")
    canvas.setFillColorRGB(0.043, 0.227, 0.459)
    canvas.rect(0, PAGE_HEIGHT - 42 * mm, PAGE_WIDTH, 42 * mm, stroke=0, fill=1)
    canvas.setFillColorRGB(1, 1, 1)
    _centred(canvas, texts["title_zh"], CJK, 40, PAGE_HEIGHT - 24 * mm)
    _centred(canvas, texts["title_en"], LATIN, 20, PAGE_HEIGHT - 35 * mm)
    canvas.setFillColorRGB(0, 0, 0)
    _centred(canvas, texts["privacy"], CJK, 11, MARGIN)
    canvas.endForm()


def _draw(canvas: Canvas, door: DoorFacts, url: str, operators: str, texts: dict[str, str]) -> None:
    canvas.doForm("static")
    canvas.addLiteral(operators)
    y = PAGE_HEIGHT - 50 * mm - QR_SIZE - 9 * mm
    _centred(canvas, url.split("://", 1)[-1], LATIN, 14, y)
    y -= 14 * mm
    y = _centred(canvas, door.name_zh, CJK, 28, y) - 10 * mm
    y = _centred(canvas, door.address, CJK, 16, y) - 12 * mm
    lines = [texts["grid"] % {"grid": door.grid_name_zh}]
    names = "、".join(door.workers)
    if door.grid_phone and names:
        lines.append(texts["worker"] % {"names": names, "phone": spaced_phone(door.grid_phone)})
    elif door.grid_phone:
        lines.append(texts["worker_phone"] % {"phone": spaced_phone(door.grid_phone)})
    elif names:
        lines.append(texts["worker_only"] % {"names": names})
    if door.community_phone:
        lines.append(
            texts["community"]
            % {"community": door.community_name_zh, "phone": door.community_phone}
        )
    else:
        lines.append(texts["community_only"] % {"community": door.community_name_zh})
    for line in lines:
        y = _centred(canvas, line, CJK, 16, y) - 8.5 * mm
    _centred(canvas, texts["code"] % {"code": door.code}, CJK, 11, MARGIN + 6 * mm)


# Long text is made smaller down to this share of its size, then wrapped onto two lines.
SMALLEST = 0.75


def _centred(canvas: Canvas, text: str, font: str, size: float, y: float) -> float:
    """Draw `text` centred on the page at `y`; return the baseline of its last line."""
    width = pdfmetrics.stringWidth(text, font, size)
    canvas.setFont(font, size)
    if width <= TEXT_WIDTH:  # Nearly always: one line as it is.
        canvas.drawString((PAGE_WIDTH - width) / 2, y, text)
        return y
    size = max(size * TEXT_WIDTH / width, size * SMALLEST)
    canvas.setFont(font, size)
    lines = _wrap(text, font, size)
    for number, line in enumerate(lines):
        line_y = y - number * size * 1.3
        canvas.drawString((PAGE_WIDTH - pdfmetrics.stringWidth(line, font, size)) / 2, line_y, line)
    return y - (len(lines) - 1) * size * 1.3


def _wrap(text: str, font: str, size: float) -> list[str]:
    """`text` in lines that fit the width, broken between characters (as Chinese is)."""
    lines, line = [], ""
    for character in text:
        if line and pdfmetrics.stringWidth(line + character, font, size) > TEXT_WIDTH:
            lines.append(line)
            line = ""
        line += character
    return [*lines, line]


def _placed(operators: str, modules: int) -> str:
    """Scale and move module-unit operators to the QR's place on the page."""
    cell = QR_SIZE / (modules + 2 * QUIET_ZONE)
    x = (PAGE_WIDTH - QR_SIZE) / 2 + QUIET_ZONE * cell
    y = PAGE_HEIGHT - 50 * mm - QR_SIZE + QUIET_ZONE * cell
    return f"q {cell:.4f} 0 0 {cell:.4f} {x:.3f} {y:.3f} cm 0 g {operators} Q"


# Making the operators, in this process or in a pool. A pool worker keeps its batch in a
# module global, set once when the worker starts.

_worker_batch: QRBatch | None = None


def _start_worker(sample_url: str) -> None:
    global _worker_batch
    _worker_batch = QRBatch(sample_url)


def _operators_for(url: str) -> str:
    if _worker_batch is None:
        raise RuntimeError("_start_worker() sets up a worker's batch first")
    return _placed_for(_worker_batch, url)


def _operators(urls: Sequence[str], processes: int) -> Iterator[str]:
    if not urls:
        return iter(())
    if processes > 1 and len(urls) >= PARALLEL_FROM:
        return _in_pool(urls, processes)
    batch = QRBatch(urls[0])
    return (_placed_for(batch, url) for url in urls)


def _placed_for(batch: QRBatch, url: str) -> str:
    modules = batch.matrix(url)
    return _placed(pdf_operators(modules), len(modules))


def _in_pool(urls: Sequence[str], processes: int) -> Iterator[str]:
    context = multiprocessing.get_context("fork")
    with context.Pool(processes, initializer=_start_worker, initargs=(urls[0],)) as pool:
        yield from pool.imap(_operators_for, urls, chunksize=250)


def write_svg_zip(
    out: BinaryIO, doors: Sequence[DoorFacts], base_url: str, *, progress=None
) -> None:
    """One SVG a building, 130 mm wide as on the posters, and manifest.csv saying which
    building each file is for (UTF-8 with a byte-order mark, for Excel)."""
    manifest = io.StringIO()
    writer = csv.writer(manifest, lineterminator="\r\n")
    writer.writerow(["二维码编号", "文件", "社区", "网格", "楼栋名称", "地址", "网址"])
    batch = QRBatch(door_url(base_url, doors[0].code)) if doors else None
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for door in doors:
            url = door_url(base_url, door.code)
            name = f"{door.code}.svg"
            archive.writestr(name, svg(batch.matrix(url), label=url, size_mm=130))
            writer.writerow(
                [
                    door.code,
                    name,
                    door.community_name_zh,
                    door.grid_name_zh,
                    door.name_zh,
                    door.address,
                    url,
                ]
            )
            if progress:
                progress(1)
        archive.writestr("manifest.csv", "\ufeff" + manifest.getvalue())
