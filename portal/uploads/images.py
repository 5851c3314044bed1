"""Pictures people upload: checked from their header, then cleaned down to their pixels.

A photo from a phone says more than its picture. Its EXIF block holds where it was taken
(GPS, often the resident's home), the phone's make and model, and the time; XMP and
comments can hold more. So every picture is decoded and encoded again as a plain JPEG:
nothing of the uploaded file but its pixels is kept. That also disarms files that are
something else wearing a picture's name (a script renamed .jpg, a JPEG with a script in its
comment), since only pixels survive.

Decoding is the dangerous step: a file of a few KB can claim 16383×3051 pixels and take a
gigabyte to decode. The size a header claims is read first, and a picture past
`MAX_PIXELS` is refused before a single pixel is decoded.

Only JPEG, PNG and WebP are accepted, recognised by their content, not by their name or
the browser's word. Phones' browsers and WeChat hand over HEIC photos already converted to
JPEG, so HEIC is not needed; GIF, SVG and PDF are not photos.
"""

from __future__ import annotations

import io
import struct

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps

from portal.uploads.errors import UploadRefused

MAX_SIDE = 2048

# Phones save 12 or 24 megapixels unless told otherwise (4032×3024, 6000×4000). Decoding
# one takes about 4 bytes a pixel, and the cleaning holds two copies: 24 million pixels
# keep a worker within a few hundred MB. The attack of issue 16 used 49 million.
MAX_PIXELS = 24_000_000

# Only these readers are tried, so no other of Pillow's many parsers sees the file.
READERS = ("JPEG", "PNG", "WEBP")
# MPO is what the JPEG reader calls a JPEG carrying a second picture after the first (some
# phones add a depth map or a preview that way); the first picture is an ordinary JPEG.
ACCEPTED_FORMATS = frozenset({*READERS, "MPO"})

JPEG_QUALITY = 85

# Pillow's decoders raise all of these on damaged or hostile files (the list its own fuzz
# tests accept); any of them means the file cannot be a usable picture.
UNREADABLE = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    NotImplementedError,
    OverflowError,
    struct.error,
)


class ImageRefused(UploadRefused):
    """A file the portal will not keep as a picture; the message says why."""


def limit_pillow() -> None:
    """Make Pillow's own bomb limit the portal's budget, for any code that opens a picture."""
    # Pillow warns past this many pixels and refuses past twice as many.
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def clean_image(data: bytes) -> bytes:
    """The picture in `data` as an upright JPEG of at most `MAX_SIDE` pixels a side, with no
    metadata; `ImageRefused` if it is too large, not a picture, or cannot be read."""
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
        raise _not_a_picture() from None
    # Pillow refuses pictures far over its own limit, and warns about those just over it
    # (an error under pytest's filterwarnings); both are bombs as far as the portal cares.
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except UNREADABLE:
        raise _unreadable() from None
    # Checked here as well: Pillow only warns between its limit and twice that, and its
    # limit is a global setting another part of the program may change.
    width, height = image.size
    if width * height > MAX_PIXELS:
        image.close()
        raise _too_many_pixels()
    if image.format not in ACCEPTED_FORMATS:
        image.close()
        raise _not_a_picture()
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


NOT_A_PICTURE = _l("This file is not a photo. Choose a JPEG, PNG or WebP picture.")


def _not_a_picture() -> ImageRefused:
    return ImageRefused(NOT_A_PICTURE)


def _unreadable() -> ImageRefused:
    return ImageRefused(_l("This photo could not be read. Try taking it again."))


def _too_many_pixels() -> ImageRefused:
    return ImageRefused(_l("This picture is too large to use. Choose a smaller one."))
