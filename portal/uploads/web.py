"""The upload store over HTTP: the request that stops reading a file part past its limits,
the view helper that counts and receives the files of a form, and sending a kept file.

Flask reads a form's files while it parses the body, before any view runs. `UploadRequest`
keeps at most UPLOAD_MAX_FILES file parts a request, and marks each part past
UPLOAD_MAX_BYTES as it arrives: the store reads neither, so the view shows the form again
with a message and every answer typed, where a bare 413 would lose them all.
"""

from __future__ import annotations

import hashlib
import hmac
import tempfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Request, abort, current_app, request, send_file
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from portal import ratelimit
from portal.uploads import services
from portal.uploads.models import Upload, UploadKind
from portal.uploads.store import Store

STORE = "portal.uploads.store"
# Parts of a file kept in memory before they go to a temporary file.
IN_MEMORY = 512 * 1024


class Part(tempfile.SpooledTemporaryFile):
    """Where one file part of a request is written, and what the upload store will make of it:
    `refused` is "too-large" once more than `limit` bytes came (they are still kept, for forms
    that take larger files, such as a district's CSV import, up to MAX_CONTENT_LENGTH; the
    store reads none of them), or "too-many" for a part past the request's number of files,
    of which nothing is kept."""

    def __init__(self, limit: int, refused: str | None = None) -> None:
        super().__init__(max_size=IN_MEMORY, mode="w+b")
        self.limit = limit
        self.refused = refused
        self.received = 0

    def write(self, data: Any) -> int:
        self.received += len(data)
        if self.refused == "too-many":
            return len(data)
        if self.received > self.limit:
            self.refused = "too-large"
        return super().write(data)


class UploadRequest(Request):
    """A request whose file parts are limited in number and size as they are read."""

    file_parts = 0

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> Part:
        config = current_app.config
        self.file_parts += 1
        if self.file_parts > config["UPLOAD_MAX_FILES"]:
            part = Part(0, refused="too-many")
        else:
            part = Part(config["UPLOAD_MAX_BYTES"])
        # Every part, also those of a body whose reading failed halfway (too many parts, too
        # large): werkzeug hands those to nobody, and their temporary files would stay open.
        self.__dict__.setdefault("_parts", []).append(part)
        return part

    def close(self) -> None:
        """Close the request's files (Flask calls this as the request ends)."""
        super().close()
        for part in self.__dict__.get("_parts", ()):
            part.close()


def store(app: Any = None) -> Store:
    """The app's upload store."""
    return (app or current_app).extensions[STORE]


def address_key() -> str:
    """The sender's address as the store keeps it: a keyed digest, never the address."""
    secret = current_app.config["SECRET_KEY"].encode()
    given = f"uploads:{request.remote_addr}".encode()
    return hmac.new(secret, given, hashlib.sha256).hexdigest()[:16]


def chosen(files: Sequence[FileStorage] | None) -> list[FileStorage]:
    """The files of a file field someone chose (a field left empty sends one without a name;
    a hand-made request may send text under the field's name)."""
    return [file for file in files or [] if isinstance(file, FileStorage) and file.filename]


@dataclass
class Received:
    """What came of the files of one form: those kept, and a message for each refused."""

    uploads: list[Upload] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def receive_files(
    session: Session,
    files: Sequence[FileStorage],
    *,
    purpose: str,
    now: datetime,
    room: int,
    kinds: Collection[UploadKind] = (UploadKind.IMAGE,),
) -> Received:
    """Count every file sent against this address's limit, then keep up to `room` of them.

    Every file counts, kept or refused, before any is decoded: refusing a file costs the
    server work, so sending bad ones uses up the limit as fast as sending good ones.
    """
    received = Received()
    limit = current_app.config["UPLOADS_PER_ADDRESS"]
    # Every file is counted: all() over a generator would stop counting at the first refused.
    counted = [ratelimit.allow("uploads", limit) for _file in files]
    if not all(counted):
        received.errors.append(_("Too many files were sent from here. Please try later."))
        return received
    address = address_key()
    for file in files[:room]:
        refused = getattr(file.stream, "refused", None)
        try:
            if refused == "too-many":
                continue
            if refused == "too-large":
                raise services.too_large(kinds, current_app.config["UPLOAD_MAX_BYTES"])
            upload = services.receive(
                session,
                store(),
                file.stream,
                purpose=purpose,
                address=address,
                now=now,
                kinds=kinds,
                max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
            )
        except services.UploadRefused as error:
            received.errors.append(error.message)
        else:
            received.uploads.append(upload)
    return received


def send_upload(upload: Upload | None):
    """The file of `upload`, kept out of every cache; call it only once the owning feature
    has decided that the person asking may see it (404 when there is no such upload)."""
    path = store().path(upload.name) if upload is not None else None
    if path is None:
        abort(404)
    if upload.kind == UploadKind.PDF:
        response = send_file(
            path, mimetype="application/pdf", as_attachment=True, download_name=upload.name
        )
    else:
        response = send_file(path, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, no-store"
    return response
