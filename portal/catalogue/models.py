"""The catalogue (事项清单): the kinds of problem residents report, in groups, each with the
level it goes to and how long resolving it may take."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import IntEnum, StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, enum_column, utcnow
from portal.units.models import Unit


class Level(IntEnum):
    """Who handles an appeal: 1 the grid worker on the spot, 2 the community, 3 the street."""

    GRID = 1
    COMMUNITY = 2
    STREET = 3


class HandlingClass(StrEnum):
    """How long resolving may take (the 12345 hotline's classes; times in DEFAULT_HANDLING)."""

    EMERGENCY = "emergency"
    UTILITIES = "utilities"
    GENERAL = "general"
    COMPLEX = "complex"


# Each handling class's time to resolve, unless a district configures its own (APPEAL_CLOCKS).
DEFAULT_HANDLING = {
    HandlingClass.EMERGENCY: timedelta(hours=2),
    HandlingClass.UTILITIES: timedelta(hours=24),
    HandlingClass.GENERAL: timedelta(days=7),
    HandlingClass.COMPLEX: timedelta(days=15),
}


class CatalogueGroup(Base):
    """A group of the catalogue (事项清单), such as 环境卫生."""

    __tablename__ = "catalogue_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)
    # Moved forward by every edit: whoever keeps the catalogue in memory knows when to re-read.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    items: Mapped[list[CatalogueItem]] = relationship(
        back_populates="group", order_by="CatalogueItem.position"
    )


class CatalogueItem(Base):
    """A kind of appeal, with the level it goes to and how long resolving it may take."""

    __tablename__ = "catalogue_items"
    __table_args__ = (CheckConstraint("default_level BETWEEN 1 AND 3", name="level_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("catalogue_groups.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(100))
    default_level: Mapped[int]
    handling: Mapped[HandlingClass] = mapped_column(enum_column(HandlingClass))
    # Overrides the handling class's time for this item alone (minutes), when set.
    resolve_minutes: Mapped[int | None]
    # Who takes it at level 3; None: the street office of the building.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    position: Mapped[int] = mapped_column(default=0)
    # A retired item is no longer offered on the form; appeals filed under it keep it.
    retired_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    group: Mapped[CatalogueGroup] = relationship(back_populates="items", lazy="joined")
    unit: Mapped[Unit | None] = relationship()


class PinnedItem(Base):
    """A kind of problem a district's administrators put first on the report form, for
    communities with too few reports of their own to say what is usual there."""

    __tablename__ = "pinned_items"
    __table_args__ = (UniqueConstraint("district_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("places.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalogue_items.id"))
    position: Mapped[int] = mapped_column(default=0)
