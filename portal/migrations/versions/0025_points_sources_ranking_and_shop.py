"""grid points: built-in sources, the ranking's tallies, and the points shop

Rules gain a source (a listed deed, or one the portal applies: confirmed volunteer hours, a
well-rated appeal, a meeting or legal service day attended) and awards the grid and the cause
they were earned for, once each. Tallies keep each person's points per place and period for the
ranking; residents may leave it. The shop keeps rewards with their stock, orders with their
pick-up codes, and "notify me" wishes.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 01:13:58.892797
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "points_ranking_exits",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_points_ranking_exits_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_points_ranking_exits")),
    )
    op.create_table(
        "points_rewards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("goods", "service", name="rewardkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("name_zh", sa.String(length=30), nullable=False),
        sa.Column("name_en", sa.String(length=60), nullable=False),
        sa.Column("about_zh", sa.String(length=200), nullable=False),
        sa.Column("about_en", sa.String(length=400), nullable=False),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("per_person", sa.Integer(), nullable=True),
        sa.Column("picture_id", sa.Integer(), nullable=True),
        sa.Column("pickup_zh", sa.String(length=200), nullable=False),
        sa.Column("pickup_en", sa.String(length=400), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "per_person IS NULL OR per_person > 0",
            name=op.f("ck_points_rewards_per_person_positive"),
        ),
        sa.CheckConstraint("price > 0", name=op.f("ck_points_rewards_costs_something")),
        sa.CheckConstraint("stock >= 0", name=op.f("ck_points_rewards_stock_not_negative")),
        sa.ForeignKeyConstraint(
            ["community_id"], ["places.id"], name=op.f("fk_points_rewards_community_id_places")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_points_rewards_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["picture_id"], ["uploads.id"], name=op.f("fk_points_rewards_picture_id_uploads")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_rewards")),
    )
    with op.batch_alter_table("points_rewards", schema=None) as batch_op:
        batch_op.create_index(
            "ix_points_rewards_community_id_id",
            ["community_id", "id"],
            unique=False,
            sqlite_where=sa.text("retired_at IS NULL"),
            postgresql_where=sa.text("retired_at IS NULL"),
        )

    op.create_table(
        "points_tallies",
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.CheckConstraint("points > 0", name=op.f("ck_points_tallies_counts_something")),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_points_tallies_place_id_places")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_points_tallies_user_id_users")
        ),
        sa.PrimaryKeyConstraint("place_id", "period", "user_id", name=op.f("pk_points_tallies")),
    )
    with op.batch_alter_table("points_tallies", schema=None) as batch_op:
        batch_op.create_index(
            "ix_points_tallies_place_id_period_points",
            ["place_id", "period", "points"],
            unique=False,
        )

    op.create_table(
        "points_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reward_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "placed", "collected", "cancelled", name="orderstate", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("collect_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handed_over_by_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("price > 0", name=op.f("ck_points_orders_costs_something")),
        sa.ForeignKeyConstraint(
            ["handed_over_by_id"],
            ["users.id"],
            name=op.f("fk_points_orders_handed_over_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["reward_id"],
            ["points_rewards.id"],
            name=op.f("fk_points_orders_reward_id_points_rewards"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_points_orders_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_orders")),
        sa.UniqueConstraint("code", name=op.f("uq_points_orders_code")),
    )
    with op.batch_alter_table("points_orders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_points_orders_collect_by",
            ["collect_by"],
            unique=False,
            sqlite_where=sa.text("state = 'placed'"),
            postgresql_where=sa.text("state = 'placed'"),
        )
        batch_op.create_index(
            "ix_points_orders_reward_id_user_id", ["reward_id", "user_id"], unique=False
        )
        batch_op.create_index("ix_points_orders_user_id_id", ["user_id", "id"], unique=False)

    op.create_table(
        "points_restock_wishes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reward_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["reward_id"],
            ["points_rewards.id"],
            name=op.f("fk_points_restock_wishes_reward_id_points_rewards"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_points_restock_wishes_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_restock_wishes")),
    )
    with op.batch_alter_table("points_restock_wishes", schema=None) as batch_op:
        batch_op.create_index(
            "uq_points_restock_wishes_reward_id_user_id",
            ["reward_id", "user_id"],
            unique=True,
            sqlite_where=sa.text("notified_at IS NULL"),
            postgresql_where=sa.text("notified_at IS NULL"),
        )

    with op.batch_alter_table("points_awards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("grid_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("source_key", sa.String(length=60), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_points_awards_source_key"), ["source_key"])
        batch_op.create_foreign_key(
            batch_op.f("fk_points_awards_grid_id_places"), "places", ["grid_id"], ["id"]
        )

    with op.batch_alter_table("points_rules", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "source",
                sa.Enum(
                    "deed",
                    "volunteer_hours",
                    "appeal_rated",
                    "meeting_attended",
                    "legal_day_attended",
                    name="pointssource",
                    native_enum=False,
                    length=32,
                ),
                server_default="deed",
                nullable=False,
            )
        )
        batch_op.create_index(
            "uq_points_rules_district_id_source",
            ["district_id", "source"],
            unique=True,
            sqlite_where=sa.text("source <> 'deed' AND retired_at IS NULL"),
            postgresql_where=sa.text("source <> 'deed' AND retired_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("points_rules", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_points_rules_district_id_source",
            sqlite_where=sa.text("source <> 'deed' AND retired_at IS NULL"),
            postgresql_where=sa.text("source <> 'deed' AND retired_at IS NULL"),
        )
        batch_op.drop_column("source")

    with op.batch_alter_table("points_awards", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_points_awards_grid_id_places"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_points_awards_source_key"), type_="unique")
        batch_op.drop_column("source_key")
        batch_op.drop_column("grid_id")

    with op.batch_alter_table("points_restock_wishes", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_points_restock_wishes_reward_id_user_id",
            sqlite_where=sa.text("notified_at IS NULL"),
            postgresql_where=sa.text("notified_at IS NULL"),
        )

    op.drop_table("points_restock_wishes")
    with op.batch_alter_table("points_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_points_orders_user_id_id")
        batch_op.drop_index("ix_points_orders_reward_id_user_id")
        batch_op.drop_index(
            "ix_points_orders_collect_by",
            sqlite_where=sa.text("state = 'placed'"),
            postgresql_where=sa.text("state = 'placed'"),
        )

    op.drop_table("points_orders")
    with op.batch_alter_table("points_tallies", schema=None) as batch_op:
        batch_op.drop_index("ix_points_tallies_place_id_period_points")

    op.drop_table("points_tallies")
    with op.batch_alter_table("points_rewards", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_points_rewards_community_id_id",
            sqlite_where=sa.text("retired_at IS NULL"),
            postgresql_where=sa.text("retired_at IS NULL"),
        )

    op.drop_table("points_rewards")
    op.drop_table("points_ranking_exits")
