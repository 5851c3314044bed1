"""Another archive asked to help find the record (协办): the receiving archive passes an accepted
request to it with a note of what to look for, and its own deadline; the archivists of the
assisting archive are texted, read the request, and answer back once (found, with the file
number, a summary and scanned copies; or not found). The receiving archive then records the
result for the resident (answering.py), starting from that answer.

One assist is open at a time; after a "not found" the request may be passed to another.
Functions take a Session, the acting user, plain values and `now`; they flush, never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.archives import access, clocks, documents, identity
from portal.archives.messages import ASSIST_SMS
from portal.archives.models import (
    FILE_NUMBER_MAX,
    NOTE_MAX,
    OPEN_STATES,
    SUMMARY_MAX,
    Archive,
    ArchiveMember,
    ArchiveRequest,
    Assist,
    Outcome,
    RequestState,
    StepKind,
)
from portal.archives.review import checked_text, lock, moved_on, require_receiving
from portal.archives.settings import ArchiveSettings
from portal.archives.steps import record_step
from portal.audit import services as audit
from portal.errors import Forbidden, Invalid, Problems
from portal.notifications.services import queue_sms
from portal.permissions import Actor, Permission, can
from portal.uploads.models import Upload


def open_assist(session: Session, request: ArchiveRequest) -> Assist | None:
    """The assist of `request` still waiting for its answer, if any."""
    return session.scalar(
        select(Assist)
        .where(Assist.request_id == request.id, Assist.answered_at.is_(None))
        .order_by(Assist.id.desc())
        .limit(1)
    )


def assists_of(session: Session, request: ArchiveRequest) -> list[Assist]:
    """Every assist of `request`, oldest first."""
    return list(
        session.scalars(select(Assist).where(Assist.request_id == request.id).order_by(Assist.id))
    )


def last_answer(session: Session, request: ArchiveRequest) -> Assist | None:
    """The latest answered assist: what the receiving archive's result form starts from."""
    return session.scalar(
        select(Assist)
        .where(Assist.request_id == request.id, Assist.answered_at.is_not(None))
        .order_by(Assist.id.desc())
        .limit(1)
    )


def archive_by_code(session: Session, code: str | None) -> Archive | None:
    """The archive called `code`, retired or not (pass_to says which may be asked)."""
    code = (code or "").strip()[:40]
    return session.scalar(select(Archive).where(Archive.code == code)) if code else None


def assist_to_answer(session: Session, actor: Actor, request: ArchiveRequest) -> Assist:
    """The assist of `request` that `actor`'s archive is to answer: the one still open, else
    the latest asked of it (which answer_assist says was answered). The receiving archive's
    archivists are told only the archive asked answers it; anyone else finds no request."""
    mine = access.assists_for(session, actor, request)
    if not mine:
        if access.is_receiving_archivist(session, actor, request):
            raise Forbidden(_l("Only the archive asked to help answers it."))
        raise access.not_found()
    return next((each for each in reversed(mine) if each.answered_at is None), mine[-1])


@dataclass(frozen=True)
class Finding:
    """What an archive found: the outcome, and for a record found its file number (档号) and a
    summary of what it says."""

    outcome: Outcome
    file_number: str
    summary: str


def checked_finding(
    outcome: Outcome | str | None, file_number: str, summary: str, scans: Sequence[Upload]
) -> Finding:
    """The finding as given, every mistake found at once (Invalid naming each field)."""
    problems = Problems()
    try:
        chosen = Outcome(outcome) if outcome else None
    except ValueError:
        chosen = None
    if chosen is None:
        problems.refuse(_l("Say whether the record was found."), field="outcome")
    file_number = " ".join((file_number or "").split())
    summary = (summary or "").strip()
    if chosen is Outcome.FOUND:
        if not file_number:
            problems.refuse(_l("Give the file number (档号) of the record found."),
                            field="file_number")  # fmt: skip
        if not summary:
            problems.refuse(_l("Say in a few lines what the record shows."), field="summary")
    if len(file_number) > FILE_NUMBER_MAX:
        problems.refuse(_l("Keep the file number within 60 characters."), field="file_number")
    if len(summary) > SUMMARY_MAX:
        problems.refuse(_l("Keep the summary within 1,000 characters."), field="summary")
    if chosen is Outcome.NOT_FOUND and scans:
        problems.refuse(_l("Attach scanned copies only of a record found."), field="scans")
    if len(scans) > documents.MOST_SCANS:
        problems.refuse(_l("Attach at most 10 scanned pages."), field="scans")
    problems.raise_any()
    if chosen is Outcome.NOT_FOUND:
        # A file number belongs to a record found; the summary may say where they looked.
        file_number = ""
    return Finding(Outcome(chosen), file_number, summary)


