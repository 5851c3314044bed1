"""The photos of an appeal: uploads of the upload store that the appeal holds, sent by the
resident with the report or by the handler with the result."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from portal.appeals.models import Appeal, AppealPhoto, PhotoStage
from portal.uploads import services as uploads
from portal.uploads.models import Upload

MAX_PHOTOS = 3
# What each stage's photos are sent for, as the upload store records it.
PURPOSES = {PhotoStage.REPORT: "appeals.report", PhotoStage.RESOLUTION: "appeals.resolution"}


def photo_owner(appeal: Appeal) -> str:
    """The appeal as the upload store names the holder of its photos."""
    return f"appeals:{appeal.id}"


def attach_photos(
    session: Session, appeal: Appeal, photos: Iterable[Upload], stage: PhotoStage, *, now: datetime
) -> None:
    """Give the appeal the uploaded `photos` (up to `MAX_PHOTOS`) that no record holds yet."""
    wanted = [photo for photo in photos if photo.purpose == PURPOSES[stage]][:MAX_PHOTOS]
    for upload in uploads.attach(session, wanted, photo_owner(appeal)):
        appeal.photos.append(
            AppealPhoto(upload_id=upload.id, upload=upload, stage=stage, created_at=now)
        )
    session.flush()


def find_photo(session: Session, appeal: Appeal, name: str) -> Upload | None:
    """The appeal's photo called `name`, or None: another record's upload never is."""
    return uploads.find(session, name, photo_owner(appeal))
