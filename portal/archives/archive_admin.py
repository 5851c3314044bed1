"""Archives as administrators keep them: a district's archive or a street's records room, the
street or district it serves, where results are picked up, its archivists, the kinds of
record it keeps, and the archive-use seal (档案利用专用章) printed on its letters.

Administrators of the portal, or of the district or street an archive serves, keep it
(MANAGE_ARCHIVES, checked here with the place). An archive is retired, never deleted: its
requests and letters keep pointing at it. Functions take a Session, the acting user, plain
values and `now`; they write every change to the audit log, flush but never commit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.archives.documents import seal_owner
from portal.archives.models import (
    OPEN_STATES,
    Archive,
    ArchiveKind,
    ArchiveMember,
    ArchiveRequest,
    Assist,
    RecordKind,
)
from portal.audit import services as audit
from portal.errors import Forbidden, Invalid, NotFound, Problems
from portal.numbers import parse_id
from portal.permissions import (
    Actor,
    Permission,
    Role,
    can,
    covers,
    holds_anywhere,
    require,
    scopes,
)
from portal.phones import mask_phone, normalize_phone
from portal.places.models import Place, PlaceKind
from portal.places.services import check_public_phone
from portal.units.services import changes, check_names
from portal.uploads import services as uploads
from portal.uploads.models import Upload

CODE_MAX = 40
CODE_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# The administrators' own pages sit beside archives' and kinds' (/archives/admin/kinds/new):
# a row with such a code could never be opened.
RESERVED_CODES = frozenset({"new"})
ADDRESS_MAX = 200
# An archive serves a street (its records room) or a whole district (its archive).
ARCHIVE_PLACE_KINDS = frozenset({PlaceKind.STREET, PlaceKind.DISTRICT})
TAKEN_CODE = _l("Another archive already has this code.")
ALREADY_MEMBER = _l("This archivist works this archive already.")


def require_archive_manager(actor: Actor) -> None:
    """Raise Forbidden unless `actor` keeps archives somewhere."""
    if not holds_anywhere(actor, Permission.MANAGE_ARCHIVES):
        raise Forbidden(
            _l("You do not have permission to do this here."),
            permission=Permission.MANAGE_ARCHIVES.value,
        )


def check_code(session: Session, model: type, raw: str | None, taken: Any) -> str:
    """A new code for an archive or a kind of record: a lower-case slug no other row of
    `model` has; `taken` is the message when one does."""
    code = (raw or "").strip().lower()
    if not code:
        raise Invalid(_l("Enter a code."), field="code")
    if len(code) > CODE_MAX or not CODE_PATTERN.fullmatch(code) or code in RESERVED_CODES:
        raise Invalid(
            _l("Use up to 40 lower-case letters, digits and hyphens, like district-archive."),
            field="code",
        )
    if session.scalar(select(model.id).where(model.code == code)) is not None:
        raise Invalid(taken, field="code")
    return code


def _within_scopes(actor: Actor) -> Any:
    """A condition on Place: inside the places where `actor` keeps archives (None: all)."""
    require_archive_manager(actor)
    places = scopes(actor, Permission.MANAGE_ARCHIVES)
    if places == [None]:
        return None
    return or_(*(Place.path.startswith(place.path, autoescape=True) for place in places))


def archives_query(actor: Actor) -> Select:
    """The archives `actor` keeps, those in use first, by the place they serve, then code."""
    query = select(Archive).join(Archive.place)
    inside = _within_scopes(actor)
    if inside is not None:
        query = query.where(inside)
    return query.order_by(Archive.retired_at.is_not(None), Place.code, Archive.code)


def archive_places(session: Session, actor: Actor) -> list[Place]:
    """The streets and districts `actor` may give an archive to, by code."""
    query = select(Place).where(Place.kind.in_(ARCHIVE_PLACE_KINDS))
    inside = _within_scopes(actor)
    if inside is not None:
        query = query.where(inside)
    return list(session.scalars(query.order_by(Place.code)))


def get_archive(session: Session, actor: Actor, code: str | None) -> Archive:
    """The archive `code`, for an administrator who keeps it."""
    require_archive_manager(actor)
    wanted = (code or "").strip().lower()[:CODE_MAX]
    archive = session.scalar(select(Archive).where(Archive.code == wanted)) if wanted else None
    if archive is None:
        raise NotFound(_l("There is no such archive."))
    require(actor, Permission.MANAGE_ARCHIVES, archive.place)
    return archive


def member_counts(session: Session, archives: list[Archive]) -> dict[int, int]:
    """How many archivists each of `archives` has."""
    if not archives:
        return {}
    rows = session.execute(
        select(ArchiveMember.archive_id, func.count())
        .where(ArchiveMember.archive_id.in_([archive.id for archive in archives]))
        .group_by(ArchiveMember.archive_id)
    )
    return dict(rows.all())


def members_of(session: Session, archive: Archive) -> list[ArchiveMember]:
    """The archive's archivists, disabled accounts too, longest-standing first."""
    return list(
        session.scalars(
            select(ArchiveMember)
            .where(ArchiveMember.archive_id == archive.id)
            .order_by(ArchiveMember.added_at, ArchiveMember.user_id)
        )
    )


