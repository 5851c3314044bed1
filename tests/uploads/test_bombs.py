"""Pictures past the pixel budget are refused from their header: the decoder never runs, and a
refusal fits in a process of 300 MiB, where decoding the same file does not."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from pathlib import Path
from unittest.mock import patch

import pytest
from PIL import Image, ImageFile

from portal.uploads.images import MAX_PIXELS, ImageRefused, clean_image
from tests.uploads import bombs

TOO_MANY_PIXELS = "This picture is too large to use. Choose a smaller one."
MEMORY = 300 * 1024 * 1024
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def decodes(monkeypatch) -> list[tuple[int, int]]:
    """The size of every picture whose pixels Pillow decodes from here on."""
    seen = []
    for cls in (Image.Image, ImageFile.ImageFile):
        original = cls.load

        def spy(image, original=original):
            seen.append(image.size)
            return original(image)

        monkeypatch.setattr(cls, "load", spy)
    return seen


@pytest.mark.usefixtures("app_context")
@pytest.mark.parametrize("made", bombs.BOMBS.values(), ids=bombs.BOMBS.keys())
def test_a_bomb_is_refused_without_its_pixels_being_decoded(made, decodes):
    bomb = made()
    with patch.object(Image, "MAX_IMAGE_PIXELS", None), Image.open(io.BytesIO(bomb)) as image:
        width, height = image.size
    assert width * height > MAX_PIXELS  # the header does claim more than the budget
    decodes.clear()  # making the bomb decoded a tiny real picture

    with pytest.raises(ImageRefused) as refused:
        clean_image(bomb)

    assert refused.value.message == TOO_MANY_PIXELS
    assert decodes == []


@pytest.mark.usefixtures("app_context")
def test_the_spy_sees_a_picture_within_the_budget_decoded(decodes):
    """Guard for the test above: the spy would see a decode if there were one."""
    clean_image(bombs.png(4000, 3000))
    assert (4000, 3000) in decodes


def run_limited(script: str, bomb: bytes, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run `script` in a new Python limited to 300 MiB of address space, the bomb's path in
    `sys.argv[1]`."""
    path = tmp_path / "bomb"
    path.write_bytes(bomb)
    limited = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, ({MEMORY}, {MEMORY}))
        data = open(sys.argv[1], "rb").read()
    """) + textwrap.dedent(script)
    return subprocess.run(
        [sys.executable, "-c", limited, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("made", bombs.BOMBS.values(), ids=bombs.BOMBS.keys())
def test_refusing_a_bomb_fits_in_300_mib(made, tmp_path):
    finished = run_limited(
        """
        from portal.uploads.images import ImageRefused, clean_image, limit_pillow
        limit_pillow()
        try:
            clean_image(data)
        except ImageRefused as refused:
            print("refused:", refused.message)
        """,
        made(),
        tmp_path,
    )
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == f"refused: {TOO_MANY_PIXELS}"


def test_decoding_the_bomb_does_not_fit_in_300_mib(tmp_path):
    """Guard for the test above: the limit is low enough for a bomb to break through it."""
    finished = run_limited(
        """
        import io
        from PIL import Image
        Image.MAX_IMAGE_PIXELS = None
        Image.open(io.BytesIO(data)).load()
        print("decoded")
        """,
        bombs.png(20000, 20000),
        tmp_path,
    )
    assert finished.returncode != 0
    assert "MemoryError" in finished.stderr
