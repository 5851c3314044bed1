"""The result letter of an archive query: a document of the verification service (issue 7),
issued when the archive records its result and withdrawn by the archive when it should no
longer count. /v/<code> shows the archive, the kind of record, the result and the file
number, with the letter's date and whether it still counts; of the person, only their masked
name (张*丰), never the whole name or an ID number.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from portal.archives import documents
from portal.archives.labels import OUTCOME_LABELS
from portal.archives.models import ArchiveRequest, Outcome
from portal.permissions import Actor, Permission
from portal.uploads.models import Upload
from portal.verification import DocumentKind
from portal.verification import services as verification
from portal.verification.facts import check_facts, mask_name
from portal.verification.models import IssuedDocument


def _text(facts: dict[str, Any], name: str) -> str:
    from portal.web.templating import local_text

    return local_text(facts[f"{name}_zh"], facts.get(f"{name}_en", ""))


def _shown(facts: dict[str, Any]) -> list[tuple[Any, str]]:
    """What /v/<code> shows: what the letter says, but for the person's name and numbers."""
    rows = [
        (_l("Archive"), _text(facts, "archive")),
        (_l("Kind of record"), _text(facts, "kind")),
        (_l("Person concerned"), facts["person"]),
        (_l("Result"), str(OUTCOME_LABELS[Outcome(facts["outcome"])])),
    ]
    if facts.get("file_number"):
        rows.append((_l("File number"), facts["file_number"]))
    return rows


LETTER = DocumentKind(
    name="archive_letter",
    title=_l("Archive query result letter"),
    permission=Permission.HANDLE_ARCHIVE_REQUESTS,
    shown=_shown,
    shows_reason=True,
)


def person_named(request: ArchiveRequest) -> str:
    """Whose record it is, in full: for the letter, which is its requester's."""
    return request.subject_name or request.requester_name


def facts_of(request: ArchiveRequest) -> dict[str, Any]:
    """What /v/<code> shows of the letter. A file number that reads like a phone or ID number
    once its dashes are dropped (1983-0012-001) stays on the letter but off the public page,
    which refuses anything that could be one."""
    facts = {
        "archive_zh": request.archive.name_zh,
        "archive_en": request.archive.name_en,
        "kind_zh": request.kind.name_zh,
        "kind_en": request.kind.name_en,
        "person": mask_name(person_named(request)),
        "outcome": request.outcome.value,
        "file_number": request.file_number,
    }
    try:
        check_facts({"file_number": request.file_number})
    except ValueError:
        facts["file_number"] = ""
    return facts


def issue_letter(
    session: Session, actor: Actor, request: ArchiveRequest, *, now: datetime
) -> IssuedDocument:
    """Issue the letter of a request whose result is recorded, in its archive's name."""
    if request.outcome is None:
        raise ValueError(f"{request!r} has no result to state")
    letter = verification.issue(
        session, actor, LETTER, subject=f"archives:{request.id}", place=request.archive.place,
        facts=facts_of(request), now=now,
    )  # fmt: skip
    request.letter_id = letter.id
    request.letter_seal_name = request.archive.seal_name
    session.flush()
    return letter


def scans_on_letter(session: Session, request: ArchiveRequest) -> list[Upload]:
    """The scanned copies the letter carries: those of a record found. An assisting archive
    may have sent copies of a record the receiving archive then judged not the one asked for;
    a letter saying "not found" never shows them."""
    if request.outcome is not Outcome.FOUND:
        return []
    return documents.scans(session, request)


def archive_named(letter: IssuedDocument) -> str:
    """The archive's name as the letter was issued with it, in the reader's language (a
    renamed archive's earlier letters keep the name they carry, as /v/<code> shows it)."""
    return _text(letter.facts, "archive")


def letter_of(session: Session, request: ArchiveRequest) -> IssuedDocument | None:
    return session.get(IssuedDocument, request.letter_id) if request.letter_id else None
