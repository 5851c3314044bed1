"""The starting catalogue: seeded once into an empty database, and seeding again changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from portal.catalogue.data import CATALOGUE
from portal.catalogue.models import CatalogueGroup, CatalogueItem
from portal.catalogue.services import seed_catalogue


def snapshot(session) -> list[tuple]:
    return [
        (item.group.code, item.group.position, item.code, item.name_zh, item.name_en,
         item.default_level, item.handling, item.position, item.updated_at)
        for item in session.scalars(select(CatalogueItem).order_by(CatalogueItem.code))
    ]  # fmt: skip


def test_an_empty_catalogue_gets_every_group_and_item_in_order(session):
    added = seed_catalogue(session)
    assert added == sum(len(group.items) for group in CATALOGUE) == 64
    groups = list(session.scalars(select(CatalogueGroup).order_by(CatalogueGroup.position)))
    assert [group.code for group in groups] == [group.code for group in CATALOGUE]
    assert len(groups) == 12
    assert [item.code for item in groups[0].items] == [item.code for item in CATALOGUE[0].items]


def test_seeding_twice_changes_nothing(session):
    seed_catalogue(session)
    session.commit()
    before = snapshot(session)
    assert seed_catalogue(session) == 0
    session.commit()
    assert snapshot(session) == before
    assert len(list(session.scalars(select(CatalogueGroup)))) == len(CATALOGUE)


def test_an_item_missing_from_a_seeded_catalogue_is_added_back_alone(session):
    seed_catalogue(session)
    gone = session.scalar(select(CatalogueItem).where(CatalogueItem.code == "dog-mess"))
    session.delete(gone)
    session.flush()
    before = snapshot(session)
    assert seed_catalogue(session) == 1
    after = snapshot(session)
    assert [row for row in after if row[2] != "dog-mess"] == before
