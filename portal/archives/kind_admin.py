"""The kinds of record residents ask for (婚姻登记, 知青, 招工 ...) as administrators keep them:
their names in both languages, their order, whether residents are offered them, and their
checklist: for each relation that may ask (the person themself, an agent, a guardian, a near
relative of a person who has died), the documents to attach.

The kinds are one list for the whole portal, kept by its administrators (MANAGE_ARCHIVES on
the whole portal): a checklist says who may see a person's records, in every district alike.
A kind is never deleted (requests keep it); one no longer offered may be offered again.
Functions take a Session, the acting user, plain values and `now`; they write every change to
the audit log, flush but never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.archives.archive_admin import CODE_MAX, check_code
from portal.archives.labels import RELATION_SHORT
from portal.archives.models import Proof, RecordKind, Relation
from portal.audit import services as audit
from portal.errors import Invalid, NotFound, Problems
from portal.permissions import Actor, Permission, require
from portal.shortlists import checked_names, move_one_place

# What a checklist may ask for: "another document" is only what an archivist asks for later,
# in their own words.
CHECKLIST_PROOFS = tuple(proof for proof in Proof if proof is not Proof.OTHER)
TAKEN_CODE = _l("Another kind of record already has this code.")


def require_kind_manager(actor: Actor) -> None:
    """Raise Forbidden unless `actor` keeps the kinds of record (the whole portal's)."""
    require(actor, Permission.MANAGE_ARCHIVES)


def all_kinds(session: Session, actor: Actor) -> list[RecordKind]:
    """Every kind, those no longer offered too, in their order."""
    require_kind_manager(actor)
    return list(session.scalars(select(RecordKind).order_by(RecordKind.position, RecordKind.id)))


def _offered(session: Session) -> list[RecordKind]:
    return list(
        session.scalars(
            select(RecordKind)
            .where(RecordKind.is_active.is_(True))
            .order_by(RecordKind.position, RecordKind.id)
        )
    )


def get_kind(session: Session, actor: Actor, code: str | None) -> RecordKind:
    require_kind_manager(actor)
    wanted = (code or "").strip().lower()[:CODE_MAX]
    kind = session.scalar(select(RecordKind).where(RecordKind.code == wanted)) if wanted else None
    if kind is None:
        raise NotFound(_l("There is no such kind of record."))
    return kind


def check_checklist(asked: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """The checklist as kept: `asked` maps each relation that may ask to the proofs it
    attaches. At least one relation may ask, and each attaches at least one proof; refusals
    name the field of the relation they concern ("proofs_agent")."""
    problems = Problems()
    checklist: dict[str, list[str]] = {}
    for relation in Relation:
        if relation.value not in asked:
            continue
        sent = set(asked[relation.value] or ())
        proofs = [proof.value for proof in CHECKLIST_PROOFS if proof.value in sent]
        if sent - set(proofs):
            problems.refuse(
                _l("Choose among the documents listed."), field=f"proofs_{relation.value}"
            )
        elif not proofs:
            problems.refuse(
                _l(
                    "Choose at least one document for %(relation)s, or do not let them ask.",
                    relation=RELATION_SHORT[relation],
                ),
                field=f"proofs_{relation.value}",
            )
        checklist[relation.value] = proofs
    if set(asked) - {relation.value for relation in Relation}:
        problems.refuse(_l("Choose among the requesters listed."))
    if not asked:
        problems.refuse(
            _l("Let at least one kind of requester ask for it: tick “May ask for it”."),
            field="checklist",
        )
    problems.raise_any()
    return checklist


def create_kind(
    session: Session, actor: Actor, *, code: str, name_zh: str, name_en: str,
    checklist: Mapping[str, Iterable[str]], now: datetime,
) -> RecordKind:  # fmt: skip
    """A new kind of record, offered to residents, last in the list."""
    require_kind_manager(actor)
    problems = Problems()
    code = problems.check(check_code, session, RecordKind, code, TAKEN_CODE)
    names = problems.check(checked_names, name_zh, name_en)
    kept = problems.check(check_checklist, checklist)
    problems.raise_any()
    last = session.scalar(select(func.max(RecordKind.position))) or 0
    kind = RecordKind(code=code, name_zh=names[0], name_en=names[1], position=last + 1,
                      is_active=True, checklist=kept)  # fmt: skip
    try:
        with session.begin_nested():
            session.add(kind)
            session.flush()
    except IntegrityError:
        # Another administrator added this code between the check and the write.
        raise Invalid(TAKEN_CODE, field="code") from None
    audit.record(
        session, "archives.create_kind", actor=actor, target=kind, now=now,
        details={"code": code, "name_zh": kind.name_zh, "checklist": kept},
    )  # fmt: skip
    return kind


def update_kind(
    session: Session, actor: Actor, kind: RecordKind, *, name_zh: str, name_en: str,
    offered: bool, checklist: Mapping[str, Iterable[str]], now: datetime,
) -> None:  # fmt: skip
    """New names, offered or not, and a new checklist: requests already sent keep the
    documents they were sent with."""
    require_kind_manager(actor)
    problems = Problems()
    names = problems.check(checked_names, name_zh, name_en)
    kept = problems.check(check_checklist, checklist)
    if kind.is_active and not offered and len(_offered(session)) <= 1:
        problems.refuse(
            _l("Keep at least one kind offered: residents must choose one."), field="offered"
        )
    problems.raise_any()
    values: dict[str, Any] = {
        "name_zh": names[0], "name_en": names[1], "is_active": bool(offered), "checklist": kept,
    }  # fmt: skip
    changed = {
        name: [getattr(kind, name), value]
        for name, value in values.items()
        if getattr(kind, name) != value
    }
    if not changed:
        return
    if not kind.is_active and offered:
        # Offered again: last in the order, as a new one would be.
        kind.position = (session.scalar(select(func.max(RecordKind.position))) or 0) + 1
    for name, value in values.items():
        setattr(kind, name, value)
    session.flush()
    audit.record(
        session, "archives.update_kind", actor=actor, target=kind, now=now,
        details={"code": kind.code, "changed": changed},
    )  # fmt: skip


def move_kind(
    session: Session, actor: Actor, kind: RecordKind, step: int, *, now: datetime
) -> None:
    """Move an offered kind one place up (-1) or down (+1) in the order residents see."""
    require_kind_manager(actor)
    if not kind.is_active:
        raise Invalid(_l("A kind no longer offered has no place in the order."))
    if not move_one_place(_offered(session), kind, step):
        return
    session.flush()
    audit.record(
        session, "archives.move_kind", actor=actor, target=kind, now=now,
        details={"code": kind.code, "position": kind.position},
    )  # fmt: skip
