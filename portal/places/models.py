"""Areas of the place hierarchy and the buildings that carry the QR codes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, enum_column, utcnow


class PlaceKind(StrEnum):
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"


# What each kind of area is divided into.
CHILD_KIND: dict[PlaceKind, PlaceKind] = {
    PlaceKind.DISTRICT: PlaceKind.STREET,
    PlaceKind.STREET: PlaceKind.COMMUNITY,
    PlaceKind.COMMUNITY: PlaceKind.GRID,
}


class RiskGrade(StrEnum):
    """The safety grade of a building (放心 / 一般 / 警示)."""

    SAFE = "safe"
    ORDINARY = "ordinary"
    WARNING = "warning"


class Place(Base):
    """An area: a district, a street (街道), a community (社区) or a grid (网格)."""

    __tablename__ = "places"
    __table_args__ = (
        # varchar_pattern_ops lets PostgreSQL answer `path LIKE '/1/4/%'` from the index.
        Index("ix_places_path", "path", postgresql_ops={"path": "varchar_pattern_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PlaceKind] = mapped_column(enum_column(PlaceKind))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"), index=True)
    # The administrative division code (统计用区划代码) or, for a grid, the local grid code.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    # Ids from the root down to this place, as "/1/4/17/": a place lies within another when
    # its path starts with the other's, which one indexed LIKE answers for any depth.
    path: Mapped[str] = mapped_column(String(255), default="")
    # Public contact: a community's service hotline, or a grid worker's work number. Printed
    # on door posters, so never someone's private or sign-in number unless they agree.
    phone: Mapped[str] = mapped_column(String(20), default="")
    # When the community's service centre is open, as residents should read it.
    service_hours_zh: Mapped[str] = mapped_column(String(100), default="")
    service_hours_en: Mapped[str] = mapped_column(String(200), default="")
    # Where the community's service centre (党群服务中心) is, as residents should read it:
    # "光明社区党群服务中心（幸福路18号）". Door pages show it, and meetings held there.
    service_centre_zh: Mapped[str] = mapped_column(String(200), default="")
    service_centre_en: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    parent: Mapped[Place | None] = relationship(remote_side=[id], lazy="joined", join_depth=4)

    @property
    def scope_path(self) -> str:
        return self.path

    @property
    def ancestors(self) -> list[Place]:
        """The areas above this one, from the district down."""
        chain = []
        place = self.parent
        while place is not None:
            chain.append(place)
            place = place.parent
        return chain[::-1]

    def __repr__(self) -> str:
        return f"<Place {self.kind} {self.code}>"


class Building(Base):
    """A building (楼栋) of a grid. Its public code is printed in the QR code on its door."""

    __tablename__ = "buildings"
    __table_args__ = (
        CheckConstraint("households >= 0", name="households_not_negative"),
        Index("ix_buildings_grid_id_name_zh", "grid_id", "name_zh"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    # Short, random, upper case, never reused: the door page is /b/<public_code> forever.
    public_code: Mapped[str] = mapped_column(String(12), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(255))
    households: Mapped[int] = mapped_column(default=0)
    risk_grade: Mapped[RiskGrade] = mapped_column(enum_column(RiskGrade), default=RiskGrade.SAFE)
    # A retired building (pulled down, merged) keeps its code; its door page points to the
    # community instead. Codes are never given to another building.
    retired_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    grid: Mapped[Place] = relationship(lazy="joined")

    @property
    def scope_path(self) -> str:
        return self.grid.path

    def __repr__(self) -> str:
        return f"<Building {self.public_code}>"
