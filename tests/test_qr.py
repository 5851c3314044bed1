"""QR codes: every URL reads back exactly, whether made alone or in a batch."""

from __future__ import annotations

import secrets

from hypothesis import given, settings
from hypothesis import strategies as st

from portal import qr
from tests.qr import decode, modules_image

BASE = "https://grid.example.gov.cn"


def random_url(base: str = BASE) -> str:
    return f"{base}/b/{secrets.token_hex(3).upper()}"


def test_batch_codes_share_version_and_mask_and_all_decode():
    urls = [random_url() for _ in range(200)]
    batch = qr.QRBatch(urls[0])
    sizes = set()
    for url in urls:
        modules = batch.matrix(url)
        sizes.add(len(modules))
        assert decode(modules_image(modules)) == [url]
    assert len(sizes) == 1


def test_a_url_of_another_length_is_made_on_its_own():
    batch = qr.QRBatch(random_url())
    longer = random_url("https://a-much-longer-district-name.example.gov.cn")
    assert decode(modules_image(batch.matrix(longer))) == [longer]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=40).map(lambda row: [row] * 3))
def test_dark_runs_cover_exactly_the_dark_modules(modules):
    rebuilt = [[False] * len(modules[0]) for _ in modules]
    for row, start, length in qr.dark_runs(modules):
        for column in range(start, start + length):
            assert not rebuilt[row][column]
            rebuilt[row][column] = True
    assert rebuilt == modules


def test_the_svg_is_one_path_sized_by_css_and_labelled():
    url = random_url()
    svg = qr.svg(qr.matrix(url), label='<"door">')
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ')
    assert svg.count("<path") == 1 and "width=" not in svg.split(">", 1)[0]
    assert 'aria-label="&lt;&quot;door&quot;>"' in svg


def test_a_printed_svg_has_its_size_in_millimetres():
    svg = qr.svg(qr.matrix(random_url()), label="door", size_mm=30)
    assert 'width="30mm" height="30mm"' in svg.split(">", 1)[0]
