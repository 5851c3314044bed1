"""volunteering: volunteers (one per ID number), kinds of service, activities and sign-ups

The kinds of service start as the eight of Beijing's plan; administrators change the list.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 18:48:02.265844
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "volunteer_service_kinds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name_zh", sa.String(length=20), nullable=False),
        sa.Column("name_en", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_service_kinds")),
        sa.UniqueConstraint("code", name=op.f("uq_volunteer_service_kinds_code")),
    )
    op.create_table(
        "volunteer_activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=60), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("service_kind_id", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=100), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("seats_taken", sa.Integer(), nullable=False),
        sa.Column("worth_minutes", sa.Integer(), nullable=False),
        sa.Column("serves_elderly", sa.Boolean(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("published", "cancelled", name="activitystate", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("check_in_secret", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "ends_at > starts_at", name=op.f("ck_volunteer_activities_ends_after_start")
        ),
        sa.CheckConstraint("seats > 0", name=op.f("ck_volunteer_activities_seats_positive")),
        sa.CheckConstraint(
            "seats_taken >= 0 AND seats_taken <= seats",
            name=op.f("ck_volunteer_activities_seats_not_oversold"),
        ),
        sa.CheckConstraint(
            "worth_minutes > 0", name=op.f("ck_volunteer_activities_worth_positive")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["places.id"],
            name=op.f("fk_volunteer_activities_community_id_places"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_volunteer_activities_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["service_kind_id"],
            ["volunteer_service_kinds.id"],
            name=op.f("fk_volunteer_activities_service_kind_id_volunteer_service_kinds"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_activities")),
    )
    op.create_index(
        "ix_volunteer_activities_community_id_starts_at",
        "volunteer_activities",
        ["community_id", "starts_at"],
        unique=False,
    )
    op.create_index(
        "ix_volunteer_activities_starts_at", "volunteer_activities", ["starts_at"], unique=False
    )

    op.create_table(
        "volunteers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("real_name", sa.String(length=30), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("id_number_hash", sa.String(length=64), nullable=False),
        sa.Column("id_consent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("guardian_name", sa.String(length=30), nullable=True),
        sa.Column("guardian_phone", sa.String(length=11), nullable=True),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "applied",
                "approved",
                "declined",
                name="volunteerstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"], ["places.id"], name=op.f("fk_volunteers_community_id_places")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_volunteers_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_volunteers_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteers")),
        sa.UniqueConstraint("id_number_hash", name=op.f("uq_volunteers_id_number_hash")),
        sa.UniqueConstraint("user_id", name=op.f("uq_volunteers_user_id")),
    )
    op.create_index(
        "ix_volunteers_community_id_state_id",
        "volunteers",
        ["community_id", "state", "id"],
        unique=False,
    )

    op.create_table(
        "volunteer_sign_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "seated", "waiting", "cancelled", name="signupstate", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("signed_up_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_in_by_id", sa.Integer(), nullable=True),
        sa.Column("checked_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_out_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_minutes", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("correction_reason", sa.Text(), nullable=True),
        sa.Column("recorded_by_hand", sa.Boolean(), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmations", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["volunteer_activities.id"],
            name=op.f("fk_volunteer_sign_ups_activity_id_volunteer_activities"),
        ),
        sa.ForeignKeyConstraint(
            ["checked_in_by_id"],
            ["users.id"],
            name=op.f("fk_volunteer_sign_ups_checked_in_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["checked_out_by_id"],
            ["users.id"],
            name=op.f("fk_volunteer_sign_ups_checked_out_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["users.id"],
            name=op.f("fk_volunteer_sign_ups_confirmed_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteers.id"],
            name=op.f("fk_volunteer_sign_ups_volunteer_id_volunteers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_sign_ups")),
        sa.UniqueConstraint(
            "activity_id", "volunteer_id", name=op.f("uq_volunteer_sign_ups_activity_id")
        ),
    )
    op.create_index(
        "ix_volunteer_sign_ups_activity_id_state_id",
        "volunteer_sign_ups",
        ["activity_id", "state", "id"],
        unique=False,
    )
    op.create_index(
        "ix_volunteer_sign_ups_volunteer_id_id",
        "volunteer_sign_ups",
        ["volunteer_id", "id"],
        unique=False,
    )
    kinds = sa.table(
        "volunteer_service_kinds",
        sa.column("code", sa.String),
        sa.column("name_zh", sa.String),
        sa.column("name_en", sa.String),
        sa.column("position", sa.Integer),
    )
    op.bulk_insert(
        kinds,
        [
            {"code": code, "name_zh": zh, "name_en": en, "position": position}
            for position, (code, zh, en) in enumerate(SERVICE_KINDS)
        ],
    )


SERVICE_KINDS = [
    ("meals", "助餐", "Meals"),
    ("cleaning", "助洁", "Cleaning"),
    ("company", "陪伴", "Company"),
    ("medical", "助医", "Doctor's visits"),
    ("culture", "文体", "Culture and sport"),
    ("patrol", "安全巡查", "Safety patrol"),
    ("environment", "环境", "Environment"),
    ("other", "其他", "Other"),
]


def downgrade() -> None:
    op.drop_index("ix_volunteer_sign_ups_volunteer_id_id", table_name="volunteer_sign_ups")
    op.drop_index("ix_volunteer_sign_ups_activity_id_state_id", table_name="volunteer_sign_ups")

    op.drop_table("volunteer_sign_ups")
    op.drop_index("ix_volunteers_community_id_state_id", table_name="volunteers")

    op.drop_table("volunteers")
    op.drop_index("ix_volunteer_activities_starts_at", table_name="volunteer_activities")
    op.drop_index(
        "ix_volunteer_activities_community_id_starts_at", table_name="volunteer_activities"
    )

    op.drop_table("volunteer_activities")
    op.drop_table("volunteer_service_kinds")
