"""working days: holidays and make-up working days entered by administrators

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 13:20:13.501393
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workday_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["users.id"], name=op.f("fk_workday_years_entered_by_id_users")
        ),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_workday_years")),
    )
    op.create_table(
        "workday_entries",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("holiday", "workday", name="daykind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("name_zh", sa.String(length=20), nullable=False),
        sa.Column("name_en", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(
            ["year"],
            ["workday_years.year"],
            name=op.f("fk_workday_entries_year_workday_years"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_workday_entries")),
    )
    with op.batch_alter_table("workday_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workday_entries_year"), ["year"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("workday_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workday_entries_year"))

    op.drop_table("workday_entries")
    op.drop_table("workday_years")
