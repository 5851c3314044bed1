"""Who answers a consultation: the advisers of the resident's community, else of its street,
else of its district, the one with the fewest consultations waiting first (the longest-serving
on a tie, then by id, so that the choice is the same on every server).

An adviser who declared a conflict on a consultation, or was taken off it, is never chosen
for it again. Functions take a Session and plain values (and `now`); they flush, never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.accounts.holders import holders_statement, place_ids_above
from portal.accounts.models import User
from portal.legal.models import Assignment, AssignmentEnd, Consultation, ConsultationState
from portal.permissions import Permission
from portal.places.models import Place, PlaceKind

# The order in which places are asked, nearest first.
POOLS = (PlaceKind.COMMUNITY, PlaceKind.STREET, PlaceKind.DISTRICT)
# States in which a consultation counts as the adviser's open work.
OPEN_STATES = (ConsultationState.WAITING, ConsultationState.ANSWERED)


def pools_of(session: Session, community: Place) -> list[Place]:
    """The community, its street and its district, in the order their advisers are asked."""
    ids = place_ids_above(community)
    places = {place.id: place for place in session.scalars(select(Place).where(Place.id.in_(ids)))}
    return [places[i] for i in reversed(ids) if i in places and places[i].kind in POOLS]


def excluded_advisers(
    session: Session, consultation_id: int, *, conflicts_only: bool = False
) -> set[int]:
    """The advisers a consultation has already left (a conflict, a reassignment), whom the
    rotation never gives it back to; with `conflicts_only`, those who declared a conflict,
    whom nobody may give it back to."""
    query = select(Assignment.adviser_id).where(
        Assignment.consultation_id == consultation_id, Assignment.ended_at.is_not(None)
    )
    if conflicts_only:
        query = query.where(Assignment.ended_because == AssignmentEnd.CONFLICT)
    return set(session.scalars(query))


def open_counts(session: Session, adviser_ids: list[int]) -> dict[int, int]:
    """How many consultations each adviser has waiting on them or answered and still open."""
    rows = session.execute(
        select(Consultation.adviser_id, func.count())
        .where(Consultation.adviser_id.in_(adviser_ids), Consultation.state.in_(OPEN_STATES))
        .group_by(Consultation.adviser_id)
    )
    return dict(rows.all())


def next_adviser(
    session: Session, community: Place, *, excluded: set[int] = frozenset()
) -> tuple[User, Place] | None:
    """The adviser to give a consultation from `community` to, and the place whose advisers
    they were chosen among; None when no adviser anywhere above it is free of it."""
    for pool in pools_of(session, community):
        advisers = [
            user
            for _place_id, user in session.execute(
                holders_statement(Permission.ANSWER_CONSULTATIONS, [pool.id])
            )
            if user.id not in excluded
        ]
        advisers = list(dict.fromkeys(advisers))
        if advisers:
            counts = open_counts(session, [user.id for user in advisers])
            # Grants come oldest first: min() keeps the first of equals.
            return min(advisers, key=lambda user: counts.get(user.id, 0)), pool
    return None


def assign(
    session: Session,
    consultation: Consultation,
    *,
    now: datetime,
    adviser: User | None = None,
    pool: Place | None = None,
    assigned_by: User | None = None,
) -> Assignment | None:
    """Give `consultation` to `adviser` in `pool` (a supervisor's choice), or by rotation when
    none is given; None, and no adviser, when nobody is left to give it to."""
    if adviser is None:
        chosen = next_adviser(
            session, consultation.community, excluded=excluded_advisers(session, consultation.id)
        )
        if chosen is None:
            consultation.adviser_id = None
            return None
        adviser, pool = chosen
    assignment = Assignment(
        consultation_id=consultation.id,
        adviser_id=adviser.id,
        pool_id=pool.id if pool is not None else consultation.community_id,
        assigned_by_id=getattr(assigned_by, "id", None),
        assigned_at=now,
    )
    session.add(assignment)
    consultation.adviser_id = adviser.id
    consultation.cleared_at = None
    session.flush()
    return assignment
