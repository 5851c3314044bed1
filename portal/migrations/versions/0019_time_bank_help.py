"""time bank help: the elderly residents the time bank serves, and their requests for help

A request is paid in hours when a coordinator confirms it done: from the elder's own stored
hours, or from the community's pool for priority elderly.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 19:08:38.171622
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "time_bank_elders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("real_name", sa.String(length=30), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("lives_alone", sa.Boolean(), nullable=False),
        sa.Column("low_income", sa.Boolean(), nullable=False),
        sa.Column("has_disability", sa.Boolean(), nullable=False),
        sa.Column("id_card_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registered_by_id", sa.Integer(), nullable=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("priority", sa.Boolean(), nullable=False),
        sa.Column("priority_reason", sa.Text(), nullable=True),
        sa.Column("priority_set_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("priority_set_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"], ["places.id"], name=op.f("fk_time_bank_elders_community_id_places")
        ),
        sa.ForeignKeyConstraint(
            ["priority_set_by_id"],
            ["users.id"],
            name=op.f("fk_time_bank_elders_priority_set_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["registered_by_id"],
            ["users.id"],
            name=op.f("fk_time_bank_elders_registered_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_time_bank_elders_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_bank_elders")),
        sa.UniqueConstraint("user_id", name=op.f("uq_time_bank_elders_user_id")),
    )
    op.create_index(
        "ix_time_bank_elders_community_id_id",
        "time_bank_elders",
        ["community_id", "id"],
        unique=False,
    )

    op.create_table(
        "time_bank_help_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("service_kind_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column(
            "payer",
            sa.Enum("own", "pool", name="helppayer", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "asked",
                "matched",
                "done",
                "cancelled",
                name="helpstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("asked_by_id", sa.Integer(), nullable=True),
        sa.Column("volunteer_id", sa.Integer(), nullable=True),
        sa.Column("matched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("matched_by_id", sa.Integer(), nullable=True),
        sa.Column("done_minutes", sa.Integer(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("transfer_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by_id", sa.Integer(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "done_minutes IS NULL OR (done_minutes > 0 AND done_minutes % 30 = 0)",
            name=op.f("ck_time_bank_help_requests_done_in_half_hours"),
        ),
        sa.CheckConstraint(
            "minutes > 0 AND minutes % 30 = 0",
            name=op.f("ck_time_bank_help_requests_minutes_in_half_hours"),
        ),
        sa.ForeignKeyConstraint(
            ["asked_by_id"], ["users.id"], name=op.f("fk_time_bank_help_requests_asked_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["cancelled_by_id"],
            ["users.id"],
            name=op.f("fk_time_bank_help_requests_cancelled_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["places.id"],
            name=op.f("fk_time_bank_help_requests_community_id_places"),
        ),
        sa.ForeignKeyConstraint(
            ["done_by_id"], ["users.id"], name=op.f("fk_time_bank_help_requests_done_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["elder_id"],
            ["time_bank_elders.id"],
            name=op.f("fk_time_bank_help_requests_elder_id_time_bank_elders"),
        ),
        sa.ForeignKeyConstraint(
            ["matched_by_id"],
            ["users.id"],
            name=op.f("fk_time_bank_help_requests_matched_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["service_kind_id"],
            ["volunteer_service_kinds.id"],
            name=op.f("fk_time_bank_help_requests_service_kind_id_volunteer_service_kinds"),
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["ledger_transfers.id"],
            name=op.f("fk_time_bank_help_requests_transfer_id_ledger_transfers"),
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteers.id"],
            name=op.f("fk_time_bank_help_requests_volunteer_id_volunteers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_bank_help_requests")),
    )
    op.create_index(
        "ix_time_bank_help_requests_community_id_state_id",
        "time_bank_help_requests",
        ["community_id", "state", "id"],
        unique=False,
    )
    op.create_index(
        "ix_time_bank_help_requests_elder_id_id",
        "time_bank_help_requests",
        ["elder_id", "id"],
        unique=False,
    )
    op.create_index(
        "ix_time_bank_help_requests_volunteer_id_id",
        "time_bank_help_requests",
        ["volunteer_id", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        "ix_time_bank_help_requests_volunteer_id_id", table_name="time_bank_help_requests"
    )
    op.drop_index("ix_time_bank_help_requests_elder_id_id", table_name="time_bank_help_requests")
    op.drop_index(
        "ix_time_bank_help_requests_community_id_state_id", table_name="time_bank_help_requests"
    )

    op.drop_table("time_bank_help_requests")
    op.drop_index("ix_time_bank_elders_community_id_id", table_name="time_bank_elders")

    op.drop_table("time_bank_elders")
