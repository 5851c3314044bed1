"""The lists of requests for help: an older resident's own, those a family member made for
them, and a community's for its
coordinators to match and confirm (paged, on the (community, state, id) index)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.orm import Session, selectinload

from portal.pagination import Page, paginate
from portal.permissions import Actor, Permission, require
from portal.places.models import Place
from portal.volunteering.elders import elder_of
from portal.volunteering.models import (
    Elder,
    HelpRequest,
    HelpState,
    Volunteer,
    VolunteerState,
)

OPEN = (HelpState.ASKED, HelpState.MATCHED)
# The volunteers a coordinator chooses from, at most.
VOLUNTEERS_SHOWN = 300
# The help a volunteer is matched to give, shown at most.
GIVING_SHOWN = 50
# The requests a family member made for others, shown at most.
ASKED_SHOWN = 50


def mine(session: Session, actor: Actor, *, now: datetime, page: str | None = None) -> Page | None:
    """The signed-in older resident's requests by when the help happens: what is still to
    come first, soonest first, then the past, latest first; None if they are not registered."""
    elder = elder_of(session, actor)
    if elder is None:
        return None
    coming = HelpRequest.starts_at >= now
    query = (
        select(HelpRequest)
        .where(HelpRequest.elder_id == elder.id)
        .order_by(
            case((coming, 0), else_=1),
            case((coming, HelpRequest.starts_at)),
            HelpRequest.starts_at.desc(),
            HelpRequest.id.desc(),
        )
        .options(selectinload(HelpRequest.volunteer))
    )
    return paginate(session, query, page, per_page=20)


def asked_for_others(session: Session, actor: Actor) -> list[HelpRequest]:
    """The requests the signed-in person made for older residents as their family member,
    newest first (the latest ASKED_SHOWN)."""
    if not getattr(actor, "is_authenticated", False) or actor.id is None:
        return []
    return list(
        session.scalars(
            select(HelpRequest)
            .join(Elder, HelpRequest.elder_id == Elder.id)
            .where(HelpRequest.asked_by_id == actor.id, Elder.user_id != actor.id)
            .order_by(HelpRequest.id.desc())
            .limit(ASKED_SHOWN)
            .options(selectinload(HelpRequest.elder), selectinload(HelpRequest.volunteer))
        )
    )


def for_community(
    session: Session,
    actor: Actor,
    community: Place,
    *,
    state: HelpState | None = None,
    page: str | None = None,
) -> Page:
    """A community's requests in one state, or the open ones (asked, then matched) oldest
    first; closed ones newest first."""
    require(actor, Permission.COORDINATE_VOLUNTEERS, community)
    query = select(HelpRequest).where(HelpRequest.community_id == community.id)
    if state is None:
        query = query.where(HelpRequest.state.in_(OPEN)).order_by(HelpRequest.id)
    elif state in OPEN:
        query = query.where(HelpRequest.state == state).order_by(HelpRequest.id)
    else:
        query = query.where(HelpRequest.state == state).order_by(HelpRequest.id.desc())
    query = query.options(selectinload(HelpRequest.elder), selectinload(HelpRequest.volunteer))
    return paginate(session, query, page)


def volunteers_for(session: Session, actor: Actor, help_request: HelpRequest) -> list[Volunteer]:
    """The approved volunteers of the request's community who may be matched to it (not the
    older resident themselves), those offering its kind of service first."""
    require(actor, Permission.COORDINATE_VOLUNTEERS, help_request.community)
    elder_user = session.scalar(select(Elder.user_id).where(Elder.id == help_request.elder_id))
    found = session.scalars(
        select(Volunteer)
        .where(
            Volunteer.community_id == help_request.community_id,
            Volunteer.state == VolunteerState.APPROVED,
            Volunteer.user_id != elder_user,
        )
        .order_by(Volunteer.real_name, Volunteer.id)
        .limit(VOLUNTEERS_SHOWN)
        .options(selectinload(Volunteer.user))
    )
    code = help_request.service_kind.code
    return sorted(found, key=lambda each: code not in (each.services or []))


def giving(session: Session, actor: Actor) -> list[HelpRequest]:
    """The help the signed-in volunteer is matched to give, soonest first."""
    if not getattr(actor, "is_authenticated", False) or actor.id is None:
        return []
    return list(
        session.scalars(
            select(HelpRequest)
            .join(Volunteer, HelpRequest.volunteer_id == Volunteer.id)
            .where(Volunteer.user_id == actor.id, HelpRequest.state == HelpState.MATCHED)
            .order_by(HelpRequest.starts_at, HelpRequest.id)
            .limit(GIVING_SHOWN)
            .options(selectinload(HelpRequest.elder))
        )
    )
