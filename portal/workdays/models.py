"""The years of holidays and make-up working days that administrators entered themselves."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.db import Base, enum_column
from portal.workdays.days import DayKind


class WorkdayYear(Base):
    """A year whose arrangement administrators entered: for it their days are the calendar,
    whatever chinese-calendar says."""

    __tablename__ = "workday_years"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # None when entered on the command line.
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime]

    entered_by: Mapped[User | None] = relationship(lazy="joined")
    days: Mapped[list[WorkdayEntry]] = relationship(
        back_populates="entered_year", cascade="all, delete-orphan", order_by="WorkdayEntry.day"
    )


class WorkdayEntry(Base):
    """A day off or a make-up working day of an entered year; its other days follow the
    weekends."""

    __tablename__ = "workday_entries"

    day: Mapped[date] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(
        ForeignKey("workday_years.year", ondelete="CASCADE"), index=True
    )
    kind: Mapped[DayKind] = mapped_column(enum_column(DayKind))
    name_zh: Mapped[str] = mapped_column(String(20), default="")
    name_en: Mapped[str] = mapped_column(String(50), default="")

    entered_year: Mapped[WorkdayYear] = relationship(back_populates="days")
