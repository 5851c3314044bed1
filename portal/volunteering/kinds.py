"""The kinds of volunteer service (助餐, 助洁, 陪伴 …): a short list the portal's administrators
keep. A kind is added, renamed in both languages, put in order, and retired (never deleted:
volunteers and activities keep its code); a retired kind is no longer offered, and may come
back.

Functions take a Session, the acting person, plain values and `now`; they flush, never commit.
"""

from __future__ import annotations

import re
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.audit import services as audit
from portal.errors import Invalid, NotFound
from portal.permissions import Actor, Permission, require
from portal.shortlists import checked_names, move_one_place
from portal.volunteering.models import ServiceKind

CODE = re.compile(r"[a-z][a-z0-9_-]{1,19}")


def require_kind_keeper(actor: Actor) -> None:
    """The kinds are the whole portal's: only its administrators keep them."""
    require(actor, Permission.MANAGE_VOLUNTEERING)


def all_kinds(session: Session, actor: Actor) -> list[ServiceKind]:
    """Every kind, retired ones too, in their order."""
    require_kind_keeper(actor)
    return list(session.scalars(select(ServiceKind).order_by(ServiceKind.position, ServiceKind.id)))


def offered_kind(session: Session, code: str | None) -> ServiceKind | None:
    """The kind offered under `code` (not retired), for an activity or a request for help."""
    return session.scalar(
        select(ServiceKind).where(ServiceKind.code == code, ServiceKind.retired_at.is_(None))
    )


def get_kind(session: Session, actor: Actor, kind_id: int) -> ServiceKind:
    require_kind_keeper(actor)
    kind = session.get(ServiceKind, kind_id)
    if kind is None:
        raise NotFound(_l("There is no such kind of service."))
    return kind


def add_kind(
    session: Session, actor: Actor, *, code: str, name_zh: str, name_en: str, now: datetime
) -> ServiceKind:
    """A new kind of service, last in the list."""
    require_kind_keeper(actor)
    code = (code or "").strip().lower()
    if not CODE.fullmatch(code):
        raise Invalid(
            _l("A code is 2 to 20 small letters, digits, - or _, starting with a letter."),
            field="code",
        )
    if session.scalar(select(ServiceKind.id).where(ServiceKind.code == code)) is not None:
        raise Invalid(_l("This code is taken: codes are never reused."), field="code")
    chinese, english = checked_names(name_zh, name_en)
    last = session.scalar(select(func.max(ServiceKind.position))) or 0
    kind = ServiceKind(code=code, name_zh=chinese, name_en=english, position=last + 1)
    session.add(kind)
    session.flush()
    audit.record(
        session, "volunteering.add_kind", actor=actor, now=now, target=kind,
        details={"code": code, "name_zh": chinese, "name_en": english},
    )  # fmt: skip
    return kind


def rename_kind(
    session: Session, actor: Actor, kind: ServiceKind, *, name_zh: str, name_en: str,
    now: datetime,
) -> ServiceKind:  # fmt: skip
    """New names, in both languages; the code stays."""
    require_kind_keeper(actor)
    chinese, english = checked_names(name_zh, name_en)
    before = {"name_zh": kind.name_zh, "name_en": kind.name_en}
    kind.name_zh, kind.name_en = chinese, english
    session.flush()
    audit.record(
        session, "volunteering.rename_kind", actor=actor, now=now, target=kind,
        details={"before": before, "after": {"name_zh": chinese, "name_en": english}},
    )  # fmt: skip
    return kind


def retire_kind(
    session: Session, actor: Actor, kind: ServiceKind, *, retired: bool, now: datetime
) -> ServiceKind:
    """Retire a kind (no longer offered), or bring it back."""
    require_kind_keeper(actor)
    if retired and kind.retired_at is None:
        live = session.scalar(
            select(func.count()).select_from(ServiceKind).where(ServiceKind.retired_at.is_(None))
        )
        if live <= 1:
            raise Invalid(_l("Keep at least one kind of service: volunteers must choose one."))
        kind.retired_at = now
    elif not retired:
        kind.retired_at = None
    session.flush()
    audit.record(
        session, "volunteering.retire_kind" if retired else "volunteering.restore_kind",
        actor=actor, now=now, target=kind, details={"code": kind.code},
    )  # fmt: skip
    return kind


def move_kind(
    session: Session, actor: Actor, kind: ServiceKind, step: int, *, now: datetime
) -> None:
    """Move a kind one place up (-1) or down (+1) among those offered."""
    require_kind_keeper(actor)
    if kind.retired_at is not None:
        raise Invalid(_l("A retired kind is not offered: it has no place in the order."))
    rows = list(
        session.scalars(
            select(ServiceKind)
            .where(ServiceKind.retired_at.is_(None))
            .order_by(ServiceKind.position, ServiceKind.id)
        )
    )
    if not move_one_place(rows, kind, step):
        return
    session.flush()
    audit.record(
        session, "volunteering.move_kind", actor=actor, now=now, target=kind,
        details={"code": kind.code, "position": kind.position},
    )  # fmt: skip
