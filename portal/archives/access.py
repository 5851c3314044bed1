"""Who may read an archive query: the resident who sent it, the archivists of the archive it
was sent to, and those of an archive asked to help find it (协办); to anyone else it does not
exist (the same 404 as for a reference never issued, issue 9). Every read by staff is written
to the audit log, in the transaction of the page that shows it.

An archivist works an archive when they are its member and hold the archivist's role on a
place covering it: taking the role back, or the membership, ends their access at once.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.archives.models import Archive, ArchiveMember, ArchiveRequest, Assist
from portal.audit import services as audit
from portal.errors import NotFound
from portal.permissions import Actor, Permission, can

REFERENCE_MAX = 12


def not_found() -> NotFound:
    """What anyone who may not read a request meets: the same as a reference never issued."""
    return NotFound(_l("There is no such archive request."))


def is_residents(actor: Actor, request: ArchiveRequest) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and actor.id == request.user_id


def works(session: Session, actor: Actor, archive: Archive) -> bool:
    """Whether `actor` is an archivist of `archive` now."""
    if not getattr(actor, "is_authenticated", False) or actor.id is None:
        return False
    if not can(actor, Permission.HANDLE_ARCHIVE_REQUESTS, archive.place):
        return False
    return (
        session.scalar(
            select(ArchiveMember.user_id).where(
                ArchiveMember.archive_id == archive.id, ArchiveMember.user_id == actor.id
            )
        )
        is not None
    )


def archives_of(session: Session, actor: Actor) -> list[Archive]:
    """The archives `actor` works now, by name."""
    if not getattr(actor, "is_authenticated", False) or actor.id is None:
        return []
    members = session.scalars(
        select(Archive)
        .join(ArchiveMember, ArchiveMember.archive_id == Archive.id)
        .where(ArchiveMember.user_id == actor.id, Archive.retired_at.is_(None))
        .order_by(Archive.name_zh, Archive.id)
    )
    return [
        archive
        for archive in members
        if can(actor, Permission.HANDLE_ARCHIVE_REQUESTS, archive.place)
    ]


def assists_for(session: Session, actor: Actor, request: ArchiveRequest) -> list[Assist]:
    """The assists of `request` asked of an archive `actor` works, oldest first."""
    assists = session.scalars(
        select(Assist).where(Assist.request_id == request.id).order_by(Assist.id)
    ).all()
    return [assist for assist in assists if works(session, actor, assist.archive)]


def is_receiving_archivist(session: Session, actor: Actor, request: ArchiveRequest) -> bool:
    return works(session, actor, request.archive)


def request_for(
    session: Session,
    actor: Actor,
    reference: str,
    *,
    now: datetime,
    what: str = "read",
    for_update: bool = False,
    audited: bool = True,
) -> ArchiveRequest:
    """The request `reference` if `actor` may read it, else NotFound. A read by staff is
    audited as "archives.request.<what>" (read, or a document's name); without `audited` the
    caller records it itself (`record_read`)."""
    reference = (reference or "").strip().upper()[:REFERENCE_MAX]
    query = select(ArchiveRequest).where(ArchiveRequest.reference == reference)
    if for_update:
        query = query.with_for_update(of=ArchiveRequest)
    request = session.scalar(query) if reference else None
    if request is None:
        raise not_found()
    if is_residents(actor, request):
        return request
    if is_receiving_archivist(session, actor, request) or assists_for(session, actor, request):
        if audited:
            record_read(session, actor, request, now=now, what=what)
        return request
    raise not_found()


def record_read(
    session: Session, actor: Actor, request: ArchiveRequest, *, now: datetime, what: str = "read"
) -> None:
    """Write a staff member's read of the request to the audit log."""
    audit.record(session, f"archives.request.{what}", actor=actor, now=now, target=request)


def letter_for(
    session: Session, actor: Actor, reference: str, *, now: datetime, what: str | None
) -> ArchiveRequest:
    """The request `reference` with its letter, for its resident or an archivist of the
    archive that answered it (their read audited as "archives.request.<what>", unless None);
    an assisting archive never reads the letter, and a request without one has none to read."""
    request = request_for(session, actor, reference, now=now, audited=False)
    if request.letter_id is None:
        raise not_found()
    if is_residents(actor, request):
        return request
    if not is_receiving_archivist(session, actor, request):
        raise not_found()
    if what is not None:
        record_read(session, actor, request, now=now, what=what)
    return request


def staff_request_for(
    session: Session, actor: Actor, reference: str, *, now: datetime, for_update: bool = False
) -> ArchiveRequest:
    """The request `reference` for an archivist of its archive or of one asked to help; to
    anyone else (its resident included: theirs is another page) there is no such request. The
    read is audited by the page that shows it."""
    request = request_for(session, actor, reference, now=now, for_update=for_update, audited=False)
    if not (
        is_receiving_archivist(session, actor, request) or assists_for(session, actor, request)
    ):
        raise not_found()
    return request
