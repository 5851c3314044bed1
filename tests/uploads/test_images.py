"""Pictures sent to the upload store: only pictures get in, only their pixels come out, and a
picture claiming more pixels than the budget is refused before any is decoded."""

from __future__ import annotations

import io
import random

import pytest
from PIL import ExifTags, Image

from portal.uploads.images import MAX_SIDE, ImageRefused, clean_image
from tests.uploads import bombs

# The messages are made in the user's language when the refusal is raised.
pytestmark = pytest.mark.usefixtures("app_context")

NOT_A_PHOTO = "This file is not a photo. Choose a JPEG, PNG or WebP picture."
UNREADABLE = "This photo could not be read. Try taking it again."
TOO_MANY_PIXELS = "This picture is too large to use. Choose a smaller one."
PHP = b"<?php system($_GET['c']); ?>"


def encode(image: Image.Image, kind: str = "JPEG", **options) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def noise(width: int, height: int) -> Image.Image:
    """A picture that compresses badly, like a real photo, the same on every run."""
    return Image.frombytes("RGB", (width, height), random.Random(0).randbytes(width * height * 3))


def two_colours(width: int, height: int) -> Image.Image:
    """Red on the left half, blue on the right."""
    image = Image.new("RGB", (width, height), "blue")
    image.paste("red", (0, 0, width // 2, height))
    return image


def phone_exif(orientation: int = 1) -> Image.Exif:
    """What a phone writes: its make and model, where the photo was taken, which way up."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMakerCo"
    exif[ExifTags.Base.Model] = "Pocket Camera 15"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (22.0, 32.0, 36.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (113.0, 56.0, 24.0)
    gps[ExifTags.GPS.GPSMapDatum] = "WGS-84"
    return exif


def refusal(data: bytes) -> str:
    with pytest.raises(ImageRefused) as caught:
        clean_image(data)
    return caught.value.message


# What comes out


def test_location_camera_and_every_other_metadata_are_removed():
    original = encode(
        noise(64, 48),
        exif=phone_exif(),
        xmp=b"<x:xmpmeta><exif:GPSLatitude>22,32.6N</exif:GPSLatitude></x:xmpmeta>",
        comment=b"taken at home",
        icc_profile=b"not really a profile",
    )
    # The test's own photo does carry all of it.
    assert opened(original).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert b"WGS-84" in original and b"PhoneMakerCo" in original

    cleaned = clean_image(original)

    image = opened(cleaned)
    assert image.format == "JPEG"
    assert image.size == (64, 48)
    assert not image.getexif()
    assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert not {"exif", "xmp", "comment", "icc_profile"} & image.info.keys()
    for trace in (b"Exif", b"WGS-84", b"PhoneMakerCo", b"Pocket Camera", b"xmpmeta", b"at home"):
        assert trace not in cleaned


def test_a_photo_taken_with_the_phone_turned_comes_out_upright():
    # Orientation 6: the sensor's picture must be turned a quarter clockwise to be seen.
    cleaned = clean_image(encode(two_colours(40, 20), exif=phone_exif(orientation=6)))

    image = opened(cleaned).convert("RGB")
    assert image.size == (20, 40)
    red, _, blue = image.getpixel((10, 5))
    assert red > 200 and blue < 60  # the left half is now on top
    red, _, blue = image.getpixel((10, 35))
    assert red < 60 and blue > 200


def test_a_large_photo_is_made_smaller_keeping_its_shape():
    image = opened(clean_image(encode(noise(4000, 3000), quality=50)))
    assert image.size == (MAX_SIDE, 1536)


def test_a_tall_photo_is_limited_by_its_height():
    image = opened(clean_image(encode(two_colours(1000, 5000), "PNG")))
    assert image.size == (410, MAX_SIDE)


def test_a_small_photo_keeps_its_size():
    assert opened(clean_image(encode(noise(300, 200)))).size == (300, 200)


def test_a_png_with_transparency_becomes_a_jpeg_on_white():
    picture = Image.new("RGBA", (60, 60), (0, 0, 0, 0))
    picture.paste((255, 0, 0, 255), (20, 20, 40, 40))

    image = opened(clean_image(encode(picture, "PNG")))

    assert (image.format, image.mode) == ("JPEG", "RGB")
    assert all(channel > 240 for channel in image.getpixel((2, 2)))
    red, green, blue = image.getpixel((30, 30))
    assert red > 200 and green < 60 and blue < 60


def test_a_palette_png_with_a_transparent_colour_is_flattened_on_white():
    picture = Image.new("P", (30, 30), 0)
    picture.putpalette([0, 0, 0, 255, 0, 0])
    picture.paste(1, (10, 10, 20, 20))

    image = opened(clean_image(encode(picture, "PNG", transparency=0)))

    assert all(channel > 240 for channel in image.getpixel((2, 2)))
    assert image.getpixel((15, 15))[0] > 200


def test_a_webp_photo_becomes_a_jpeg():
    image = opened(clean_image(encode(noise(120, 80), "WEBP", exif=phone_exif())))
    assert (image.format, image.size) == ("JPEG", (120, 80))
    assert not image.getexif()


def test_a_jpeg_carrying_a_second_picture_is_read_as_its_first():
    # Some phones save a depth map or a preview after the photo (Pillow calls this MPO).
    original = encode(
        two_colours(40, 20), "MPO", save_all=True, append_images=[Image.new("RGB", (8, 8))]
    )
    assert opened(original).format == "MPO"

    image = opened(clean_image(original))

    assert (image.format, image.size, getattr(image, "n_frames", 1)) == ("JPEG", (40, 20), 1)


@pytest.mark.parametrize(
    ("mode", "kind"),
    [("L", "JPEG"), ("CMYK", "JPEG"), ("1", "PNG"), ("LA", "PNG"), ("I;16", "PNG")],
)
def test_pictures_of_any_colour_mode_become_rgb(mode, kind):
    image = opened(clean_image(encode(Image.new(mode, (16, 16)), kind)))
    assert (image.format, image.mode) == ("JPEG", "RGB")


def test_a_script_hidden_in_a_real_photo_does_not_survive():
    cleaned = clean_image(encode(noise(32, 32), comment=PHP))
    assert PHP not in cleaned
    assert b"<?php" not in cleaned


# What is refused


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(PHP, id="php-script"),
        pytest.param(b"", id="empty"),
        pytest.param(encode(two_colours(20, 20), "GIF"), id="gif"),
        pytest.param(encode(two_colours(20, 20), "BMP"), id="bmp"),
        pytest.param(encode(two_colours(20, 20), "TIFF"), id="tiff"),
        pytest.param(b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', id="svg"),
        pytest.param(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", id="pdf"),
        pytest.param(PHP + encode(noise(8, 8)), id="script-before-a-jpeg"),
    ],
)
def test_what_is_not_a_jpeg_png_or_webp_is_refused(data):
    assert refusal(data) == NOT_A_PHOTO


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
def test_a_truncated_photo_is_refused(kind):
    whole = encode(noise(200, 150), kind)
    assert refusal(whole[: len(whole) // 2]) == UNREADABLE


def test_a_png_with_a_damaged_checksum_is_refused():
    whole = bytearray(encode(noise(50, 50), "PNG"))
    whole[-20] ^= 0xFF  # inside the last IDAT chunk's data
    assert refusal(bytes(whole)) == UNREADABLE


def test_the_pixel_limit_holds_when_pillows_own_is_turned_off(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    assert refusal(bombs.png(20_000, 20_000)) == TOO_MANY_PIXELS
