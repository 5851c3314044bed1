"""Documents the archive asked for later: while a request waits for them its clock stands
still; once the resident adds them it runs again with the working days it had left (review.py
stops it).

Functions take a Session, the resident, plain values and `now`; they flush, never commit. The
caller holds the request's row lock (access.request_for(..., for_update=True)).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from portal.archives import clocks, documents, steps
from portal.archives.access import is_residents, not_found
from portal.archives.models import ArchiveRequest, Proof, RequestState, StepKind
from portal.archives.settings import ArchiveSettings
from portal.errors import Invalid
from portal.permissions import Actor
from portal.uploads import services as uploads_service
from portal.uploads.models import Upload


def proofs_to_add(request: ArchiveRequest) -> list[Proof]:
    """What the resident may add: any proof of the request's checklist, or another document."""
    listed = request.kind.proofs_for(request.relation) or []
    return [*listed, Proof.OTHER]


def add_documents(
    session: Session,
    resident: Actor,
    request: ArchiveRequest,
    uploads: Iterable[Upload],
    *,
    settings: ArchiveSettings,
    now: datetime,
) -> ArchiveRequest:
    """The resident adds the documents the archive asked for: the request goes back to the
    archive (accepted again if it was, else to review), its clock running from now with the
    working days it had left (at least one)."""
    if not is_residents(resident, request):
        raise not_found()
    if request.state is not RequestState.AWAITING_DOCUMENTS:
        raise Invalid(_l("The archive is not waiting for documents from you now."))
    allowed = set(proofs_to_add(request))
    grouped = documents.by_proof(uploads)
    sent = [
        upload
        for proof, files in grouped.items()
        if proof in allowed
        for upload in files[: documents.MOST_PER_PROOF]
    ]
    if not sent:
        raise Invalid(_l("Choose at least one photo or PDF file to send."), field="files")
    if not uploads_service.attach(session, sent, documents.documents_owner(request)):
        # Another tab sent these very files first.
        raise Invalid(_l("These files were sent already. Choose them again."), field="files")
    request.state = (
        RequestState.ACCEPTED if request.accepted_at is not None else RequestState.SUBMITTED
    )
    request.due_at = clocks.resumed_due(session, request.days_left or 0, now)
    request.days_left = None
    request.waiting_since = None
    session.flush()
    steps.record_step(session, request, StepKind.DOCUMENTS_ADDED, actor=resident, now=now)
    return request
