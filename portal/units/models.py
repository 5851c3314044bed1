"""Units: the street offices and departments that take level-3 appeals, and their members."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.db import Base, utcnow
from portal.places.models import Place


class Unit(Base):
    """A street office or a department (城管, 住建, 派出所 …) serving a street or the district: it
    takes the level-3 appeals of the catalogue items it is responsible for, and it answers
    when a community summons it (吹哨). Its members are the officers who work its queue."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    # The street or district it serves: appeals of buildings outside it go to the street office.
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(100))
    # The number residents and communities may call (an office line, shown in full).
    phone: Mapped[str] = mapped_column(String(20), default="")
    retired_at: Mapped[datetime | None]

    place: Mapped[Place] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class UnitMember(Base):
    """An officer who works a unit's queue and answers its summonses."""

    __tablename__ = "unit_members"

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined")
    user: Mapped[User] = relationship(lazy="joined")
