"""The upload store's services: what is kept of a picture and of a PDF, what is refused, the
bound on what one address keeps unattached, attaching, releasing and the purge."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import ExifTags, Image
from sqlalchemy import select

from portal.uploads import services
from portal.uploads.models import Upload, UploadKind
from portal.uploads.services import UploadRefused, receive
from portal.uploads.store import Store
from tests import factories
from tests.uploads.test_images import encode, noise, phone_exif
from tests.uploads.test_pdfs import document, javascript_on_open

pytestmark = pytest.mark.usefixtures("app_context")

ADDRESS = "a1b2c3d4e5f60718"
BOTH = (UploadKind.IMAGE, UploadKind.PDF)


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "uploads")


def send(session, store, data: bytes, now, **options) -> Upload:
    options = {"purpose": "appeals.report", "address": ADDRESS} | options
    return receive(session, store, io.BytesIO(data), now=now, **options)


def refusal(session, store, data: bytes, now, **options) -> str:
    with pytest.raises(UploadRefused) as refused:
        send(session, store, data, now, **options)
    return refused.value.message


def test_a_photo_is_kept_without_its_location(session, store, now):
    photo = encode(noise(64, 48), exif=phone_exif())
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    upload = send(session, store, photo, now)

    kept = store.path(upload.name).read_bytes()
    image = Image.open(io.BytesIO(kept))
    assert image.format == "JPEG" and image.size == (64, 48)
    assert not image.getexif() and not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert b"WGS-84" not in kept and b"PhoneMakerCo" not in kept
    assert (upload.kind, upload.purpose, upload.size) == (
        UploadKind.IMAGE,
        "appeals.report",
        len(kept),
    )
    assert (upload.address, upload.owner, upload.created_at) == (ADDRESS, None, now)
    assert upload.name.endswith(".jpg")


def test_a_pdf_is_kept_without_its_metadata(session, store, now):
    upload = send(session, store, document(), now, kinds=BOTH, purpose="legal.documents")

    kept = store.path(upload.name).read_bytes()
    assert kept.startswith(b"%PDF-") and upload.name.endswith(".pdf")
    assert upload.kind == UploadKind.PDF
    for trace in (b"Zhang San", b"Scanner Suite", b"xmpmeta"):
        assert trace not in kept


def test_a_pdf_with_javascript_is_refused_and_nothing_is_kept(session, store, now):
    message = refusal(session, store, document(javascript_on_open), now, kinds=BOTH)
    assert "scripts, attached files or actions" in message
    assert session.scalars(select(Upload)).all() == []
    assert not store.folder.exists() or list(store.folder.iterdir()) == []


def test_each_purpose_takes_only_its_kinds(session, store, now):
    assert refusal(session, store, document(), now) == (
        "This file is not a photo. Choose a JPEG, PNG or WebP picture."
    )
    photo = encode(noise(8, 8))
    assert refusal(session, store, photo, now, kinds=(UploadKind.PDF,)) == (
        "This file is not a PDF. Choose a PDF document."
    )


def test_a_file_that_is_neither_where_both_would_do_is_told_so(session, store, now):
    program = b"MZ\x90\x00" + bytes(200)
    assert refusal(session, store, program, now, kinds=BOTH) == (
        "This file is neither a photo nor a PDF. Choose a JPEG, PNG or WebP picture, or a PDF "
        "document."
    )
    assert refusal(session, store, program, now).startswith("This file is not a photo.")


def test_a_file_over_the_size_limit_is_refused_unread(session, store, now):
    too_large = b"\xff\xd8\xff\xe0" + bytes(services.MAX_BYTES + 1 - 4)
    assert refusal(session, store, too_large, now) == (
        "This photo is larger than 10 MB. Choose a smaller one."
    )
    megabyte = 1024 * 1024
    assert refusal(
        session, store, b"%PDF-" + bytes(megabyte), now, kinds=BOTH, max_bytes=megabyte
    ) == ("This file is larger than 1 MB. Choose a smaller one.")


def test_what_one_address_keeps_unattached_is_bounded(session, store, now):
    for _ in range(services.MAX_UNATTACHED - 1):
        factories.upload(session, store, address=ADDRESS, created_at=now)
    factories.upload(session, store, address=ADDRESS, owner="appeals:1", created_at=now)
    photo = encode(noise(8, 8))
    send(session, store, photo, now)  # the 20th waiting; an attached one does not count

    assert refusal(session, store, photo, now) == (
        "Too many files sent from here are waiting for their form. "
        "Send the form first, or try again tomorrow."
    )
    assert send(session, store, photo, now, address="ffffffffffffffff").owner is None


def test_attach_gives_each_upload_to_one_owner(session, store, now):
    first, second, other = (factories.upload(session, store, created_at=now) for _ in range(3))
    assert services.attach(session, [first, second], "appeals:1") == [first, second]
    assert services.attach(session, [second, other], "appeals:2") == [other]

    assert (first.owner, second.owner, other.owner) == ("appeals:1", "appeals:1", "appeals:2")
    assert services.attached_to(session, "appeals:1") == [first, second]
    assert services.find(session, first.name, "appeals:1") == first
    assert services.find(session, first.name, "appeals:2") is None


def test_unattached_finds_the_named_uploads_of_a_purpose_in_order(session, store, now):
    one, two = (factories.upload(session, store, created_at=now) for _ in range(2))
    taken = factories.upload(session, store, created_at=now, owner="appeals:1")
    result = factories.upload(session, store, created_at=now, purpose="appeals.resolution")
    names = [two.name, taken.name, result.name, "f" * 32 + ".jpg", one.name, two.name]

    assert services.unattached(session, names, "appeals.report") == [two, one]
    assert services.unattached(session, [], "appeals.report") == []


def test_the_purge_takes_rows_left_unattached_for_a_day(session, store, now):
    old = factories.upload(session, store, created_at=now - timedelta(hours=25))
    held = factories.upload(session, store, created_at=now - timedelta(days=9), owner="appeals:1")
    recent = factories.upload(session, store, created_at=now - timedelta(hours=23))

    assert services.purge_unattached(session, now) == [old.name]

    session.expire_all()
    assert set(session.scalars(select(Upload.name))) == {held.name, recent.name}


def test_released_uploads_go_with_the_next_purge(session, store, now):
    photo = factories.upload(session, store, created_at=now - timedelta(days=40))
    services.attach(session, [photo], "appeals:7")
    assert services.purge_unattached(session, now) == []

    assert services.release(session, "appeals:7") == 1
    assert services.purge_unattached(session, now) == [photo.name]
