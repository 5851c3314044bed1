"""What the report form offers: the items in use, group by group, in the reader's language,
and an edit at once in the process that made it, within the refresh time in every other."""

from __future__ import annotations

from sqlalchemy import select

from portal.catalogue import offered  # the module (the package offers `on_offer`)
from portal.catalogue.models import CatalogueGroup, CatalogueItem, HandlingClass
from portal.catalogue.offered import OfferedCatalogue
from portal.db import utcnow
from portal.i18n import CHINESE, ENGLISH
from tests.appeals.conftest import item


def names(offered) -> list[str]:
    return [name for _group, items in offered.groups for _id, name in items]


REFRESH = 5.0
read = offered._plain_rows


class Clock:
    """A process's monotonic clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_items_in_use_are_offered_group_by_group_in_each_language(session, tree):
    catalogue = OfferedCatalogue(REFRESH)
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
    assert OfferedCatalogue(REFRESH).get(session, ENGLISH).names[corridor.id] == corridor.name_zh


def edit(session) -> CatalogueItem:
    """Rename, retire, regroup, move and add items; returns the retired one."""
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
    return furniture


def shows_the_edit(offered, retired: CatalogueItem) -> bool:
    edited = [each for each in offered.groups if each[0] == "环境"]
    return (
        bool(edited)
        and [name for _id, name in edited[0][1]][-2:] == ["楼道堆物", "新问题"]
        and retired.id not in offered.names
    )


def test_an_edit_shows_at_once_where_made_and_within_the_refresh_time_elsewhere(session, tree):
    # Two catalogues stand for two server processes; the edit is made in the first.
    clock = Clock()
    here, elsewhere = OfferedCatalogue(REFRESH, clock), OfferedCatalogue(REFRESH, clock)
    for catalogue in (here, elsewhere):
        catalogue.get(session, CHINESE)
    retired = edit(session)
    here.forget()  # as the admin pages do after an edit
    assert shows_the_edit(here.get(session, CHINESE), retired)
    clock.now += REFRESH - 0.5
    assert not shows_the_edit(elsewhere.get(session, CHINESE), retired)
    clock.now += 0.5
    assert shows_the_edit(elsewhere.get(session, CHINESE), retired)
    assert shows_the_edit(elsewhere.get(session, ENGLISH), retired) is False  # English names
    retired.retired_at = None
    session.flush()
    clock.now += REFRESH
    assert retired.id in elsewhere.get(session, CHINESE).names


def test_between_refreshes_the_catalogue_is_not_read(session, tree, monkeypatch):
    reads = []
    monkeypatch.setattr(
        offered, "_plain_rows", lambda connection: reads.append(1) or read(connection)
    )
    clock = Clock()
    catalogue = OfferedCatalogue(REFRESH, clock)
    first = catalogue.get(session, CHINESE)
    clock.now += REFRESH - 1
    assert catalogue.get(session, CHINESE) is first
    assert len(reads) == 1
    clock.now += 1
    assert catalogue.get(session, CHINESE) is first  # read again and the same: kept as built
    assert len(reads) == 2
