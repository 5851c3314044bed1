"""The public ranking of grid points (积分排行榜): who earned most in a community or one of its
grids, this month or this year, names masked; and a resident's choice to leave it.

The ranking reads the running sums tallies.py keeps (PointsTally), one place's period in the
order of its index, in one query joined to the earners' names. Points earned are ranked, not
points held: spending in the points shop or an expiry never moves anyone down. A resident who
left the ranking (RankingExit) is not listed and pushes nobody down; their points are the same.

Functions take a Session, plain values (and the acting person and `now` where they write);
they flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from babel.dates import format_skeleton
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.audit import services as audit
from portal.db import insert_ignoring_conflicts_statement
from portal.errors import Forbidden, NotFound
from portal.i18n import DATE_LOCALES, SHANGHAI
from portal.permissions import Actor
from portal.phones import mask_phone
from portal.places.models import Place, PlaceKind
from portal.points.models import AwardState, PointsAward, PointsTally, RankingExit
from portal.points.tallies import periods_of
from portal.web.templating import current_locale

# The most residents a ranking lists.
RANKING_MAX = 50
MONTH, YEAR = "month", "year"

_LISTED = ~exists().where(RankingExit.user_id == PointsTally.user_id)


@dataclass(frozen=True)
class Ranked:
    """One line of the ranking."""

    rank: int
    name: str  # masked
    points: int
    user_id: int


@dataclass(frozen=True)
class Standing:
    """Where the viewer stands in a ranking."""

    points: int
    # 1 + how many of those listed earned more (the rank they have, or would have, listed).
    rank: int
    left: bool


def ranked_name(display_name: str | None, phone: str | None) -> str:
    """A resident as the ranking names them: the surname and a star for each other character
    ("张三丰" → "张**"), the first letters of a Latin name ("Li Wei" → "L. W."), or with no
    name the masked number ("138****8000"). Less than the public notice shows: a ranking stays
    up all year."""
    name = " ".join((display_name or "").split())
    if not name:
        return mask_phone(phone)
    if name.isascii():
        return " ".join(f"{part[0]}." for part in name.split())
    return name[0] + "*" * (len(name) - 1)


def period_of(choice: Any, now: datetime) -> str:
    """The tally period of `choice` ("month", the default, or "year") at `now`."""
    month, year = periods_of(now)
    return year if choice == YEAR else month


def period_words(period: str) -> str:
    """A period as the heading says it: "2026年12月" / "December 2026", "2026年" / "2026"."""
    year, _dash, month = period.partition("-")
    locale = DATE_LOCALES[current_locale()]
    if not month:
        return format_skeleton("y", datetime(int(year), 1, 1, tzinfo=SHANGHAI), locale=locale)
    moment = datetime(int(year), int(month), 1, tzinfo=SHANGHAI)
    return format_skeleton("yMMMM", moment, locale=locale)


def grids_of(session: Session, community: Place) -> list[Place]:
    """The community's grids, by code: the places its ranking may be narrowed to."""
    return list(
        session.scalars(
            select(Place)
            .where(Place.parent_id == community.id, Place.kind == PlaceKind.GRID)
            .order_by(Place.code)
        )
    )


def grid_in(grids: list[Place], code: Any) -> Place | None:
    """The grid of `code` among `grids` (None for no code); NotFound for a code not there."""
    text = str(code or "").strip().upper()[:32]
    if not text:
        return None
    for grid in grids:
        if grid.code.upper() == text:
            return grid
    raise NotFound(_l("This community has no such grid."))


def ranking(
    session: Session, place: Place, period: str, *, limit: int = RANKING_MAX
) -> list[Ranked]:
    """The residents who earned most in `place` (a community or grid) in `period`, most
    first; equal points share a rank ("1, 2, 2, 4"); those who left are not listed."""
    rows = session.execute(
        select(PointsTally.points, PointsTally.user_id, User.display_name, User.phone)
        .join(User, User.id == PointsTally.user_id)
        .where(PointsTally.place_id == place.id, PointsTally.period == period, _LISTED)
        .order_by(PointsTally.points.desc(), PointsTally.user_id)
        .limit(max(1, min(limit, RANKING_MAX)))
    ).all()
    listed: list[Ranked] = []
    for position, (points, user_id, name, phone) in enumerate(rows, 1):
        tied = listed and listed[-1].points == points
        rank = listed[-1].rank if tied else position
        listed.append(Ranked(rank, ranked_name(name, phone), points, user_id))
    return listed


def has_left(session: Session, user_id: int) -> bool:
    return session.get(RankingExit, user_id) is not None


def standing(session: Session, place: Place, period: str, user: Actor) -> Standing | None:
    """The viewer's own points in `place` and `period` and their rank among those listed;
    None when they earned nothing there then (or are signed out)."""
    if not getattr(user, "is_authenticated", False) or user.id is None:
        return None
    mine = session.scalar(
        select(PointsTally.points).where(
            PointsTally.place_id == place.id,
            PointsTally.period == period,
            PointsTally.user_id == user.id,
        )
    )
    if mine is None:
        return None
    above = session.scalar(
        select(func.count())
        .select_from(PointsTally)
        .where(
            PointsTally.place_id == place.id,
            PointsTally.period == period,
            PointsTally.points > mine,
            _LISTED,
        )
    )
    return Standing(points=mine, rank=1 + above, left=has_left(session, user.id))


def earned_in(session: Session, user: Actor) -> list[Place]:
    """The communities whose rankings count `user`: those of their credited awards."""
    if not getattr(user, "is_authenticated", False) or user.id is None:
        return []
    credited = (
        select(PointsAward.community_id)
        .where(PointsAward.user_id == user.id, PointsAward.state == AwardState.CREDITED)
        .distinct()
    )
    return list(session.scalars(select(Place).where(Place.id.in_(credited)).order_by(Place.code)))


def _resident(user: Actor) -> None:
    if not getattr(user, "is_authenticated", False) or user.id is None:
        raise Forbidden(_l("Sign in to choose whether you are on the ranking."))


def leave(session: Session, user: Actor, now: datetime) -> bool:
    """Take `user` off the public ranking (their points stay as they are); False when they had
    left already."""
    _resident(user)
    # Two taps at once: the second insert finds the row and writes nothing (returns no row).
    table = RankingExit.__table__
    statement = insert_ignoring_conflicts_statement(
        session.get_bind().dialect.name, table, ("user_id",)
    ).returning(table.c.user_id)
    made = session.scalar(statement, {"user_id": user.id, "left_at": now})
    if made is None:
        return False
    audit.record(session, "points.leave_ranking", actor=user, now=now, target=("users", user.id))
    return True


def rejoin(session: Session, user: Actor, now: datetime) -> bool:
    """Put `user` back on the public ranking; False when they were on it."""
    _resident(user)
    gone = session.execute(delete(RankingExit).where(RankingExit.user_id == user.id)).rowcount
    if not gone:
        return False
    audit.record(session, "points.rejoin_ranking", actor=user, now=now, target=("users", user.id))
    return True
