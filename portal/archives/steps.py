"""A request's history: one row per step, which the resident's page and the archivist's show
(what was asked for, why it was refused, who helped), written in the step's transaction."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.appeals.tracking import ALPHABET
from portal.archives.models import Archive, ArchiveRequest, RequestStep, StepKind
from portal.permissions import Actor

# "D" for 档案, then 7 of the tracking numbers' unambiguous characters.
REFERENCE_PREFIX = "D"


def new_reference(session: Session) -> str:
    while True:
        reference = REFERENCE_PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(7))
        taken = select(ArchiveRequest.id).where(ArchiveRequest.reference == reference)
        if session.scalar(taken) is None:
            return reference


def record_step(
    session: Session,
    request: ArchiveRequest,
    kind: StepKind,
    *,
    actor: Actor | None,
    now: datetime,
    archive: Archive | None = None,
    note: str = "",
) -> RequestStep:
    step = RequestStep(
        request_id=request.id,
        kind=kind,
        actor_id=getattr(actor, "id", None),
        archive_id=archive.id if archive is not None else None,
        archive=archive,
        at=now,
        note=note,
    )
    session.add(step)
    session.flush()
    return step


def history(session: Session, request: ArchiveRequest) -> list[RequestStep]:
    """The request's steps, oldest first."""
    return list(
        session.scalars(
            select(RequestStep).where(RequestStep.request_id == request.id).order_by(RequestStep.id)
        )
    )
