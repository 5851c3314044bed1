"""Grid points' rows: a district's earning rules, awards (for a listed deed or from a built-in
source), objections lodged during an award's public notice (公示), the ranking's tallies, and
the points shop's rewards, orders and "notify me" wishes.

Nothing here is deleted: a rule or reward is retired, a refused award is kept with its reason,
an objection with its decision, and a cancelled order with its refund.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.db import Base, enum_column, utcnow
from portal.places.models import Place
from portal.uploads.models import Upload

NAME_ZH_MAX, NAME_EN_MAX, REASON_MAX = 30, 60, 200
ABOUT_ZH_MAX, ABOUT_EN_MAX = 200, 400


class PointsSource(StrEnum):
    """Where a rule's points come from."""

    # A coordinator awards a listed deed, with a reason.
    DEED = "deed"
    # Volunteer service hours confirmed in the time bank: the rule's points are per hour.
    VOLUNTEER_HOURS = "volunteer_hours"
    # An appeal closed rated 满意 or 基本满意, to the account whose verified phone filed it.
    APPEAL_RATED = "appeal_rated"
    # A secretary meeting (书记在线) attended, as its host marked it.
    MEETING_ATTENDED = "meeting_attended"
    # A legal service day (遇8有约) attended, as its host marked it.
    LEGAL_DAY_ATTENDED = "legal_day_attended"


BUILT_IN = text("source <> 'deed' AND retired_at IS NULL")


