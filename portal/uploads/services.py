"""The upload store (a shared service): files people send are checked, cleaned and kept until
the record they belong to holds them; the owning feature decides who may see them.

`receive` takes one file: a picture is re-encoded without metadata (images.py), a PDF written
anew without it (pdfs.py); anything else is refused with a message for the sender. `attach`
gives uploads to their record ("appeals:42"); what nothing holds after a day is purged.

Functions take a Session and plain values, flush but never commit, and never touch the
request; the view counts each attempt against the sender's limits before calling them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime, timedelta
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from portal.uploads.errors import UploadRefused
from portal.uploads.images import NOT_A_PICTURE, clean_image
from portal.uploads.models import Upload, UploadKind
from portal.uploads.store import Store

MAX_BYTES = 10 * 1024 * 1024
# What one address may keep unattached (sent with a form not yet sent) at once: enough for
# a few forms with their photos, too few to fill a disk.
MAX_UNATTACHED = 20
# How long an unattached upload waits for its form: a slow hand, a phone call in between.
KEEP_UNATTACHED = timedelta(days=1)

SUFFIXES = {UploadKind.IMAGE: "jpg", UploadKind.PDF: "pdf"}
PDF_MAGIC = b"%PDF-"


def receive(
    session: Session,
    store: Store,
    file: BinaryIO,
    *,
    purpose: str,
    address: str | None,
    now: datetime,
    kinds: Collection[UploadKind] = (UploadKind.IMAGE,),
    max_bytes: int = MAX_BYTES,
) -> Upload:
    """Check, clean and keep the file read from `file`, unattached, as sent from `address` (a
    keyed digest) for `purpose`; `UploadRefused` with the reason if it is not kept."""
    if address is not None and unattached_count(session, address) >= MAX_UNATTACHED:
        raise UploadRefused(
            _l(
                "Too many files sent from here are waiting for their form. "
                "Send the form first, or try again tomorrow."
            )
        )
    data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_large(kinds, max_bytes)
    kind = UploadKind.PDF if data.startswith(PDF_MAGIC) else UploadKind.IMAGE
    if kind not in kinds:
        raise _not_accepted(kinds)
    if kind == UploadKind.PDF:
        # Imported here: qpdf takes 0.2 s to load, in every process, for a file few will send.
        from portal.uploads.pdfs import clean_pdf

        cleaned = clean_pdf(data)
    else:
        cleaned = _cleaned_picture(data, kinds)
    upload = Upload(
        name=store.write(cleaned, SUFFIXES[kind]),
        kind=kind,
        purpose=purpose,
        size=len(cleaned),
        created_at=now,
        address=address,
    )
    session.add(upload)
    session.flush()
    return upload


def too_large(kinds: Collection[UploadKind], max_bytes: int = MAX_BYTES) -> UploadRefused:
    """The refusal of a file over `max_bytes`, in the words of what the form asks for."""
    size = max_bytes // (1024 * 1024)
    if set(kinds) == {UploadKind.IMAGE}:
        return UploadRefused(
            _l("This photo is larger than %(size)d MB. Choose a smaller one.", size=size)
        )
    return UploadRefused(
        _l("This file is larger than %(size)d MB. Choose a smaller one.", size=size)
    )


def _cleaned_picture(data: bytes, kinds: Collection[UploadKind]) -> bytes:
    """The picture re-encoded; a file that is no picture, sent where a PDF would also do, is
    told so in those words (a resident who sent a document must not think only photos go)."""
    try:
        return clean_image(data)
    except UploadRefused as refused:
        if UploadKind.PDF in kinds and refused.message == str(NOT_A_PICTURE):
            raise _not_accepted(kinds) from None
        raise


def _not_accepted(kinds: Collection[UploadKind]) -> UploadRefused:
    if set(kinds) == {UploadKind.IMAGE, UploadKind.PDF}:
        return UploadRefused(
            _l("This file is neither a photo nor a PDF. Choose a JPEG, PNG or WebP picture, "
               "or a PDF document.")
        )  # fmt: skip
    if UploadKind.IMAGE in kinds:
        return UploadRefused(_l("This file is not a photo. Choose a JPEG, PNG or WebP picture."))
    return UploadRefused(_l("This file is not a PDF. Choose a PDF document."))


def unattached_count(session: Session, address: str) -> int:
    """How many uploads sent from `address` wait unattached."""
    return session.scalar(
        select(func.count())
        .select_from(Upload)
        .where(Upload.address == address, Upload.owner.is_(None))
    )


def unattached(session: Session, names: Iterable[str], purpose: str) -> list[Upload]:
    """The uploads called `names` that were sent for `purpose` and wait unattached, in the order
    of `names` (a form carries the names of the files it was sent with)."""
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return []
    found = {
        upload.name: upload
        for upload in session.scalars(
            select(Upload).where(
                Upload.name.in_(wanted), Upload.purpose == purpose, Upload.owner.is_(None)
            )
        )
    }
    return [found[name] for name in wanted if name in found]


def attach(session: Session, uploads: Iterable[Upload], owner: str) -> list[Upload]:
    """Give the unattached `uploads` to `owner` ("appeals:42"); return those it got.

    An upload another record took first (two taps on Send, two tabs sending the same form) or
    the purge removed is left out: each upload belongs to one record at most.
    """
    attached = []
    for upload in uploads:
        # One conditional update each: of two transactions attaching the same upload, the
        # second waits for the first and then finds it taken.
        taken = session.execute(
            update(Upload)
            .where(Upload.id == upload.id, Upload.owner.is_(None))
            .values(owner=owner)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:
            attached.append(upload)
    for upload in attached:
        session.refresh(upload)
    return attached


def release(session: Session, owner: str) -> int:
    """Let go of every upload `owner` holds (the record is being deleted): the purge takes
    them with the unattached. Return how many."""
    return session.execute(
        update(Upload)
        .where(Upload.owner == owner)
        .values(owner=None)
        .execution_options(synchronize_session=False)
    ).rowcount


def attached_to(session: Session, owner: str) -> list[Upload]:
    """The uploads `owner` holds, oldest first."""
    return list(session.scalars(select(Upload).where(Upload.owner == owner).order_by(Upload.id)))


def find(session: Session, name: str, owner: str) -> Upload | None:
    """The upload called `name` if `owner` holds it: what a feature serves after its own
    access check on `owner`."""
    return session.scalar(select(Upload).where(Upload.name == name, Upload.owner == owner))


def purge_unattached(session: Session, now: datetime) -> list[str]:
    """Delete the rows of uploads left unattached past `KEEP_UNATTACHED`; return the names of
    their files, for the caller to delete once the deletion is committed."""
    removed = session.scalars(
        delete(Upload)
        .where(Upload.owner.is_(None), Upload.created_at < now - KEEP_UNATTACHED)
        .returning(Upload.name)
    )
    return list(removed)


def known_names(session: Session, names: Collection[str]) -> set[str]:
    """Which of `names` are the files of uploads (a file without one is left from a
    transaction that was rolled back)."""
    return set(session.scalars(select(Upload.name).where(Upload.name.in_(names))))
