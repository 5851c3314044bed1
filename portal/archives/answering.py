"""The receiving archive's answer: the result recorded (found, with the file number, a summary
and the scanned copies; or not found) issues the result letter, closes the request and texts
the resident. Afterwards the archive may withdraw the letter (the verification page then says
so), and for a result on paper records that it was posted or handed over.

Only an archivist of the archive the request was sent to acts here, under the request's row
lock, as in review.py. Functions take a Session, the acting user, plain values and `now`; they
flush, never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from portal.archives import documents, identity, letters, messages
from portal.archives.assists import checked_finding, open_assist
from portal.archives.models import ArchiveRequest, Delivery, Outcome, RequestState, StepKind
from portal.archives.review import (
    checked_text,
    lock,
    moved_on,
    record_action,
    require_receiving,
)
from portal.archives.settings import ArchiveSettings
from portal.errors import Invalid
from portal.permissions import Actor
from portal.uploads.models import Upload
from portal.verification import services as verification
from portal.verification.services import REASON_MAX as WITHDRAWAL_REASON_MAX

# The carrier and its tracking number (dispatch_note's column).
DISPATCH_NOTE_MAX = 100
# Why a paper result cannot be posted or handed over: the resident chose another way.
WRONG_DELIVERY = {
    Delivery.ONLINE: _l("The resident asked for the result online: there is no paper to deliver."),
    Delivery.PICKUP: _l("The resident asked to pick the result up, not to have it posted."),
    Delivery.POST: _l("The resident asked for the result by post, not to pick it up."),
}


def record_result(
    session: Session,
    actor: Actor,
    request: ArchiveRequest,
    *,
    outcome: Outcome | str | None,
    file_number: str,
    summary: str,
    scans: Sequence[Upload],
    settings: ArchiveSettings,
    now: datetime,
) -> None:
    """Record the result of an accepted request (no archive still helping): the letter is
    issued in the archive's name, the request closes, and the resident is texted. After the
    letter was withdrawn, the result is recorded again and a corrected letter issued (and
    posted or handed over again, for a result on paper)."""
    require_receiving(session, actor, request)
    finding = checked_finding(outcome, file_number, summary, scans)
    lock(session, request)
    if request.state is RequestState.ANSWERED and _letter_withdrawn(session, request):
        request.dispatched_at = request.collected_at = None
        request.dispatch_note = ""
    elif request.state is not RequestState.ACCEPTED:
        raise moved_on()
    if open_assist(session, request) is not None:
        raise Invalid(_l("Another archive is still looking: record the result once it answers."))
    request.outcome = finding.outcome
    request.file_number = finding.file_number
    request.summary = finding.summary
    request.state = RequestState.ANSWERED
    request.answered_at = request.closed_at = now
    request.due_at = None
    documents.attach_scans(session, request, scans)
    identity.take(session, actor, request)
    letters.issue_letter(session, actor, request, now=now)
    record_action(session, actor, request, StepKind.ANSWERED, now=now)
    messages.text_resident(session, request, messages.ANSWERED_SMS, base_url=settings.base_url,
                           now=now)  # fmt: skip


def _letter_withdrawn(session: Session, request: ArchiveRequest) -> bool:
    letter = letters.letter_of(session, request)
    return letter is not None and letter.withdrawn_at is not None


def withdraw_letter(
    session: Session,
    actor: Actor,
    request: ArchiveRequest,
    reason: str,
    *,
    settings: ArchiveSettings,
    now: datetime,
) -> None:
    """Withdraw the request's letter: /v/<code> says from now on that it no longer counts, and
    why; the resident is texted, since they may have handed the letter on already."""
    require_receiving(session, actor, request)
    reason = checked_text(
        reason, field="reason", most=WITHDRAWAL_REASON_MAX,
        missing=_l("Say why the letter is withdrawn: whoever checks it reads this."),
        too_long=_l("Keep it within 200 characters."),
    )  # fmt: skip
    lock(session, request)
    letter = letters.letter_of(session, request)
    if request.state is not RequestState.ANSWERED or letter is None:
        raise moved_on()
    if letter.withdrawn_at is not None:
        raise Invalid(_l("This letter has been withdrawn already."))
    verification.withdraw(session, actor, letters.LETTER, letter, reason=reason, now=now)
    record_action(session, actor, request, StepKind.LETTER_WITHDRAWN, now=now, note=reason)
    messages.text_resident(
        session, request, messages.LETTER_WITHDRAWN_SMS, base_url=settings.base_url, now=now
    )


def _paper_to_deliver(
    session: Session, request: ArchiveRequest, delivery: Delivery, done: datetime | None
) -> None:
    """Refuse unless the answered request's result goes on paper by `delivery`, not yet done,
    with a letter that still counts."""
    if request.state is not RequestState.ANSWERED or done is not None:
        raise moved_on()
    if request.delivery is not delivery:
        raise Invalid(WRONG_DELIVERY[request.delivery])
    letter = letters.letter_of(session, request)
    if letter is not None and letter.withdrawn_at is not None:
        raise Invalid(_l("The letter was withdrawn: it is no longer handed out."))


def record_dispatch(
    session: Session, actor: Actor, request: ArchiveRequest, note: str, *, now: datetime
) -> None:
    """Record that the paper result was posted (`note`: the carrier and its number)."""
    require_receiving(session, actor, request)
    note = checked_text(
        note, field="note", most=DISPATCH_NOTE_MAX,
        missing=_l("Give the carrier and the tracking number."),
        too_long=_l("Keep it within 100 characters."),
    )  # fmt: skip
    lock(session, request)
    _paper_to_deliver(session, request, Delivery.POST, request.dispatched_at)
    request.dispatched_at = now
    request.dispatch_note = note
    record_action(session, actor, request, StepKind.DISPATCHED, now=now, note=note)


def record_collection(
    session: Session, actor: Actor, request: ArchiveRequest, *, now: datetime
) -> None:
    """Record that the resident picked the paper result up at the archive."""
    require_receiving(session, actor, request)
    lock(session, request)
    _paper_to_deliver(session, request, Delivery.PICKUP, request.collected_at)
    request.collected_at = now
    record_action(session, actor, request, StepKind.COLLECTED, now=now)
