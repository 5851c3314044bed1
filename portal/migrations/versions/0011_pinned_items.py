"""pinned items: the kinds of problem each district puts first on the report form

A district with no rows shows the starting list (catalogue/data.py PINNED); the new kind
楼道灯不亮 it names is added by `seed_catalogue`, as every kind of the starting catalogue.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 14:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pinned_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"], ["places.id"], name=op.f("fk_pinned_items_district_id_places")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["catalogue_items.id"],
            name=op.f("fk_pinned_items_item_id_catalogue_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pinned_items")),
        sa.UniqueConstraint("district_id", "item_id", name=op.f("uq_pinned_items_district_id")),
    )
    with op.batch_alter_table("pinned_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pinned_items_district_id"), ["district_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("pinned_items")
