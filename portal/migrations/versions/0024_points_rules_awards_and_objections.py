"""grid points: a district's earning rules, awards for listed deeds, objections during notice

Awards needing review wait for a coordinator, then stand on the community's public notice
(公示) before the worker credits them; refused awards and decided objections are kept.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04 22:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "points_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("name_zh", sa.String(length=30), nullable=False),
        sa.Column("name_en", sa.String(length=60), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.Column("per_day", sa.Integer(), nullable=True),
        sa.Column("per_month", sa.Integer(), nullable=True),
        sa.Column("per_year", sa.Integer(), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(per_day IS NULL OR per_day > 0) AND (per_month IS NULL OR per_month > 0) AND (per_year IS NULL OR per_year > 0)",
            name=op.f("ck_points_rules_limits_positive"),
        ),
        sa.CheckConstraint("points > 0", name=op.f("ck_points_rules_earns_something")),
        sa.ForeignKeyConstraint(
            ["district_id"], ["places.id"], name=op.f("fk_points_rules_district_id_places")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_rules")),
    )
    with op.batch_alter_table("points_rules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_points_rules_district_id"), ["district_id"], unique=False
        )

    op.create_table(
        "points_awards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "reviewing",
                "notice",
                "credited",
                "rejected",
                name="awardstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rejection", sa.String(length=200), nullable=True),
        sa.Column("notice_ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("credited_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("points > 0", name=op.f("ck_points_awards_awards_something")),
        sa.ForeignKeyConstraint(
            ["community_id"], ["places.id"], name=op.f("fk_points_awards_community_id_places")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"], ["users.id"], name=op.f("fk_points_awards_proposed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"], ["users.id"], name=op.f("fk_points_awards_reviewed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["points_rules.id"], name=op.f("fk_points_awards_rule_id_points_rules")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_points_awards_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_awards")),
    )
    with op.batch_alter_table("points_awards", schema=None) as batch_op:
        batch_op.create_index(
            "ix_points_awards_community_id_state_id", ["community_id", "state", "id"], unique=False
        )
        batch_op.create_index(
            "ix_points_awards_notice_ends_at",
            ["notice_ends_at"],
            unique=False,
            sqlite_where=sa.text("state = 'notice'"),
            postgresql_where=sa.text("state = 'notice'"),
        )
        batch_op.create_index(
            "ix_points_awards_user_id_rule_id_created_at",
            ["user_id", "rule_id", "created_at"],
            unique=False,
        )

    op.create_table(
        "points_objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("upheld", sa.Boolean(), nullable=True),
        sa.Column("decision", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["award_id"],
            ["points_awards.id"],
            name=op.f("fk_points_objections_award_id_points_awards"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_points_objections_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_points_objections_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_objections")),
    )
    with op.batch_alter_table("points_objections", schema=None) as batch_op:
        batch_op.create_index(
            "ix_points_objections_award_id_decided_at", ["award_id", "decided_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("points_objections", schema=None) as batch_op:
        batch_op.drop_index("ix_points_objections_award_id_decided_at")

    op.drop_table("points_objections")
    with op.batch_alter_table("points_awards", schema=None) as batch_op:
        batch_op.drop_index("ix_points_awards_user_id_rule_id_created_at")
        batch_op.drop_index(
            "ix_points_awards_notice_ends_at",
            sqlite_where=sa.text("state = 'notice'"),
            postgresql_where=sa.text("state = 'notice'"),
        )
        batch_op.drop_index("ix_points_awards_community_id_state_id")

    op.drop_table("points_awards")
    with op.batch_alter_table("points_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_points_rules_district_id"))

    op.drop_table("points_rules")