def _text_members(
    session: Session, archive: Archive, request: ArchiveRequest, assist: Assist, now: datetime
) -> None:
    """Text the archivists of the archive asked to help (those still holding the role)."""
    members = session.scalars(
        select(User)
        .join(ArchiveMember, ArchiveMember.user_id == User.id)
        .where(ArchiveMember.archive_id == archive.id, User.disabled_at.is_(None))
        .order_by(User.id)
    ).all()
    for member in members:
        if not can(member, Permission.HANDLE_ARCHIVE_REQUESTS, archive.place):
            continue
        queue_sms(
            session, phone=member.phone, kind=ASSIST_SMS, locale=member.locale or "zh_Hans_CN",
            params={"reference": request.reference},
            key=f"{ASSIST_SMS}:{assist.id}:{member.id}", now=now,
            cause=f"archive_requests:{request.id}",
        )  # fmt: skip


def pass_to(
    session: Session,
    actor: Actor,
    request: ArchiveRequest,
    archive: Archive | None,
    note: str,
    *,
    settings: ArchiveSettings,
    now: datetime,
) -> Assist:
    """Ask `archive` to help find the record of an accepted request: it answers within its own
    clock, and the receiving archive's deadline moves to leave it time to answer after."""
    require_receiving(session, actor, request)
    problems = Problems()
    if archive is None:
        problems.refuse(_l("Choose the archive to ask for help."), field="archive")
    elif archive.id == request.archive_id:
        problems.refuse(_l("Choose another archive than your own."), field="archive")
    elif archive.retired_at is not None:
        problems.refuse(_l("That archive is closed: choose another."), field="archive")
    note = problems.check(
        checked_text, note, field="note", most=NOTE_MAX,
        missing=_l("Say what they should look for."),
        too_long=_l("Keep it within 300 characters."),
    ) or ""  # fmt: skip
    problems.raise_any()
    lock(session, request)
    if request.state is not RequestState.ACCEPTED:
        raise moved_on()
    if open_assist(session, request) is not None:
        raise Invalid(_l("Another archive is already helping: wait for its answer."))
    assist = Assist(
        request_id=request.id, archive_id=archive.id, archive=archive, asked_by_id=actor.id,
        note=note, asked_at=now, due_at=clocks.assist_due(session, settings, now),
    )  # fmt: skip
    session.add(assist)
    session.flush()
    # An accepted request's clock runs; a row without one is given the assist's.
    request.due_at = clocks.answer_due_after_assist(
        session, settings, request.due_at or assist.due_at, assist.due_at
    )
    identity.take(session, actor, request)
    record_step(session, request, StepKind.PASSED, actor=actor, now=now, archive=archive,
                note=note)  # fmt: skip
    audit.record(session, "archives.request.passed", actor=actor, now=now, target=request,
                 details={"assist": assist.id, "archive": archive.code})  # fmt: skip
    _text_members(session, archive, request, assist, now)
    return assist


def answer_assist(
    session: Session,
    actor: Actor,
    assist: Assist,
    *,
    outcome: Outcome | str | None,
    file_number: str,
    summary: str,
    scans: Sequence[Upload],
    settings: ArchiveSettings,
    now: datetime,
) -> None:
    """The assisting archive answers back, once: what it found, with the scanned copies, which
    become part of the request's result."""
    request = assist.request
    if not access.works(session, actor, assist.archive):
        if access.is_receiving_archivist(session, actor, request):
            raise Forbidden(_l("Only the archive asked to help answers it."))
        raise access.not_found()
    finding = checked_finding(outcome, file_number, summary, scans)
    lock(session, request)
    session.refresh(assist)
    if assist.answered_at is not None or request.state not in OPEN_STATES:
        raise moved_on()
    assist.answered_at = now
    assist.answered_by_id = actor.id
    assist.outcome = finding.outcome
    assist.file_number = finding.file_number
    assist.summary = finding.summary
    # The first of its archive to act handles the assist (and may see the ID numbers).
    if assist.handler_id is None:
        assist.handler_id = actor.id
    if request.state is RequestState.ACCEPTED:
        request.due_at = clocks.due_after_assist_answered(session, settings, now)
    documents.attach_scans(session, request, scans)
    record_step(session, request, StepKind.ASSIST_ANSWERED, actor=actor, now=now,
                archive=assist.archive)  # fmt: skip
    audit.record(session, "archives.request.assist_answered", actor=actor, now=now,
                 target=request, details={"assist": assist.id, "outcome": finding.outcome.value})  # fmt: skip
