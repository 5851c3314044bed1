"""Appeal photos through the upload store over HTTP: too large, too many, counted, and served
only to those the appeal's own checks let see it."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from portal.appeals import services
from portal.appeals.models import Appeal, PhotoStage
from portal.uploads import images
from portal.uploads.models import Upload
from portal.uploads.web import store
from tests import factories
from tests.accounts.test_views import EN
from tests.appeals.conftest import RESIDENT, code_sent, file_appeal
from tests.appeals.test_views import answers, photo_with_location, post, screen, send

pytestmark = pytest.mark.usefixtures("app_context")

TOO_LARGE = "This photo is larger than 10 MB. Choose a smaller one."
NOT_A_PHOTO = "This file is not a photo. Choose a JPEG, PNG or WebP picture."
TOO_MANY_SENT = "Too many files were sent from here. Please try later."


def test_a_photo_over_10_mb_gives_the_form_back_with_every_answer(client, session, tree):
    data = answers(session, step="details")
    data["photos"] = [
        FileStorage(io.BytesIO(b"\xff\xd8\xff\xe0" + bytes(10 * 1024 * 1024)), "IMG_0002.jpg"),
        FileStorage(io.BytesIO(photo_with_location()), "IMG_0001.jpg"),
    ]
    # Encoded here: the test client would spool so large a body to a file it never closes.
    boundary, body = encode_multipart(data)
    response = client.post(
        f"/b/{tree.building.public_code}/report",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=EN,
    )

    body = screen(client, response)
    assert TOO_LARGE in body and "1 photo added." in body
    assert "三楼楼道堆满纸箱，挡住了路</textarea>" in body and 'value="2单元3楼"' in body
    assert session.scalars(select(Upload.purpose)).all() == ["appeals.report"]


def test_files_past_the_requests_limit_are_not_read(client, session, tree, monkeypatch):
    cleaned = []
    monkeypatch.setattr(
        "portal.uploads.services.clean_image", lambda data: cleaned.append(data) or b"jpeg"
    )
    data = answers(session)
    data["photos"] = [(io.BytesIO(b"photo %d" % n), f"{n}.jpg") for n in range(12)]
    body = screen(client, post(client, tree.building, "details", data))

    assert "Up to 3 photos can be sent." in body and "3 photos added." in body
    assert cleaned == [b"photo 0", b"photo 1", b"photo 2"]


def test_every_file_sent_counts_against_the_limit_refused_or_not(client, session, tree, app):
    assert app.config["UPLOADS_PER_ADDRESS"] == "30/hour"
    data = answers(session)
    for _ in range(3):  # ten files a time, each refused, and most never read
        data["photos"] = [(io.BytesIO(b"<?php"), f"{n}.jpg") for n in range(10)]
        body = screen(client, post(client, tree.building, "details", data))
        assert NOT_A_PHOTO in body

    data["photos"] = (io.BytesIO(photo_with_location()), "IMG_0001.jpg")
    body = screen(client, post(client, tree.building, "details", data))
    assert TOO_MANY_SENT in body and "photo added" not in body
    assert session.scalar(select(Upload.id)) is None


def test_the_report_attaches_its_photos_and_a_second_send_attaches_nothing(client, session, tree):
    data = answers(session)
    data["photos"] = [(io.BytesIO(photo_with_location()), f"{n}.jpg") for n in range(2)]
    send(client, tree.building, data)
    post(client, tree.building, "check", {})  # a second tap on Send

    appeal = session.scalars(select(Appeal)).one()
    assert [photo.stage for photo in appeal.photos] == [PhotoStage.REPORT, PhotoStage.REPORT]
    owners = session.scalars(select(Upload.owner)).all()
    assert owners == [services.photo_owner(appeal)] * 2


def test_a_photo_is_served_only_through_its_own_appeal(client, session, tree, staff, now):
    mine = file_appeal(session, tree.building, now)
    other = file_appeal(session, tree.building, now, phone="13912345678")
    photo = factories.upload(session, store(), created_at=now)
    services.attach_photos(session, other, [photo], PhotoStage.REPORT, now=now)
    loose = factories.upload(session, store(), created_at=now)
    session.commit()
    client.post(f"/t/{mine.tracking}", data={"digits": RESIDENT[-4:]})
    assert client.get(f"/t/{mine.tracking}").status_code == 200

    for name in (photo.name, loose.name):
        assert client.get(f"/t/{mine.tracking}/photos/{name}").status_code == 404
    # The other appeal's page refuses this resident before any file is looked at.
    assert client.get(f"/t/{other.tracking}/photos/{photo.name}").status_code == 404


def test_a_photo_the_resident_sent_is_shown_to_them_after_confirming(client, session, tree):
    data = answers(session)
    data["photos"] = (io.BytesIO(photo_with_location()), "IMG_0001.jpg")
    send(client, tree.building, data)
    appeal = session.scalars(select(Appeal)).one()
    name = appeal.photos[0].file_name

    assert client.get(f"/t/{appeal.tracking}/photos/{name}").status_code == 404  # not yet
    client.post(f"/t/{appeal.tracking}/confirm", data={"code": code_sent(session, RESIDENT)})
    served = client.get(f"/t/{appeal.tracking}/photos/{name}")
    assert served.status_code == 200 and served.headers["Cache-Control"] == "private, no-store"
    assert served.data == store().path(name).read_bytes()
    served.close()


def test_text_sent_under_the_photos_name_is_no_photo(client, session, tree):
    data = answers(session) | {"photos": "not a file"}
    body = screen(client, post(client, tree.building, "details", data))
    assert "How can we reach you?" in body and "photo added" not in body


def test_the_pixel_budget_is_pillows_own_limit_once_the_app_is_made(app):
    from PIL import Image

    assert Image.MAX_IMAGE_PIXELS == images.MAX_PIXELS