def kept_kind_ids(session: Session, archive: Archive) -> set[int]:
    return set(
        session.scalars(select(ArchiveKind.kind_id).where(ArchiveKind.archive_id == archive.id))
    )


def kinds_to_choose(session: Session, archive: Archive | None) -> list[RecordKind]:
    """The kinds an archive may be given: those offered to residents, and those no longer
    offered that it keeps already (so that saving its list does not drop them unseen)."""
    kept = kept_kind_ids(session, archive) if archive is not None else set()
    wanted = RecordKind.is_active.is_(True)
    if kept:
        wanted = or_(wanted, RecordKind.id.in_(kept))
    return list(
        session.scalars(
            select(RecordKind).where(wanted).order_by(RecordKind.position, RecordKind.id)
        )
    )


def _check_place(session: Session, actor: Actor, place_id: int | None) -> Place:
    place = session.get(Place, place_id) if isinstance(place_id, int) else None
    if place is None or place.kind not in ARCHIVE_PLACE_KINDS:
        raise Invalid(_l("Choose the street or district the archive serves."), field="place_id")
    if not can(actor, Permission.MANAGE_ARCHIVES, place):
        raise Invalid(
            _l("You keep the archives of your own area only: choose a street or district in it."),
            field="place_id",
        )
    return place


def _check_address(raw: str | None, field: str, *, required: bool) -> str:
    address = (raw or "").strip()
    if required and not address:
        raise Invalid(
            _l("Enter where residents pick up results on paper, in Chinese."), field=field
        )
    if len(address) > ADDRESS_MAX:
        raise Invalid(_l("Keep it within 200 characters."), field=field)
    return address


def _checked_values(
    session: Session, actor: Actor, problems: Problems, *, place_id: int | None, name_zh: str,
    name_en: str, address_zh: str, address_en: str, phone: str,
) -> dict[str, Any]:  # fmt: skip
    """The archive's fields as they will be kept; every refusal goes to `problems`."""
    place = problems.check(_check_place, session, actor, place_id)
    names = problems.check(check_names, name_zh, name_en) or ("", "")
    address_zh = problems.check(_check_address, address_zh, "address_zh", required=True)
    address_en = problems.check(_check_address, address_en, "address_en", required=False)
    problems.check(check_public_phone, session, phone or "")
    return {
        "place": place, "name_zh": names[0], "name_en": names[1], "address_zh": address_zh,
        "address_en": address_en, "phone": (phone or "").strip(),
    }  # fmt: skip


def create_archive(
    session: Session, actor: Actor, *, code: str, place_id: int | None, name_zh: str,
    name_en: str, address_zh: str, address_en: str, phone: str, now: datetime,
) -> Archive:  # fmt: skip
    """Add an archive serving a street or a district. Two administrators adding the same code
    at once: the first gets it, the other is told."""
    require_archive_manager(actor)
    problems = Problems()
    code = problems.check(check_code, session, Archive, code, TAKEN_CODE)
    values = _checked_values(
        session, actor, problems, place_id=place_id, name_zh=name_zh, name_en=name_en,
        address_zh=address_zh, address_en=address_en, phone=phone,
    )  # fmt: skip
    problems.raise_any()
    archive = Archive(code=code, **values)
    try:
        with session.begin_nested():
            session.add(archive)
            session.flush()
    except IntegrityError:
        # Another administrator added this code between the check and the write.
        raise Invalid(TAKEN_CODE, field="code") from None
    audit.record(
        session, "archives.create_archive", actor=actor, target=archive, now=now,
        details={"code": code, "place": archive.place.code},
    )  # fmt: skip
    return archive


