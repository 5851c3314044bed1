"""The catalogue (事项清单): seeding it for a new district."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.appeals.catalogue_data import CATALOGUE
from portal.appeals.models import CatalogueGroup, CatalogueItem, HandlingClass


def seed_catalogue(session: Session) -> int:
    """Add the groups and items of the starting catalogue that are missing; returns how many
    items were added. Items an administrator changed are left as they are."""
    groups = {g.code: g for g in session.scalars(select(CatalogueGroup))}
    known = set(session.scalars(select(CatalogueItem.code)))
    added = 0
    for group_position, seed_group in enumerate(CATALOGUE):
        group = groups.get(seed_group.code)
        if group is None:
            group = CatalogueGroup(
                code=seed_group.code,
                name_zh=seed_group.name_zh,
                name_en=seed_group.name_en,
                position=group_position,
            )
            session.add(group)
        for position, seed in enumerate(seed_group.items):
            if seed.code in known:
                continue
            group.items.append(
                CatalogueItem(
                    code=seed.code,
                    name_zh=seed.name_zh,
                    name_en=seed.name_en,
                    default_level=seed.level,
                    handling=HandlingClass(seed.handling),
                    position=position,
                )
            )
            added += 1
    session.flush()
    return added
