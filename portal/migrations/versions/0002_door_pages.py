"""door pages: public contacts of places, retired buildings, scan counts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 01:34:57.725101
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "building_scans",
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["building_id"], ["buildings.id"], name=op.f("fk_building_scans_building_id_buildings")
        ),
        sa.PrimaryKeyConstraint("building_id", "day", name=op.f("pk_building_scans")),
    )
    with op.batch_alter_table("buildings") as batch_op:
        batch_op.add_column(sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
    # Existing places get empty contacts; the server default fills the rows already there.
    with op.batch_alter_table("places") as batch_op:
        batch_op.add_column(
            sa.Column("phone", sa.String(length=20), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("service_hours_zh", sa.String(length=100), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("service_hours_en", sa.String(length=200), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("places") as batch_op:
        batch_op.drop_column("service_hours_en")
        batch_op.drop_column("service_hours_zh")
        batch_op.drop_column("phone")
    with op.batch_alter_table("buildings") as batch_op:
        batch_op.drop_column("retired_at")
    op.drop_table("building_scans")
