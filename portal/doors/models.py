"""How often each building's door code is scanned, per day. Nothing about who scanned it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base


class BuildingScan(Base):
    __tablename__ = "building_scans"

    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), primary_key=True)
    # The day in Asia/Shanghai, as the district counts its days.
    day: Mapped[date] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
