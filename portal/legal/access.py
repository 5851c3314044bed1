"""Who may read a consultation: the resident who asked, the adviser it is given to, and the
legal supervisors of its district; to anyone else it does not exist (the same 404 as for a
reference never issued, issue 9). Every read by staff is written to the audit log, in the
transaction of the page that shows it.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit import services as audit
from portal.errors import NotFound
from portal.legal.models import Consultation
from portal.permissions import Actor, Permission, can


def not_found() -> NotFound:
    """What anyone may not read meets: the same as a reference never issued."""
    return NotFound(_l("There is no such consultation."))


def is_residents(actor: Actor, consultation: Consultation) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and actor.id == consultation.user_id


def is_advisers(actor: Actor, consultation: Consultation) -> bool:
    """Whether `actor` is the adviser the consultation is given to now."""
    return (
        consultation.adviser_id is not None
        and actor.id == consultation.adviser_id
        and can(actor, Permission.ANSWER_CONSULTATIONS, consultation.community)
    )


def supervises(actor: Actor, consultation: Consultation) -> bool:
    return can(actor, Permission.SUPERVISE_CONSULTATIONS, consultation.community)


def consultation_for(
    session: Session,
    actor: Actor,
    reference: str,
    *,
    now: datetime,
    what: str = "read",
    for_update: bool = False,
    written: bool = False,
    audited: bool = True,
) -> Consultation:
    """The consultation `reference` if `actor` may read it, else NotFound. A read by staff is
    audited as "legal.consultation.<what>" (read, or a document's name, say). With `written`
    (the caller shows what the resident wrote or sent, such as a document) the assigned adviser
    must have declared no conflict first: until then they see only the topic and the other
    party's name. Without `audited` the caller records the read itself (`record_read`), where
    it shows the consultation."""
    query = select(Consultation).where(Consultation.reference == reference.strip().upper()[:12])
    if for_update:
        query = query.with_for_update(of=Consultation)
    consultation = session.scalar(query) if reference else None
    if consultation is None:
        raise not_found()
    if is_residents(actor, consultation):
        return consultation
    cleared = consultation.cleared_at is not None or not written
    if (is_advisers(actor, consultation) and cleared) or supervises(actor, consultation):
        if audited:
            record_read(session, actor, consultation, now=now, what=what)
        return consultation
    raise not_found()


def record_read(
    session: Session, actor: Actor, consultation: Consultation, *, now: datetime, what: str = "read"
) -> None:
    """Write a staff member's read of the consultation to the audit log."""
    audit.record(session, f"legal.consultation.{what}", actor=actor, now=now, target=consultation)