class PointsRule(Base):
    """What a deed earns in a district, and how often one person may earn it.

    A rule of a built-in source (not DEED) is applied by the portal when its cause happens; a
    district has at most one such rule in force per source."""

    __tablename__ = "points_rules"
    __table_args__ = (
        Index(
            "uq_points_rules_district_id_source",
            "district_id",
            "source",
            unique=True,
            sqlite_where=BUILT_IN,
            postgresql_where=BUILT_IN,
        ),
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
    source: Mapped[PointsSource] = mapped_column(
        enum_column(PointsSource), default=PointsSource.DEED, server_default="deed"
    )
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
    # The grid the deed was done in, when it is known (an appeal's door, a chosen grid): the
    # grid's ranking counts it too.
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # What a built-in source awarded for ("appeal:42", "service:17"): at most one award each.
    source_key: Mapped[str | None] = mapped_column(String(60), unique=True)
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
    community: Mapped[Place] = relationship(lazy="joined", foreign_keys=[community_id])
    grid: Mapped[Place | None] = relationship(foreign_keys=[grid_id])
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


class PointsTally(Base):
    """The points credited to one person in one place (a community or a grid) in one period
    (a Shanghai month "2026-12" or year "2026"), added to as awards are credited: the ranking
    reads these rows, in the order of an index, instead of summing every award each time."""

    __tablename__ = "points_tallies"
    __table_args__ = (
        # A ranking: one place's period, most points first.
        Index("ix_points_tallies_place_id_period_points", "place_id", "period", "points"),
        CheckConstraint("points > 0", name="counts_something"),
    )

    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    points: Mapped[int]

    def __repr__(self) -> str:
        return f"<PointsTally {self.place_id} {self.period} user {self.user_id}: {self.points}>"


class RankingExit(Base):
    """A resident who left the public ranking: their points are unchanged, their name is not
    listed. Deleted when they return."""

    __tablename__ = "points_ranking_exits"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    left_at: Mapped[datetime]


class RewardKind(StrEnum):
    GOODS = "goods"  # 实物: rice, oil, a towel
    SERVICE = "service"  # 服务: a haircut, an hour of parking


LISTED = text("retired_at IS NULL")


class Reward(Base):
    """Something a community's points shop (积分超市) offers, for a price in points."""

    __tablename__ = "points_rewards"
    __table_args__ = (
        # A community's shop, as listed.
        Index(
            "ix_points_rewards_community_id_id",
            "community_id",
            "id",
            sqlite_where=LISTED,
            postgresql_where=LISTED,
        ),
        CheckConstraint("price > 0", name="costs_something"),
        # The database's own guarantee that an order never takes stock that is not there.
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("per_person IS NULL OR per_person > 0", name="per_person_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    kind: Mapped[RewardKind] = mapped_column(enum_column(RewardKind))
    name_zh: Mapped[str] = mapped_column(String(NAME_ZH_MAX))
    name_en: Mapped[str] = mapped_column(String(NAME_EN_MAX))
    about_zh: Mapped[str] = mapped_column(String(ABOUT_ZH_MAX), default="")
    about_en: Mapped[str] = mapped_column(String(ABOUT_EN_MAX), default="")
    price: Mapped[int]
    stock: Mapped[int]
    # The most one person may order of it, ever (None: no limit but the stock).
    per_person: Mapped[int | None]
    picture_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"))
    # Where it is picked up, and when: "社区服务中心一楼, 工作日 9:00–17:00".
    pickup_zh: Mapped[str] = mapped_column(String(ABOUT_ZH_MAX))
    pickup_en: Mapped[str] = mapped_column(String(ABOUT_EN_MAX))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]

    community: Mapped[Place] = relationship(lazy="joined")
    picture: Mapped[Upload | None] = relationship()

    def __repr__(self) -> str:
        return f"<Reward {self.id} {self.name_zh} {self.price} points, {self.stock} left>"


class OrderState(StrEnum):
    # Paid for, waiting to be picked up with its code.
    PLACED = "placed"
    # Handed over by a coordinator who checked the code.
    COLLECTED = "collected"
    # Cancelled (by the resident, or uncollected in time): points refunded, stock returned.
    CANCELLED = "cancelled"


WAITING = text("state = 'placed'")


class RewardOrder(Base):
    """A resident's order of a reward: paid in points when placed, picked up by its code."""

    __tablename__ = "points_orders"
    __table_args__ = (
        # A resident's orders, newest first; and how many of a reward they have had.
        Index("ix_points_orders_user_id_id", "user_id", "id"),
        Index("ix_points_orders_reward_id_user_id", "reward_id", "user_id"),
        # The worker's sweep of orders not picked up in time.
        Index(
            "ix_points_orders_collect_by",
            "collect_by",
            sqlite_where=WAITING,
            postgresql_where=WAITING,
        ),
        CheckConstraint("price > 0", name="costs_something"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reward_id: Mapped[int] = mapped_column(ForeignKey("points_rewards.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The price paid: a reward repriced later does not change an order, nor its refund.
    price: Mapped[int]
    state: Mapped[OrderState] = mapped_column(enum_column(OrderState))
    # What the resident shows (or its QR) and the coordinator types or scans to hand it over.
    code: Mapped[str] = mapped_column(String(12), unique=True)
    created_at: Mapped[datetime]
    # Picked up by the end of this, or cancelled and refunded.
    collect_by: Mapped[datetime]
    collected_at: Mapped[datetime | None]
    handed_over_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None]

    reward: Mapped[Reward] = relationship(lazy="joined")
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def __repr__(self) -> str:
        return f"<RewardOrder {self.id} {self.state} of reward {self.reward_id}>"


UNTOLD = text("notified_at IS NULL")


class RestockWish(Base):
    """A resident's "notify me" on a reward out of stock: texted once when stock returns."""

    __tablename__ = "points_restock_wishes"
    __table_args__ = (
        # One waiting wish per resident and reward; told wishes are kept, and a new one may
        # follow the next time it runs out.
        Index(
            "uq_points_restock_wishes_reward_id_user_id",
            "reward_id",
            "user_id",
            unique=True,
            sqlite_where=UNTOLD,
            postgresql_where=UNTOLD,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reward_id: Mapped[int] = mapped_column(ForeignKey("points_rewards.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    notified_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<RestockWish reward {self.reward_id} user {self.user_id}>"
