"""The ID numbers of an archive query: the requester's and, when it is about someone else,
that person's. They are checked with python-stdnum (portal.idnumbers), kept masked for every
page and sealed at rest (portal.sealing, bound to the request's row), and opened whole only
for the archivist handling the request, each look written to the audit log.

The handling archivist is the one of the receiving archive who first acts on the request (or
looks at the numbers), and for an assisting archive (协办) the one of it who first does; the
other archivists see the numbers masked, as everyone else does.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from portal import idnumbers, sealing
from portal.accounts.models import User
from portal.archives.access import assists_for, is_receiving_archivist, not_found, works
from portal.archives.models import Archive, ArchiveRequest, Assist
from portal.audit import services as audit
from portal.errors import Invalid
from portal.permissions import Actor

log = logging.getLogger(__name__)


def key_from(config: Mapping[str, Any]) -> bytes:
    """The 256-bit key sealing archive queries' ID numbers, from the portal's one secret."""
    return idnumbers.derived_key(config, b"portal.archives.id_number_seal")


def app_key() -> bytes:
    """The sealing key of the running app (for services called without one)."""
    from flask import current_app

    return key_from(current_app.config)


def _bound_to(request: ArchiveRequest) -> str:
    if request.id is None:
        raise ValueError("numbers are sealed for a request with an id: flush first")
    return f"archive_requests:{request.id}"


def seal_numbers(
    request: ArchiveRequest, requester_id: str, subject_id: str | None, key: bytes
) -> None:
    """Keep the (validated) numbers on `request`, masked and sealed."""
    request.requester_id_masked = idnumbers.mask(requester_id)
    request.requester_id_sealed = sealing.seal(requester_id, _bound_to(request), key)
    if subject_id:
        request.subject_id_masked = idnumbers.mask(subject_id)
        request.subject_id_sealed = sealing.seal(subject_id, _bound_to(request), key)


@dataclass(frozen=True)
class Numbers:
    """The whole numbers a handler may see; a masked one where they may not (an assisting
    archive searches for the person concerned, and never sees the requester's number)."""

    requester: str
    subject: str  # "" when the record is about the requester


def _vacant(session: Session, handler_id: int | None, archive: Archive) -> bool:
    """Whether nobody handles the work for `archive`: no handler yet, or one who no longer
    works there (their role or membership taken back), whose colleague then takes it on."""
    if handler_id is None:
        return True
    handler = session.get(User, handler_id)
    return handler is None or not works(session, handler, archive)


def handling_assist(session: Session, actor: Actor, request: ArchiveRequest) -> Assist | None:
    """The unanswered assist of `request` that `actor` handles (or may take), if they work
    its archive: once it has answered, the search is over and so is the need to see numbers."""
    for assist in assists_for(session, actor, request):
        if assist.answered_at is None and (
            assist.handler_id == actor.id or _vacant(session, assist.handler_id, assist.archive)
        ):
            return assist
    return None


def _handles_for_receiving(session: Session, actor: Actor, request: ArchiveRequest) -> bool:
    return is_receiving_archivist(session, actor, request) and (
        request.handler_id == actor.id or _vacant(session, request.handler_id, request.archive)
    )


def may_reveal(session: Session, actor: Actor, request: ArchiveRequest) -> bool:
    """Whether `actor` handles the open request (or may take it), for the receiving archive
    or an assisting one. Once it is closed nobody needs the numbers whole any more."""
    if not request.is_open:
        return False
    if _handles_for_receiving(session, actor, request):
        return True
    return handling_assist(session, actor, request) is not None


def take(session: Session, actor: Actor, request: ArchiveRequest) -> None:
    """Make `actor` the handler of the request (receiving archive) or of their archive's
    assist, if nobody handles it now. The caller holds the request's row lock."""
    if is_receiving_archivist(session, actor, request):
        if _handles_for_receiving(session, actor, request):
            request.handler_id = actor.id
        return
    assist = handling_assist(session, actor, request)
    if assist is not None:
        assist.handler_id = actor.id


def reveal(
    session: Session,
    actor: Actor,
    request: ArchiveRequest,
    *,
    now: datetime,
    key: bytes | None = None,
) -> Numbers:
    """The whole numbers, for the archivist handling the request (who becomes its handler if
    nobody was); the look is audited. Anyone else: the same NotFound as for no request."""
    if not may_reveal(session, actor, request):
        raise not_found()
    take(session, actor, request)
    assisting = not _handles_for_receiving(session, actor, request)
    key = key or app_key()
    try:
        subject = (
            sealing.unseal(request.subject_id_sealed, _bound_to(request), key)
            if request.subject_id_sealed
            else ""
        )
        # The person concerned is the requester when the record is their own.
        requester = (
            request.requester_id_masked
            if assisting and subject
            else sealing.unseal(request.requester_id_sealed, _bound_to(request), key)
        )
        numbers = Numbers(requester=requester, subject=subject)
    except sealing.Unreadable as error:
        log.error("ID numbers cannot be unsealed: %s", error)
        raise Invalid(
            _l("The ID numbers cannot be read at the moment. Please tell the administrator.")
        ) from None
    audit.record(session, "archives.request.reveal_id_numbers", actor=actor, now=now,
                 target=request)  # fmt: skip
    session.flush()
    return numbers
