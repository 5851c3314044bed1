"""The request that limits file parts as it reads them, and where the store's folder is."""

from __future__ import annotations

import io
from contextlib import contextmanager

import pytest
from flask import Flask, request
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.test import encode_multipart

from portal.uploads import upload_folder
from portal.uploads.web import store

MB = 1024 * 1024


@contextmanager
def parsed(app, data: dict):
    """The files and fields of a multipart request carrying `data`, as a view sees them."""
    boundary, body = encode_multipart(data)
    with app.test_request_context(
        "/", method="POST", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    ):
        yield request.files.getlist("photos"), request.form


def test_a_file_past_the_size_limit_is_marked_for_the_store(app):
    data = {
        "photos": [
            FileStorage(io.BytesIO(b"x" * (10 * MB + 1)), "big.jpg"),
            FileStorage(io.BytesIO(b"x" * (10 * MB)), "just-fits.jpg"),
        ],
        "description": "漏水",
    }
    with parsed(app, data) as ((big, fits), form):
        assert big.stream.refused == "too-large" and big.stream.received == 10 * MB + 1
        # Still whole, for a form that takes larger files (a district's CSV import).
        assert len(big.stream.read()) == 10 * MB + 1
        assert fits.stream.refused is None and len(fits.stream.read()) == 10 * MB
        assert form["description"] == "漏水"


def test_file_parts_past_the_requests_limit_are_not_kept(app):
    assert app.config["UPLOAD_MAX_FILES"] == 10
    sent = [FileStorage(io.BytesIO(b"photo %d" % n), f"{n}.jpg") for n in range(12)]

    with parsed(app, {"photos": sent}) as (files, _form):
        assert [file.stream.refused for file in files] == [None] * 10 + ["too-many"] * 2
        assert [file.stream.read() for file in files[10:]] == [b"", b""]
        assert files[9].stream.read() == b"photo 9"


def test_a_form_of_too_many_parts_is_refused_whole(app):
    assert app.config["MAX_FORM_PARTS"] == 100
    with pytest.raises(RequestEntityTooLarge), parsed(app, {f"f{n}": "x" for n in range(101)}):
        pass


def test_the_store_keeps_its_files_where_configured(app, tmp_path):
    assert store(app).folder == upload_folder(app)
    app.config["UPLOADS_DIR"] = None
    try:
        app.config["APPEAL_PHOTOS_DIR"] = str(tmp_path / "older-setting")
        assert upload_folder(app) == tmp_path / "older-setting"
    finally:
        app.config["UPLOADS_DIR"] = str(store(app).folder)
        app.config.pop("APPEAL_PHOTOS_DIR")


def test_the_former_photo_folder_becomes_the_stores(tmp_path):
    instance = tmp_path / "instance"
    (instance / "appeal-photos").mkdir(parents=True)
    photo = instance / "appeal-photos" / ("a" * 32 + ".jpg")
    photo.write_bytes(b"jpeg")
    app = Flask(__name__, instance_path=str(instance))

    folder = upload_folder(app)

    assert folder == instance / "uploads"
    assert (folder / photo.name).read_bytes() == b"jpeg"
    assert not (instance / "appeal-photos").exists()
    assert upload_folder(app) == folder  # and again, with nothing left to move


def test_a_body_refused_halfway_leaves_no_file_open(client):
    """A file part written to disk, then too many parts: werkzeug stops reading and hands the
    part to nobody; the request closes it as it ends (an open one warned when collected)."""
    import gc
    import warnings

    fields = {"photos": FileStorage(io.BytesIO(b"x" * (MB)), "big.jpg")}
    fields |= {f"f{n}": "x" for n in range(101)}
    boundary, body = encode_multipart(fields)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response = client.post(
            "/sign-in", data=body, content_type=f"multipart/form-data; boundary={boundary}"
        )
        response.close()
        gc.collect()
    assert response.status_code == 413
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)], caught
