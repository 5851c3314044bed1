"""time bank family members: relatives who ask for help on an older resident's behalf

A coordinator adds them in person, once the elder agreed; removing one keeps the row. The
requests a family member made are found by who asked.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = sa.text("removed_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "time_bank_family_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column(
            "tie",
            sa.Enum(
                "parent",
                "parent_in_law",
                "grandparent",
                "spouse",
                "sibling",
                "other",
                name="familytie",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("elder_agreed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["users.id"],
            name=op.f("fk_time_bank_family_members_added_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["elder_id"],
            ["time_bank_elders.id"],
            name=op.f("fk_time_bank_family_members_elder_id_time_bank_elders"),
        ),
        sa.ForeignKeyConstraint(
            ["removed_by_id"],
            ["users.id"],
            name=op.f("fk_time_bank_family_members_removed_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_time_bank_family_members_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_bank_family_members")),
    )
    op.create_index(
        "ix_time_bank_family_members_elder_id_id",
        "time_bank_family_members",
        ["elder_id", "id"],
        unique=False,
    )
    op.create_index(
        "ux_time_bank_family_members_user_id_elder_id_active",
        "time_bank_family_members",
        ["user_id", "elder_id"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )
    op.create_index(
        "ix_time_bank_help_requests_asked_by_id_id",
        "time_bank_help_requests",
        ["asked_by_id", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_time_bank_help_requests_asked_by_id_id", table_name="time_bank_help_requests")
    op.drop_index(
        "ux_time_bank_family_members_user_id_elder_id_active",
        table_name="time_bank_family_members",
    )
    op.drop_index("ix_time_bank_family_members_elder_id_id", table_name="time_bank_family_members")
    op.drop_table("time_bank_family_members")
