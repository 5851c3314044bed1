"""The receiving archive's review of a request: accept it (the answer clock starts), ask the
resident for more documents (the clock stands still until they arrive), or refuse it with a
reason the resident reads.

Only an archivist of the archive the request was sent to acts here. Each action takes the
request's row lock and reads the request again under it, so that of two archivists acting at
once (or one tapping twice) the second is told the request has moved on; the first to act
becomes its handler. Functions take a Session, the acting user, plain values and `now`; they
flush, never commit.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.archives import access, clocks, identity, messages
from portal.archives.models import (
    NOTE_MAX,
    OPEN_STATES,
    REASON_MAX,
    ArchiveRequest,
    RequestState,
    StepKind,
)
from portal.archives.settings import ArchiveSettings
from portal.archives.steps import record_step
from portal.audit import services as audit
from portal.errors import Forbidden, Invalid
from portal.permissions import Actor

# Two characters say something (户口); one says nothing anyone can act on.
TEXT_MIN = 2


def moved_on() -> Invalid:
    """What the second of two archivists acting at once (or a second tap) is told."""
    return Invalid(
        _l(
            "This request has moved on: someone acted on it a moment ago. Its page shows where "
            "it stands now."
        )
    )


def require_receiving(session: Session, actor: Actor, request: ArchiveRequest) -> None:
    """Only an archivist of the archive the request was sent to may go on. An archivist of an
    archive asked to help reads the request, so is told plainly; anyone else finds no such
    request."""
    if access.is_receiving_archivist(session, actor, request):
        return
    if access.assists_for(session, actor, request):
        raise Forbidden(_l("Only the archive the request was sent to may do this."))
    raise access.not_found()


def lock(session: Session, request: ArchiveRequest) -> ArchiveRequest:
    """Take the request's row lock and read it again: what a colleague changed before the lock
    was taken is what the caller checks."""
    session.scalar(
        select(ArchiveRequest)
        .where(ArchiveRequest.id == request.id)
        .with_for_update(of=ArchiveRequest)
        .execution_options(populate_existing=True)
    )
    return request


def checked_text(
    text: str | None, *, field: str, most: int, missing: object, too_long: object
) -> str:
    """`text` without the spaces around it, between TEXT_MIN and `most` characters."""
    text = (text or "").strip()
    if len(text) < TEXT_MIN:
        raise Invalid(missing, field=field)
    if len(text) > most:
        raise Invalid(too_long, field=field)
    return text


def record_action(
    session: Session,
    actor: Actor,
    request: ArchiveRequest,
    kind: StepKind,
    *,
    now: datetime,
    note: str = "",
) -> None:
    """An archivist's step on the request: in its history and the audit log; the first to act
    handles it."""
    identity.take(session, actor, request)
    record_step(session, request, kind, actor=actor, now=now, note=note)
    audit.record(session, f"archives.request.{kind.value}", actor=actor, now=now,
                 target=request)  # fmt: skip


def accept(
    session: Session,
    actor: Actor,
    request: ArchiveRequest,
    *,
    settings: ArchiveSettings,
    now: datetime,
) -> None:
    """Accept a request sent: it is to be answered within the answer clock from now."""
    require_receiving(session, actor, request)
    lock(session, request)
    if request.state is not RequestState.SUBMITTED:
        raise moved_on()
    request.state = RequestState.ACCEPTED
    request.accepted_at = now
    request.due_at = clocks.answer_due(session, settings, now)
    record_action(session, actor, request, StepKind.ACCEPTED, now=now)


def ask_for_more(
    session: Session,
    actor: Actor,
    request: ArchiveRequest,
    note: str,
    *,
    settings: ArchiveSettings,
    now: datetime,
) -> None:
    """Ask the resident for more documents (`note` says which, in words they understand): the
    running clock stands still, keeping its working days left, and the resident is texted."""
    require_receiving(session, actor, request)
    note = checked_text(
        note, field="note", most=NOTE_MAX,
        missing=_l("Say which document is missing, in words the resident understands."),
        too_long=_l("Keep it within 300 characters."),
    )  # fmt: skip
    lock(session, request)
    if request.state not in (RequestState.SUBMITTED, RequestState.ACCEPTED):
        raise moved_on()
    request.days_left = (
        clocks.days_left(session, request.due_at, now) if request.due_at is not None else 0
    )
    request.due_at = None
    request.more_asked = note
    request.waiting_since = now
    request.state = RequestState.AWAITING_DOCUMENTS
    record_action(session, actor, request, StepKind.MORE_ASKED, now=now, note=note)
    messages.text_resident(session, request, messages.MORE_DOCUMENTS_SMS,
                           base_url=settings.base_url, now=now)  # fmt: skip


def refuse(
    session: Session,
    actor: Actor,
    request: ArchiveRequest,
    reason: str,
    *,
    settings: ArchiveSettings,
    now: datetime,
) -> None:
    """Refuse an open request with `reason`, which the resident reads: it is closed, and the
    resident is texted. An archive asked to help stops seeing it in its queue."""
    require_receiving(session, actor, request)
    reason = checked_text(
        reason, field="reason", most=REASON_MAX,
        missing=_l("Give the reason: the resident reads it."),
        too_long=_l("Keep the reason within 500 characters."),
    )  # fmt: skip
    lock(session, request)
    if request.state not in OPEN_STATES:
        raise moved_on()
    close_refused(session, request, reason, actor=actor, settings=settings, now=now)


def close_refused(
    session: Session,
    request: ArchiveRequest,
    reason: str,
    *,
    actor: Actor | None,
    settings: ArchiveSettings,
    now: datetime,
) -> None:
    """Close the open request (its row locked by the caller) as refused for `reason`, and text
    the resident; `actor` None: the worker closing a request that waited too long."""
    request.state = RequestState.REFUSED
    request.refusal_reason = reason
    request.closed_at = now
    request.due_at = None
    request.days_left = None
    request.waiting_since = None
    if actor is not None:
        record_action(session, actor, request, StepKind.REFUSED, now=now, note=reason)
    else:
        record_step(session, request, StepKind.REFUSED, actor=None, now=now, note=reason)
        audit.record(session, "archives.request.lapsed", actor=None, now=now, target=request)
    messages.text_resident(session, request, messages.REFUSED_SMS, base_url=settings.base_url,
                           now=now)  # fmt: skip