def _is_archivist_of(user: User, place: Place) -> bool:
    return any(grant.role == Role.ARCHIVIST and covers(grant.place, place) for grant in user.grants)


def update_archive(
    session: Session, actor: Actor, archive: Archive, *, place_id: int | None, name_zh: str,
    name_en: str, address_zh: str, address_en: str, phone: str, now: datetime,
) -> None:  # fmt: skip
    """Change an archive's names, pick-up address, office line or the place it serves; its
    archivists must all hold their role on the new place."""
    require(actor, Permission.MANAGE_ARCHIVES, archive.place)
    problems = Problems()
    values = _checked_values(
        session, actor, problems, place_id=place_id, name_zh=name_zh, name_en=name_en,
        address_zh=address_zh, address_en=address_en, phone=phone,
    )  # fmt: skip
    place = values["place"]
    if (
        place is not None
        and place is not archive.place
        and not all(_is_archivist_of(member.user, place) for member in members_of(session, archive))
    ):
        problems.refuse(
            _l(
                "Some of its archivists do not hold the archivist's role for that street or "
                "district. Remove them first, or give them the role there."
            ),
            field="place_id",
        )
    problems.raise_any()
    changed = changes(archive, values)
    if not changed:
        return
    for name, value in values.items():
        setattr(archive, name, value)
    session.flush()
    audit.record(
        session, "archives.update_archive", actor=actor, target=archive, now=now,
        details={"code": archive.code, "changed": changed},
    )  # fmt: skip


def open_work(session: Session, archive: Archive) -> int:
    """How many open requests the archive answers, and open assists it was asked for."""
    requests = (
        select(func.count())
        .select_from(ArchiveRequest)
        .where(ArchiveRequest.archive_id == archive.id, ArchiveRequest.state.in_(OPEN_STATES))
    )
    assists = (
        select(func.count())
        .select_from(Assist)
        .join(ArchiveRequest, ArchiveRequest.id == Assist.request_id)
        .where(
            Assist.archive_id == archive.id,
            Assist.answered_at.is_(None),
            ArchiveRequest.state.in_(OPEN_STATES),
        )
    )
    return (session.scalar(requests) or 0) + (session.scalar(assists) or 0)


def set_archive_retired(
    session: Session, actor: Actor, archive: Archive, retired: bool, *, now: datetime
) -> None:
    """Retire an archive (residents no longer choose it, nor archivists pass it requests) or
    bring it back. One with open requests stays in use: they would have nobody to answer."""
    require(actor, Permission.MANAGE_ARCHIVES, archive.place)
    if retired == (archive.retired_at is not None):
        raise Invalid(_l("Nothing to change: the archive is already so."))
    if retired and open_work(session, archive):
        raise Invalid(
            _l(
                "This archive still has open requests. Its archivists answer them (or pass "
                "them on) first; then it can be retired."
            )
        )
    archive.retired_at = now if retired else None
    session.flush()
    audit.record(
        session, "archives.retire_archive" if retired else "archives.restore_archive",
        actor=actor, target=archive, now=now, details={"code": archive.code},
    )  # fmt: skip


