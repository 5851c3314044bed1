"""Photos residents attach to an appeal: checked, cleaned and kept on disk.

A photo from a phone says more than its picture. Its EXIF block holds where it was taken
(GPS, often the resident's home), the phone's make and model, and the time; XMP and
comments can hold more. Staff and, for some appeals, other residents see these photos, so
every photo is decoded and encoded again as a plain JPEG: nothing of the uploaded file but
its pixels is kept. That also disarms files that are something else wearing a photo's name
(a script renamed .jpg, a JPEG with a script in its comment), since only pixels survive.

Only JPEG, PNG and WebP are accepted, recognised by their content, not by their name or
the browser's word. Phones' browsers and WeChat hand over HEIC photos already converted to
JPEG, so HEIC is not needed; GIF, SVG and PDF are not photos.

Upright, no larger than `MAX_SIDE` pixels on a side, stored under a random name: a
photo's name says nothing about the appeal, and cannot be guessed from another's.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import secrets
import struct
import tempfile
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps

from portal.errors import Invalid

MAX_BYTES = 10 * 1024 * 1024
MAX_SIDE = 2048
MAX_PHOTOS = 3

# A phone's camera makes at most about 50 megapixels. The size is read from the header
# before any pixel is decoded, so a small file claiming a huge picture (a decompression
# bomb) is refused before it can take the server's memory.
MAX_PIXELS = 50_000_000

# Only these readers are tried, so no other of Pillow's many parsers sees the file.
READERS = ("JPEG", "PNG", "WEBP")
# MPO is what the JPEG reader calls a JPEG carrying a second picture after the first (some
# phones add a depth map or a preview that way); the first picture is an ordinary JPEG.
ACCEPTED_FORMATS = frozenset({*READERS, "MPO"})

JPEG_QUALITY = 85

NAME = re.compile(r"[0-9a-f]{32}\.jpg")

# Pillow's decoders raise all of these on damaged or hostile files (the list its own fuzz
# tests accept); any of them means the file cannot be a usable photo.
UNREADABLE = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    NotImplementedError,
    OverflowError,
    struct.error,
)


class PhotoRejected(Invalid):
    """A file a resident chose that the portal will not keep as a photo."""

    def __init__(self, message: Any) -> None:
        super().__init__(message, field="photos")


def clean_photo(data: bytes) -> bytes:
    """The photo in `data` as an upright JPEG of at most `MAX_SIDE` pixels a side, with no
    metadata; `PhotoRejected` if it is too large, not a photo, or cannot be read."""
    if len(data) > MAX_BYTES:
        raise PhotoRejected(
            _l(
                "This photo is larger than %(size)d MB. Choose a smaller one.",
                size=MAX_BYTES // (1024 * 1024),
            )
        )
    # verify() finds damage that decoding may not (PNG checksums), but leaves the image
    # unusable, so the file is opened a second time to be decoded.
    with _open(data) as image:
        try:
            image.verify()
        except UNREADABLE:
            raise _unreadable() from None
    with _open(data) as image:
        try:
            picture = _upright_rgb(image)
        except UNREADABLE:
            raise _unreadable() from None
    picture.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # `picture` is a new image holding pixels only; no exif, icc_profile, xmp or comment
    # is given, so none is written. The colour profile goes too: wide-gamut photos look a
    # little duller, which matters little in a photo of a broken streetlight.
    picture.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def _open(data: bytes) -> Image.Image:
    """The image in `data`, its header read and its size checked, no pixel decoded yet."""
    try:
        image = Image.open(io.BytesIO(data), formats=READERS)
    except Image.UnidentifiedImageError:
        raise _not_a_photo() from None
    # Pillow refuses pictures far over its own limit, and warns about those just over it
    # (an error under pytest's filterwarnings); both are bombs as far as the portal cares.
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except UNREADABLE:
        raise _unreadable() from None
    # Checked here as well, since Pillow's limit is a global setting another part of the
    # program may change, and is higher than any phone's photo.
    width, height = image.size
    if width * height > MAX_PIXELS:
        image.close()
        raise _too_many_pixels()
    if image.format not in ACCEPTED_FORMATS:
        image.close()
        raise _not_a_photo()
    return image


def _upright_rgb(image: Image.Image) -> Image.Image:
    """The picture turned the way the camera was held, on white where it was transparent."""
    # A JPEG can be decoded at a half, quarter or eighth of its size for almost nothing;
    # a large photo then never sits whole in memory. Other formats ignore this.
    image.draft("RGB", (MAX_SIDE, MAX_SIDE))
    # Phones save the sensor's pixels as they came and note the turn in EXIF; the EXIF is
    # about to be dropped, so the turn is made on the pixels.
    upright = ImageOps.exif_transpose(image)
    canvas = Image.new("RGB", upright.size, "white")
    if upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info:
        rgba = upright.convert("RGBA")
        canvas.paste(rgba, mask=rgba.getchannel("A"))
    else:
        canvas.paste(upright.convert("RGB"))
    return canvas


def _not_a_photo() -> PhotoRejected:
    return PhotoRejected(_l("This file is not a photo. Choose a JPEG, PNG or WebP picture."))


def _unreadable() -> PhotoRejected:
    return PhotoRejected(_l("This photo could not be read. Try taking it again."))


def _too_many_pixels() -> PhotoRejected:
    return PhotoRejected(_l("This picture is too large to use. Choose a smaller one."))


def store_photo(folder: Path, jpeg: bytes) -> str:
    """Keep `jpeg` in `folder` under a new random name, and return the name."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = secrets.token_hex(16) + ".jpg"
    # Written under a temporary name and renamed once complete, so a reader never finds
    # half a photo, and a crash leaves no file under a real name.
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(jpeg)
            file.flush()
            os.fsync(file.fileno())
        # Only the portal's own user may read them: they show residents' homes and streets.
        os.chmod(temporary, 0o600)
        os.replace(temporary, folder / name)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _sync_folder(folder)
    return name


def _sync_folder(folder: Path) -> None:
    # The appeal naming the photo is committed right after; without this, a power cut
    # could lose the rename and leave the appeal pointing at nothing.
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def photo_path(folder: Path, name: str) -> Path | None:
    """The file of the photo called `name` in `folder`, or None if there is none.

    `name` may come from a URL: only names `store_photo` makes are accepted, so no name
    can reach outside `folder`.
    """
    if not NAME.fullmatch(name):
        return None
    path = folder / name
    return path if path.is_file() else None


def delete_photo(folder: Path, name: str) -> None:
    """Remove the photo called `name` from `folder`; nothing happens if it is already gone."""
    # A name of any other form is a mistake in the caller, never a photo: refusing it
    # keeps a delete from reaching a file outside `folder`.
    if not NAME.fullmatch(name):
        raise ValueError(f"not a photo's name: {name!r}")
    (folder / name).unlink(missing_ok=True)
