"""What the report form offers: the items in use, group by group, in the reader's language,
and never older than the catalogue, whichever process asks."""

from __future__ import annotations

from sqlalchemy import select

from portal.appeals.models import CatalogueGroup, CatalogueItem, HandlingClass
from portal.appeals.offered import OfferedCatalogue
from portal.db import utcnow
from portal.i18n import CHINESE, ENGLISH
from tests.appeals.conftest import item


def names(offered) -> list[str]:
    return [name for _group, items in offered.groups for _id, name in items]


def test_items_in_use_are_offered_group_by_group_in_each_language(session, tree):
    catalogue = OfferedCatalogue()
    chinese, english = catalogue.get(session, CHINESE), catalogue.get(session, ENGLISH)
    first = session.scalars(select(CatalogueGroup).order_by(CatalogueGroup.position)).first()
    assert chinese.groups[0][0] == first.name_zh and english.groups[0][0] == first.name_en
    corridor = item(session, "rubbish-in-corridor")
    assert chinese.names[corridor.id] == corridor.name_zh
    assert english.names[corridor.id] == corridor.name_en
    in_use = session.scalars(select(CatalogueItem).where(CatalogueItem.retired_at.is_(None)))
    assert len(names(chinese)) == len(in_use.all())


def test_an_item_without_an_english_name_is_offered_in_chinese(session, tree):
    corridor = item(session, "rubbish-in-corridor")
    corridor.name_en = ""
    session.flush()
    assert OfferedCatalogue().get(session, ENGLISH).names[corridor.id] == corridor.name_zh


def test_every_edit_shows_at_once_in_every_process(session, tree):
    # Two caches stand for two server processes; the edits are made by neither.
    processes = [OfferedCatalogue(), OfferedCatalogue()]
    for catalogue in processes:
        catalogue.get(session, CHINESE)
    corridor = item(session, "rubbish-in-corridor")
    furniture = item(session, "dumped-furniture")
    corridor.name_zh = "楼道堆物"
    furniture.retired_at = utcnow()
    corridor.group.name_zh = "环境"
    corridor.position = 99
    corridor.group.items.append(
        CatalogueItem(code="new-kind", name_zh="新问题", name_en="A new kind",
                      default_level=1, handling=HandlingClass.GENERAL, position=100)
    )  # fmt: skip
    session.flush()
    for catalogue in processes:
        offered = catalogue.get(session, CHINESE)
        _group, items = next(each for each in offered.groups if each[0] == "环境")
        assert [name for _id, name in items][-2:] == ["楼道堆物", "新问题"]
        assert furniture.id not in offered.names
    furniture.retired_at = None
    session.flush()
    assert furniture.id in processes[0].get(session, CHINESE).names
