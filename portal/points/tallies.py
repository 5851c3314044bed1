"""The ranking's running sums (PointsTally): each credited award adds its points to its
earner's tally in its community and its grid, for its Shanghai month and year.

This is the one place tallies are written. The ranking then reads a place's period in index
order instead of summing a community's awards on every view (a 20,000-resident community has
hundreds of thousands of awards a year). Points spent, refunded or expired do not change what
was earned, so nothing here ever subtracts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from portal.i18n import SHANGHAI
from portal.points.models import PointsAward, PointsTally


def periods_of(moment: datetime) -> tuple[str, str]:
    """The Shanghai month ("2026-12") and year ("2026") `moment` falls in."""
    local = moment.astimezone(SHANGHAI)
    return f"{local.year:04d}-{local.month:02d}", f"{local.year:04d}"


def add_credited(session: Session, award: PointsAward, *, now: datetime) -> None:
    """Add the credited `award` to its earner's tallies, in the crediting transaction."""
    places = sorted({award.community_id, award.grid_id} - {None})
    rows = [
        {"place_id": place, "period": period, "user_id": award.user_id, "points": award.points}
        for place in places
        for period in sorted(periods_of(now))
    ]
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    # Rows in key order: two awards credited at once to one person lock them in the same order.
    statement = insert(PointsTally).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["place_id", "period", "user_id"],
        set_={"points": PointsTally.points + statement.excluded["points"]},
    )
    session.execute(statement)
