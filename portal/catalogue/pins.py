"""The kinds of problem each district pins first on the report form (常见问题).

A community's own reports of the last 90 days say best what its residents report; where
there are too few (a new district, the demo), the report form shows the kinds its district's
administrators pinned, or the starting list (data.PINNED) while they pinned none.

Functions take a Session, the acting user, plain values and `now`; they flush, never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.audit import services as audit
from portal.catalogue.data import OTHER, PINNED
from portal.catalogue.models import CatalogueItem, PinnedItem
from portal.errors import Invalid, NotFound
from portal.permissions import Actor, Permission, require, scopes
from portal.places.models import Place, PlaceKind

# As many as fit as big buttons above the fold of a phone.
MAX_PINNED = 6


def district_id_of(path: str) -> int:
    """The district of a place, from its path ("/1/4/17/" lies in district 1)."""
    return int(path.strip("/").split("/")[0])


def _live_ids(session: Session, codes: Sequence[str]) -> list[int]:
    found = dict(
        session.execute(
            select(CatalogueItem.code, CatalogueItem.id).where(
                CatalogueItem.code.in_(codes), CatalogueItem.retired_at.is_(None)
            )
        ).all()
    )
    return [found[code] for code in codes if code in found]


def pinned_ids(session: Session, district_id: int) -> list[int]:
    """The item ids a district puts first, in order: its own pins, else the starting list."""
    own = list(
        session.scalars(
            select(PinnedItem.item_id)
            .join(CatalogueItem, CatalogueItem.id == PinnedItem.item_id)
            .where(PinnedItem.district_id == district_id, CatalogueItem.retired_at.is_(None))
            .order_by(PinnedItem.position)
        )
    )
    return own or _live_ids(session, PINNED)


def other_item_id(session: Session) -> int | None:
    """The kind "something else" is filed under, while it is in use."""
    found = _live_ids(session, (OTHER,))
    return found[0] if found else None


def pin_districts(session: Session, actor: Actor) -> list[Place]:
    """The districts whose pins `actor` may change."""
    places = scopes(actor, Permission.MANAGE_CATALOGUE)
    query = select(Place).where(Place.kind == PlaceKind.DISTRICT).order_by(Place.code)
    districts = list(session.scalars(query))
    if None in places:
        return districts
    wanted = {district_id_of(place.path) for place in places}
    return [district for district in districts if district.id in wanted]


def get_district(session: Session, actor: Actor, district_id: int) -> Place:
    district = session.get(Place, district_id)
    if district is None or district.kind != PlaceKind.DISTRICT:
        raise NotFound(_l("There is no such district."))
    require(actor, Permission.MANAGE_CATALOGUE, district)
    return district


def pin_items(
    session: Session, actor: Actor, district: Place, item_ids: Sequence[int], *, now: datetime
) -> None:
    """Put these kinds first on the report form of `district`, in this order (none: the
    starting list)."""
    require(actor, Permission.MANAGE_CATALOGUE, district)
    # Two administrators saving at once replace the list one after the other, never mixed.
    session.execute(select(Place.id).where(Place.id == district.id).with_for_update())
    chosen = list(dict.fromkeys(item_ids))
    if len(chosen) > MAX_PINNED:
        raise Invalid(_l("Pin at most %(max)d kinds.", max=MAX_PINNED))
    live = set(
        session.scalars(
            select(CatalogueItem.id).where(
                CatalogueItem.id.in_(chosen), CatalogueItem.retired_at.is_(None)
            )
        )
    )
    if live != set(chosen):
        raise Invalid(_l("Choose kinds of problem that are in use."))
    session.execute(delete(PinnedItem).where(PinnedItem.district_id == district.id))
    session.add_all(
        PinnedItem(district_id=district.id, item_id=item_id, position=position)
        for position, item_id in enumerate(chosen)
    )
    session.flush()
    audit.record(
        session, "appeals.pin_catalogue_items", actor=actor, target=district, now=now,
        details={"items": chosen},
    )  # fmt: skip
