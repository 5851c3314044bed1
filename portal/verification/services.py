"""The verification service: documents the portal issues, the code that vouches for each, and
withdrawing one.

A feature issues a document (a volunteer's certificate, an archive result letter) with
`issue`, prints its code and QR code (`verification_url`, `qr_svg`, `qr_png`) on it, and
withdraws it with `withdraw` when it should no longer count; anyone holding the paper opens
/v/<code> to see whether it does. Functions take a Session, the acting user, plain values and
`now`; they write issuing and withdrawing to the audit log, flush but never commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from portal import qr
from portal.audit import services as audit
from portal.errors import Invalid
from portal.permissions import Actor, require
from portal.places.models import Place
from portal.verification.codes import grouped, new_code, normalize_code
from portal.verification.facts import check_facts
from portal.verification.kinds import DocumentKind
from portal.verification.models import IssuedDocument

REASON_MAX = 200
# Printed on letters and certificates beside their text: 30 mm reads from a phone held at
# arm's length, and leaves room on an A4 page.
PRINTED_QR_MM = 30


def issue(
    session: Session,
    actor: Actor,
    kind: DocumentKind,
    *,
    subject: str,
    place: Place,
    facts: dict[str, Any],
    now: datetime,
) -> IssuedDocument:
    """Issue a document of `kind` about `subject` ("archives:42") in the name of `place`.

    `facts` are what the page may show (through `kind.shown`), masked already: a name as
    portal.verification.facts.mask_name gives it; a whole ID or phone number is refused.
    """
    require(actor, kind.permission, place)
    check_facts(facts)
    # 80 random bits: two documents drawing the same code is out of reach for as long as the
    # portal runs, and the unique index would refuse the second rather than mix them up.
    document = IssuedDocument(
        code=new_code(),
        kind=kind.name,
        subject=subject,
        place=place,
        issued_at=now,
        issued_by_id=actor.id,
        facts=facts,
    )
    session.add(document)
    session.flush()
    audit.record(
        session, "verification.issue", actor=actor, target=document, now=now,
        details={"kind": kind.name, "subject": subject},
    )  # fmt: skip
    return document


def withdraw(
    session: Session,
    actor: Actor,
    kind: DocumentKind,
    document: IssuedDocument,
    *,
    reason: str,
    now: datetime,
) -> None:
    """Withdraw a document: from now on its page says it no longer counts, and why if the
    kind shows that. Two people withdrawing it at once: the first one does, the other is told."""
    if document.kind != kind.name:
        raise ValueError(f"{document!r} is not a {kind.name}")
    require(actor, kind.permission, document.place)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_l("Say why the document is withdrawn."), field="reason")
    if len(reason) > REASON_MAX:
        raise Invalid(_l("Keep it within 200 characters."), field="reason")
    withdrawn = session.execute(
        update(IssuedDocument)
        .where(IssuedDocument.id == document.id, IssuedDocument.withdrawn_at.is_(None))
        .values(withdrawn_at=now, withdrawn_by_id=actor.id, withdrawal_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if withdrawn.rowcount == 0:
        session.refresh(document)
        raise Invalid(_l("This document has been withdrawn already."))
    session.refresh(document)
    audit.record(
        session, "verification.withdraw", actor=actor, target=document, now=now,
        details={"kind": kind.name, "subject": document.subject, "reason": reason},
    )  # fmt: skip


def verify(session: Session, code: str) -> IssuedDocument | None:
    """The document with this code as someone typed or scanned it, or None."""
    normal = normalize_code(code)
    if normal is None:
        return None
    # The page names the issuing place alone: its parents (a place loads four levels of them
    # by default) would cost the public page a third of its time.
    query = (
        select(IssuedDocument)
        .where(IssuedDocument.code == normal)
        .options(joinedload(IssuedDocument.place).lazyload(Place.parent))
    )
    return session.scalar(query)


def documents_about(session: Session, subject: str) -> list[IssuedDocument]:
    """The documents issued about `subject`, newest first: for the feature's own pages, to
    print one again or withdraw it."""
    return list(
        session.scalars(
            select(IssuedDocument)
            .where(IssuedDocument.subject == subject)
            .order_by(IssuedDocument.issued_at.desc(), IssuedDocument.id.desc())
        )
    )


def verification_url(base_url: str, code: str) -> str:
    """The permanent address printed on a document and in its QR code, the code in groups."""
    return f"{base_url.rstrip('/')}/v/{grouped(code)}"


def qr_svg(base_url: str, code: str, *, size_mm: float | None = PRINTED_QR_MM) -> str:
    """The document's QR code as SVG, `size_mm` wide when printed (None: sized by CSS)."""
    url = verification_url(base_url, code)
    return qr.svg(qr.matrix(url), label=url, size_mm=size_mm)


def qr_png(base_url: str, code: str) -> bytes:
    """The document's QR code as a PNG image."""
    return qr.png(verification_url(base_url, code))
