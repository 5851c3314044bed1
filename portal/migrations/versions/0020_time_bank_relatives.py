"""time bank relatives: the spouse, parents and grandparents volunteers give stored hours to

A volunteer declares a relative by name and mobile number; a coordinator of their community
confirms (recording the document seen) or refuses it with a reason.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "time_bank_relatives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "kinship",
            sa.Enum(
                "spouse", "parent", "grandparent", name="kinship", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "declared",
                "confirmed",
                "refused",
                name="relativestate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "evidence",
            sa.Enum(
                "household_register", "certificate", name="evidence", native_enum=False, length=32
            ),
            nullable=True,
        ),
        sa.Column("refuse_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_time_bank_relatives_decided_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_time_bank_relatives_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteers.id"],
            name=op.f("fk_time_bank_relatives_volunteer_id_volunteers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_bank_relatives")),
        sa.UniqueConstraint(
            "volunteer_id", "user_id", name=op.f("uq_time_bank_relatives_volunteer_id")
        ),
    )
    op.create_index(
        "ix_time_bank_relatives_state_id", "time_bank_relatives", ["state", "id"], unique=False
    )
    op.create_index(
        "ix_time_bank_relatives_user_id", "time_bank_relatives", ["user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_time_bank_relatives_user_id", table_name="time_bank_relatives")
    op.drop_index("ix_time_bank_relatives_state_id", table_name="time_bank_relatives")
    op.drop_table("time_bank_relatives")
