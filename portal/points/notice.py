"""The public notice (公示) of approved awards, objections to them, and their crediting.

An approved award stands on its community's public notice page until its notice ends: anyone
may read it (names masked), and anyone signed in may object, with a reason. While an objection
is open the award waits; a coordinator upholds it (the award is refused and kept with the
reason) or dismisses it. The worker's sweep credits each award whose notice has ended with no
objection open, once: the award's row is locked (skipped when another worker holds it) and the
ledger posts one transfer per award.

Functions take a Session, the acting person, plain values and `now`; they flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, contains_eager

from portal.accounts.models import User
from portal.audit import services as audit
from portal.errors import Forbidden, Invalid, NotFound
from portal.numbers import parse_id
from portal.permissions import SYSTEM, Actor, Permission, require
from portal.phones import mask_phone
from portal.places.models import Place
from portal.points import awards
from portal.points.models import AwardState, PointsAward, PointsObjection
from portal.verification.facts import mask_name

# The most awards one sweep credits: the rest wait for the next pass.
BATCH = 200
# The most awards the public page lists at once, newest first.
NOTICE_MAX = 500

OPEN = PointsObjection.decided_at.is_(None)


@dataclass(frozen=True)
class Notice:
    """One award as the public notice shows it."""

    award: PointsAward
    name: str  # masked


def masked(user: User) -> str:
    """A resident as a public page names them: 张*丰, or 138****5678 without a name."""
    return mask_name(user.display_name or "") or mask_phone(user.phone)


def on_notice(session: Session, community: Place) -> list[Notice]:
    """The awards on `community`'s public notice, ending soonest first (no sign-in needed)."""
    rows = session.scalars(
        select(PointsAward)
        .join(PointsAward.user)
        .options(contains_eager(PointsAward.user))
        .where(
            PointsAward.community_id == community.id,
            PointsAward.state == AwardState.NOTICE,
            PointsAward.notice_ends_at.is_not(None),
        )
        .order_by(PointsAward.notice_ends_at, PointsAward.id)
        .limit(NOTICE_MAX)
    )
    return [Notice(award, masked(award.user)) for award in rows]


def noticed_award(session: Session, award_id: Any) -> PointsAward:
    """An award on notice, for the page where objections are lodged."""
    try:
        award = session.get(PointsAward, parse_id(award_id))
    except ValueError:
        award = None
    if award is None or award.state is not AwardState.NOTICE or award.notice_ends_at is None:
        raise NotFound(_l("This award is not on public notice."))
    return award


def lodge_objection(
    session: Session, actor: Actor, award_id: Any, *, reason: Any, now: datetime
) -> PointsObjection:
    """Object to an award on public notice, with a reason: it waits for a coordinator."""
    if not getattr(actor, "is_authenticated", False) or actor.id is None:
        raise Forbidden(_l("Sign in to object: a coordinator may need to ask you about it."))
    award = awards.locked_award(session, award_id)
    if award.state is not AwardState.NOTICE or award.notice_ends_at is None:
        raise NotFound(_l("This award is not on public notice."))
    if now >= award.notice_ends_at:
        raise Invalid(_l("The notice of this award has ended: objections are closed."))
    reason = awards.clean_reason(reason)
    mine = session.scalar(
        select(PointsObjection.id).where(
            PointsObjection.award_id == award.id, PointsObjection.user_id == actor.id, OPEN
        )
    )
    if mine is not None:
        raise Invalid(_l("You have objected to this award already: a coordinator will decide."))
    objection = PointsObjection(award_id=award.id, user_id=actor.id, reason=reason, created_at=now)
    session.add(objection)
    session.flush()
    audit.record(
        session, "points.object", actor=actor, now=now, target=objection,
        details={"award": award.id, "reason": reason},
    )  # fmt: skip
    return objection


def decide_objection(
    session: Session, actor: Actor, objection_id: Any, *, upheld: bool, decision: Any,
    now: datetime,
) -> PointsObjection:  # fmt: skip
    """Uphold an objection (the award is refused, kept with the reason, and every other open
    objection to it is closed with it) or dismiss it (the award stands)."""
    try:
        objection = session.get(PointsObjection, parse_id(objection_id))
    except ValueError:
        objection = None
    if objection is None:
        raise NotFound(_l("There is no such objection."))
    award = awards.locked_award(session, objection.award_id)
    require(actor, Permission.AWARD_POINTS, award.community)
    session.refresh(objection)
    if objection.decided_at is not None:
        raise Invalid(_l("This objection has been decided already."))
    decision = awards.clean_reason(decision, field="decision")
    if upheld:
        if award.state is not AwardState.NOTICE:
            raise Invalid(_l("This award is no longer on notice."))
        award.state, award.rejection = AwardState.REJECTED, decision
        closing = session.scalars(
            select(PointsObjection).where(PointsObjection.award_id == award.id, OPEN)
        ).all()
    else:
        closing = [objection]
    for each in closing:
        each.decided_by_id, each.decided_at = actor.id, now
        each.upheld, each.decision = upheld, decision
    session.flush()
    audit.record(
        session, "points.uphold_objection" if upheld else "points.dismiss_objection",
        actor=actor, now=now, target=objection, details={"award": award.id, "decision": decision},
    )  # fmt: skip
    return objection


def open_objections(session: Session, actor: Actor, community: Place) -> list[PointsObjection]:
    """The community's objections waiting for a decision, oldest first."""
    require(actor, Permission.AWARD_POINTS, community)
    return list(
        session.scalars(
            select(PointsObjection)
            .join(PointsObjection.award)
            .where(PointsAward.community_id == community.id, OPEN)
            .order_by(PointsObjection.id)
            .limit(NOTICE_MAX)
        )
    )


def review_queue(session: Session, actor: Actor, community: Place) -> list[PointsAward]:
    """The community's awards waiting for review, oldest first."""
    require(actor, Permission.AWARD_POINTS, community)
    return list(
        session.scalars(
            select(PointsAward)
            .where(
                PointsAward.community_id == community.id, PointsAward.state == AwardState.REVIEWING
            )
            .order_by(PointsAward.id)
            .limit(NOTICE_MAX)
        )
    )


def sweep(session: Session, now: datetime) -> int:
    """Credit the awards whose notice has ended with no objection open; returns how many."""
    due = list(
        session.scalars(
            select(PointsAward)
            .where(
                PointsAward.state == AwardState.NOTICE,
                PointsAward.notice_ends_at <= now,
                ~exists().where(PointsObjection.award_id == PointsAward.id, OPEN),
            )
            .order_by(PointsAward.notice_ends_at, PointsAward.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True, of=PointsAward)
            .execution_options(populate_existing=True)
        )
    )
    for award in due:
        awards.credit(session, SYSTEM, award, now=now)
    session.flush()
    return len(due)
