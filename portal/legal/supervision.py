"""The legal supervisors' side (a role granted on a district): an overview of the district's
open consultations (overdue first, then those nobody could be given to, and the conflicts
advisers declared, with their reasons), and reassigning a consultation to another adviser of
the district. Reading a consultation goes through access.consultation_for, which audits it.

Functions take a Session, the acting user, plain values and `now`; they flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from portal.accounts.holders import holders, holders_statement, place_ids_above
from portal.accounts.models import User
from portal.audit import services as audit
from portal.errors import Forbidden, Invalid
from portal.legal import answering, rotation
from portal.legal.models import Assignment, AssignmentEnd, Consultation, ConsultationState
from portal.legal.settings import LegalSettings
from portal.pagination import Page, paginate
from portal.permissions import ROLES_WITH, Actor, Permission, can, granted_places
from portal.places.models import Place, PlaceKind

PER_PAGE = 30


@dataclass
class Overview:
    open: Page  # waiting ones: overdue first, then by deadline
    unassigned: list[Consultation]
    # The conflicts declared on the consultations shown, by consultation.
    conflicts: dict[int, list[Assignment]]


def districts(actor: Actor) -> list[Place]:
    """The places the actor supervises consultations in."""
    return granted_places(actor, Permission.SUPERVISE_CONSULTATIONS)


def _communities_in(session: Session, areas: list[Place]) -> list[int]:
    """The ids of the communities inside `areas` (an indexed LIKE on their paths)."""
    inside = or_(*(Place.path.startswith(area.path, autoescape=True) for area in areas))
    return list(session.scalars(select(Place.id).where(Place.kind == PlaceKind.COMMUNITY, inside)))


def overview(session: Session, actor: Actor, raw_page: str | None) -> Overview:
    """The supervisor's district: waiting consultations soonest due (so overdue) first, those
    with no adviser, and the conflicts declared on those shown, with their reasons."""
    areas = districts(actor)
    if not areas:
        raise Forbidden(_l("This page is for legal supervisors."))
    waiting = (
        select(Consultation)
        .where(
            Consultation.state == ConsultationState.WAITING,
            Consultation.community_id.in_(_communities_in(session, areas)),
        )
        .options(selectinload(Consultation.adviser))
        .order_by(Consultation.due_at, Consultation.id)
    )
    unassigned = list(
        session.scalars(waiting.where(Consultation.adviser_id.is_(None)).limit(PER_PAGE))
    )
    page = paginate(session, waiting, raw_page, PER_PAGE)
    shown = {c.id for c in page.items} | {c.id for c in unassigned}
    conflicts: dict[int, list[Assignment]] = {}
    for assignment in session.scalars(
        select(Assignment)
        .options(selectinload(Assignment.adviser))
        .where(
            Assignment.consultation_id.in_(shown),
            Assignment.ended_because == AssignmentEnd.CONFLICT,
        )
        .order_by(Assignment.id)
    ):
        conflicts.setdefault(assignment.consultation_id, []).append(assignment)
    return Overview(open=page, unassigned=unassigned, conflicts=conflicts)


def advisers_for(session: Session, actor: Actor, consultation: Consultation) -> list[User]:
    """The advisers a supervisor may give the consultation to: those of its community, street
    and district (whose grants let them read it), not the one it is with now, nor one who
    declared a conflict on it (one it was moved away from may have it back: back from leave,
    say)."""
    if not can(actor, Permission.SUPERVISE_CONSULTATIONS, consultation.community):
        raise Forbidden(_l("You do not have permission to do this here."))
    left = rotation.excluded_advisers(session, consultation.id, conflicts_only=True)
    rows = session.execute(
        holders_statement(Permission.ANSWER_CONSULTATIONS, place_ids_above(consultation.community))
    )
    return [
        user
        for user in dict.fromkeys(user for _place_id, user in rows)
        if user.id != consultation.adviser_id and user.id not in left
    ]


def _pool_of(session: Session, adviser: User, consultation: Consultation) -> Place:
    """The place of the adviser's grant nearest the consultation's community."""
    ids = place_ids_above(consultation.community)
    grants = [
        grant.place
        for grant in adviser.grants
        if grant.role in ROLES_WITH[Permission.ANSWER_CONSULTATIONS] and grant.place is not None
    ]
    above = [place for place in grants if place.id in ids]
    if above:
        return max(above, key=lambda place: len(place.path))
    return grants[0] if grants else consultation.community


def reassign(
    session: Session,
    actor: Actor,
    consultation: Consultation,
    adviser_id: int,
    *,
    settings: LegalSettings,
    now: datetime,
) -> Assignment:
    """A supervisor gives the consultation to another adviser of the district; the deadline
    stays, the adviser it leaves never gets it back by rotation. Audited."""
    chosen = {user.id: user for user in advisers_for(session, actor, consultation)}
    if consultation.state not in answering.OPEN:
        raise Invalid(_l("This consultation is closed."))
    adviser = chosen.get(adviser_id)
    if adviser is None:
        raise Invalid(_l("Choose an adviser of the district from the list."), field="adviser")
    was = consultation.adviser_id
    if was is not None:
        answering.end_assignment(session, consultation, AssignmentEnd.REASSIGNED, now=now)
    made = rotation.assign(
        session,
        consultation,
        now=now,
        adviser=adviser,
        pool=_pool_of(session, adviser, consultation),
        assigned_by=actor,
    )
    audit.record(session, "legal.consultation.reassigned", actor=actor, now=now,
                 target=consultation, details={"from": was, "to": adviser.id})  # fmt: skip
    answering.after_adviser_changed(session, consultation, settings, now)
    return made


def supervisors_of(session: Session, consultation: Consultation) -> list[User]:
    """The legal supervisors over the consultation's community (its district's, mostly)."""
    return holders(
        session, Permission.SUPERVISE_CONSULTATIONS, consultation.community, covering=True
    )