def add_member(
    session: Session, actor: Actor, archive: Archive, phone: str | None, *, now: datetime
) -> User:
    """Add the archivist whose staff account has this number to the archive. Two
    administrators adding the same person at once: the first does, the other is told."""
    require(actor, Permission.MANAGE_ARCHIVES, archive.place)
    if archive.retired_at is not None:
        raise Invalid(
            _l("This archive is retired. Bring it back into use before adding archivists.")
        )
    number = normalize_phone(phone or "")
    if number is None:
        raise Invalid(
            _l("Enter an 11-digit mainland mobile number, like 138 0013 8000."), field="phone"
        )
    user = session.scalar(select(User).where(User.phone == number))
    if user is None or not user.is_staff:
        raise Invalid(
            _l("No staff account has this number. Create one under Staff accounts first."),
            field="phone",
        )
    if not user.is_active:
        raise Invalid(_l("This account is disabled."), field="phone")
    if not _is_archivist_of(user, archive.place):
        raise Invalid(
            _l(
                "This account does not hold the archivist's role for the street or district "
                "this archive serves. Give it the role there first, under Staff accounts."
            ),
            field="phone",
        )
    if session.get(ArchiveMember, (archive.id, user.id)) is not None:
        raise Invalid(ALREADY_MEMBER, field="phone")
    try:
        with session.begin_nested():
            session.add(ArchiveMember(archive_id=archive.id, user_id=user.id, added_at=now))
            session.flush()
    except IntegrityError:
        raise Invalid(ALREADY_MEMBER, field="phone") from None
    audit.record(
        session, "archives.add_member", actor=actor, target=archive, now=now,
        details={"code": archive.code, "user_id": user.id, "phone": mask_phone(user.phone)},
    )  # fmt: skip
    return user


def remove_member(
    session: Session, actor: Actor, archive: Archive, user_id: int, *, now: datetime
) -> None:
    """Take an archivist off the archive: from now on they no longer see its requests."""
    require(actor, Permission.MANAGE_ARCHIVES, archive.place)
    member = session.get(ArchiveMember, (archive.id, user_id))
    if member is None:
        raise NotFound(_l("This archivist does not work this archive."))
    masked = mask_phone(member.user.phone)
    session.delete(member)
    session.flush()
    audit.record(
        session, "archives.remove_member", actor=actor, target=archive, now=now,
        details={"code": archive.code, "user_id": user_id, "phone": masked},
    )  # fmt: skip


def set_kinds(
    session: Session, actor: Actor, archive: Archive, kind_ids: Iterable[Any], *, now: datetime
) -> None:
    """Make the kinds of record the archive keeps those of `kind_ids` (residents asking for a
    kind choose among the archives keeping it); requests already sent keep their archive."""
    require(actor, Permission.MANAGE_ARCHIVES, archive.place)
    choices = {kind.id: kind for kind in kinds_to_choose(session, archive)}
    wanted: set[int] = set()
    for raw in kind_ids:
        try:
            kind_id = parse_id(raw)
        except ValueError:
            kind_id = None
        if kind_id not in choices:
            raise Invalid(_l("Choose among the kinds of record listed."), field="kinds")
        wanted.add(kind_id)
    kept = kept_kind_ids(session, archive)
    added, removed = wanted - kept, kept - wanted
    if not added and not removed:
        return
    for kind_id in removed:
        session.delete(session.get(ArchiveKind, (archive.id, kind_id)))
    session.add_all(ArchiveKind(archive_id=archive.id, kind_id=kind_id) for kind_id in added)
    session.flush()
    audit.record(
        session, "archives.set_kinds", actor=actor, target=archive, now=now,
        details={"code": archive.code,
                 "added": sorted(choices[kind_id].code for kind_id in added),
                 "removed": sorted(choices[kind_id].code for kind_id in removed)},
    )  # fmt: skip


def replace_seal(
    session: Session, actor: Actor, archive: Archive, seal: Upload, *, now: datetime
) -> None:
    """Make `seal` (an image just received, unattached) the seal of the archive's letters from
    now on. The seals it had stay kept: the letters issued with them still show them."""
    require(actor, Permission.MANAGE_ARCHIVES, archive.place)
    owner = seal_owner(archive)
    previous = archive.seal_name
    if not uploads.attach(session, [seal], owner):
        raise Invalid(_l("The seal was not kept. Choose the image again."), field="seal")
    archive.seal_name = seal.name
    session.flush()
    audit.record(
        session, "archives.replace_seal", actor=actor, target=archive, now=now,
        details={"code": archive.code, "previous": previous, "name": seal.name},
    )  # fmt: skip


def seal_of(session: Session, archive: Archive) -> Upload | None:
    """The archive's seal image, if it has one."""
    if not archive.seal_name:
        return None
    return uploads.find(session, archive.seal_name, seal_owner(archive))
