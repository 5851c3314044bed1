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
from portal.archives.access import assists_for, is_receiving_archivist, not_found
from portal.archives.models import ArchiveRequest, Assist
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
    requester: str
    subject: str  # "" when the record is about the requester


def handling_assist(session: Session, actor: Actor, request: ArchiveRequest) -> Assist | None:
    """The assist of `request` that `actor` handles (or may take), if they work its archive."""
    for assist in assists_for(session, actor, request):
        if assist.handler_id in (None, actor.id):
            return assist
    return None


def may_reveal(session: Session, actor: Actor, request: ArchiveRequest) -> bool:
    """Whether `actor` handles the request (or may take it), for the receiving archive or an
    assisting one."""
    if is_receiving_archivist(session, actor, request):
        return request.handler_id in (None, actor.id)
    return handling_assist(session, actor, request) is not None


def take(session: Session, actor: Actor, request: ArchiveRequest) -> None:
    """Make `actor` the handler of the request (receiving archive) or of their archive's
    assist, if nobody handles it yet. The caller holds the request's row lock."""
    if is_receiving_archivist(session, actor, request):
        if request.handler_id is None:
            request.handler_id = actor.id
        return
    assist = handling_assist(session, actor, request)
    if assist is not None and assist.handler_id is None:
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
    key = key or app_key()
    try:
        numbers = Numbers(
            requester=sealing.unseal(request.requester_id_sealed, _bound_to(request), key),
            subject=(
                sealing.unseal(request.subject_id_sealed, _bound_to(request), key)
                if request.subject_id_sealed
                else ""
            ),
        )
    except sealing.Unreadable as error:
        log.error("ID numbers cannot be unsealed: %s", error)
        raise Invalid(
            _l("The ID numbers cannot be read at the moment. Please tell the administrator.")
        ) from None
    audit.record(session, "archives.request.reveal_id_numbers", actor=actor, now=now,
                 target=request)  # fmt: skip
    session.flush()
    return numbers
