"""Grid points' rows: a district's earning rules, awards for a listed deed, and objections
lodged during an award's public notice (公示).

Nothing here is deleted: a rule is retired, a refused award is kept with its reason, and an
objection with its decision.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.db import Base, enum_column, utcnow
from portal.places.models import Place

NAME_ZH_MAX, NAME_EN_MAX, REASON_MAX = 30, 60, 200


class PointsRule(Base):
    """What a deed earns in a district, and how often one person may earn it."""

    __tablename__ = "points_rules"
    __table_args__ = (
        CheckConstraint("points > 0", name="earns_something"),
        CheckConstraint(
            "(per_day IS NULL OR per_day > 0) AND (per_month IS NULL OR per_month > 0)"
            " AND (per_year IS NULL OR per_year > 0)",
            name="limits_positive",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("places.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(NAME_ZH_MAX))
    name_en: Mapped[str] = mapped_column(String(NAME_EN_MAX))
    points: Mapped[int]
    # Reviewed by a coordinator and shown on the public notice before it is credited.
    needs_review: Mapped[bool] = mapped_column(default=False)
    # The most awards of this rule one person may have in a day, month, year (None: no limit).
    per_day: Mapped[int | None]
    per_month: Mapped[int | None]
    per_year: Mapped[int | None]
    retired_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    district: Mapped[Place] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<PointsRule {self.id} {self.name_zh} +{self.points}>"


class AwardState(StrEnum):
    # Waiting for a coordinator other than the proposer.
    REVIEWING = "reviewing"
    # Approved and on the community's public notice until notice_ends_at.
    NOTICE = "notice"
    CREDITED = "credited"
    # Refused at review, or on an upheld objection: kept with the reason.
    REJECTED = "rejected"


# States that count towards a rule's limits: all but a refused award.
COUNTED = (AwardState.REVIEWING, AwardState.NOTICE, AwardState.CREDITED)
ON_NOTICE = text("state = 'notice'")


class PointsAward(Base):
    """Points for a listed deed, given by a coordinator to a resident of their community."""

    __tablename__ = "points_awards"
    __table_args__ = (
        # A rule's limits count one person's awards of the rule in a day, month or year.
        Index("ix_points_awards_user_id_rule_id_created_at", "user_id", "rule_id", "created_at"),
        # A community's queues: awards to review, on notice, and the public page.
        Index("ix_points_awards_community_id_state_id", "community_id", "state", "id"),
        # The worker's sweep of notices that have ended.
        Index(
            "ix_points_awards_notice_ends_at",
            "notice_ends_at",
            sqlite_where=ON_NOTICE,
            postgresql_where=ON_NOTICE,
        ),
        CheckConstraint("points > 0", name="awards_something"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("points_rules.id"))
    community_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The rule's points when it was awarded: a rule changed later does not change an award.
    points: Mapped[int]
    reason: Mapped[str] = mapped_column(String(REASON_MAX))
    state: Mapped[AwardState] = mapped_column(enum_column(AwardState))
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    # Why it was refused (at review or on an objection).
    rejection: Mapped[str | None] = mapped_column(String(REASON_MAX))
    notice_ends_at: Mapped[datetime | None]
    credited_at: Mapped[datetime | None]

    rule: Mapped[PointsRule] = relationship(lazy="joined")
    community: Mapped[Place] = relationship(lazy="joined")
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def __repr__(self) -> str:
        return f"<PointsAward {self.id} {self.state} +{self.points} to user {self.user_id}>"


class PointsObjection(Base):
    """A neighbour's objection to an award on notice, and the coordinator's decision."""

    __tablename__ = "points_objections"
    __table_args__ = (Index("ix_points_objections_award_id_decided_at", "award_id", "decided_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("points_awards.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(REASON_MAX))
    created_at: Mapped[datetime]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    # True: the award was refused; False: dismissed, the award stands.
    upheld: Mapped[bool | None]
    decision: Mapped[str | None] = mapped_column(String(REASON_MAX))

    award: Mapped[PointsAward] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<PointsObjection {self.id} on award {self.award_id}>"
