"""The lists of volunteer activities: those to come for residents, a volunteer's own sign-ups
with their place in line, and an activity's roster and a community's activities for its
coordinators. Each list is one or two queries, however long.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session, contains_eager

from portal.accounts.models import User
from portal.errors import Forbidden
from portal.pagination import Page, paginate
from portal.permissions import Actor, Permission, require
from portal.places.models import Place
from portal.volunteering.activities import LONGEST, PAST_SHOWN
from portal.volunteering.models import (
    Activity,
    ActivityState,
    ServiceKind,
    SignUp,
    SignUpState,
    Volunteer,
)
from portal.volunteering.volunteers import coordinated_communities, volunteer_of


def upcoming(
    session: Session,
    *,
    community: Place | None = None,
    kind: ServiceKind | None = None,
    after: datetime,
    page: str | None = None,
) -> Page:
    """Published activities not started yet, soonest first (the starts_at indexes)."""
    query = (
        select(Activity)
        .where(Activity.state == ActivityState.PUBLISHED, Activity.starts_at > after)
        .order_by(Activity.starts_at, Activity.id)
    )
    if community is not None:
        query = query.where(Activity.community_id == community.id)
    if kind is not None:
        query = query.where(Activity.service_kind_id == kind.id)
    return paginate(session, query, page, per_page=20)


@dataclass(frozen=True)
class Mine:
    """A volunteer's sign-ups: those to come (with their place in line) and those past."""

    coming: list[tuple[SignUp, int | None]]
    past: list[SignUp]


def _own(volunteer: Volunteer):
    return (
        select(SignUp)
        .join(SignUp.activity)
        .options(contains_eager(SignUp.activity))
        .where(SignUp.volunteer_id == volunteer.id, SignUp.state != SignUpState.CANCELLED)
    )


def _coming(session: Session, volunteer: Volunteer, now: datetime, limit: int | None):
    # Activities last at most LONGEST: bounding the start lets the database find those not
    # yet over in the index of starts, rather than read every activity for its end.
    query = (
        _own(volunteer)
        .where(Activity.starts_at > now - LONGEST, Activity.ends_at > now)
        .order_by(Activity.starts_at, SignUp.id)
    )
    coming = list(session.scalars(query.limit(limit) if limit is not None else query))
    places = places_in_line(session, [each for each in coming if each.state is SignUpState.WAITING])
    return [(each, places.get(each.id)) for each in coming]


def mine(session: Session, actor: Actor, *, now: datetime) -> Mine:
    """The signed-in volunteer's sign-ups, cancelled ones left out."""
    volunteer = volunteer_of(session, actor)
    if volunteer is None:
        return Mine([], [])
    past = list(
        session.scalars(
            _own(volunteer)
            .where(Activity.ends_at <= now)
            .order_by(Activity.starts_at.desc(), SignUp.id)
            .limit(PAST_SHOWN)
        )
    )
    return Mine(_coming(session, volunteer, now, None), past)


def coming(
    session: Session, actor: Actor, volunteer: Volunteer | None, *, now: datetime, limit: int
) -> list[tuple[SignUp, int | None]]:
    """The first `limit` of the volunteer's sign-ups to come, with their place in line: for
    the volunteer's page, which shows no past ones (a volunteer of years has thousands)."""
    if volunteer is None or volunteer.user_id != getattr(actor, "id", None):
        return []
    return _coming(session, volunteer, now, limit)


def places_in_line(session: Session, waiting: list[SignUp]) -> dict[int, int]:
    """Each waiting sign-up's number on its activity's waiting list (1 is next), in one
    query."""
    if not waiting:
        return {}
    ahead = select(SignUp).where(SignUp.state == SignUpState.WAITING).subquery()
    rows = session.execute(
        select(SignUp.id, func.count(ahead.c.id))
        .join(
            ahead,
            (ahead.c.activity_id == SignUp.activity_id)
            & (tuple_(ahead.c.signed_up_at, ahead.c.id) <= tuple_(SignUp.signed_up_at, SignUp.id)),
        )
        .where(SignUp.id.in_([each.id for each in waiting]))
        .group_by(SignUp.id)
    )
    return dict(rows.all())


def own_sign_up(session: Session, actor: Actor, activity: Activity) -> SignUp | None:
    """The signed-in person's sign-up for `activity`, if they have one."""
    if not getattr(actor, "is_authenticated", False) or actor.id is None:
        return None
    return session.scalar(
        select(SignUp)
        .join(SignUp.volunteer)
        .where(SignUp.activity_id == activity.id, Volunteer.user_id == actor.id)
    )


@dataclass(frozen=True)
class RosterLine:
    sign_up: SignUp
    name: str
    # Whole: the coordinator calls a volunteer who is late (the check-in screen, held up to
    # everyone at the door, masks it).
    phone: str
    place_in_line: int | None  # on the waiting list; None when seated


def roster(session: Session, actor: Actor, activity: Activity) -> list[RosterLine]:
    """Who is seated and who waits, in order, for the activity's coordinators."""
    require(actor, Permission.COORDINATE_VOLUNTEERS, activity.community)
    rows = session.execute(
        select(SignUp, Volunteer.real_name, User.phone)
        .join(SignUp.volunteer)
        .join(Volunteer.user)
        .where(
            SignUp.activity_id == activity.id,
            SignUp.state.in_([SignUpState.SEATED, SignUpState.WAITING]),
        )
        .order_by(SignUp.state, SignUp.signed_up_at, SignUp.id)  # seated before waiting
    )
    lines, waiting = [], 0
    for sign_up_, name, phone in rows:
        number = None
        if sign_up_.state is SignUpState.WAITING:
            waiting += 1
            number = waiting
        lines.append(RosterLine(sign_up_, name, phone, number))
    return lines


def coordinators_activities(
    session: Session, actor: Actor, *, now: datetime, page: str | None = None
) -> Page:
    """The activities of the communities `actor` coordinates, those to come first by start."""
    communities = [c.id for c in coordinated_communities(session, actor)]
    if not communities:
        raise Forbidden(_l("You do not have permission to do this here."))
    query = (
        select(Activity)
        .where(Activity.community_id.in_(communities), Activity.ends_at > now - timedelta(days=30))
        # Those to come first, soonest first; then those of the last 30 days.
        .order_by(Activity.ends_at <= now, Activity.starts_at, Activity.id)
    )
    return paginate(session, query, page)
