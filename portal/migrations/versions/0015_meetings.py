"""meetings: hosts' schedules and days off, the host-day lock rows, bookings and their
timelines, 书记在线 requests and each community's online hours, and the request a report's
"talk to the secretary" became

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("meeting_reference", sa.String(length=12), nullable=True))
    op.create_table(
        "meeting_closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=True),
        sa.Column("end_time", sa.Time(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "last_day >= first_day", name=op.f("ck_meeting_closures_ends_after_it_starts")
        ),
        sa.ForeignKeyConstraint(
            ["host_id"], ["users.id"], name=op.f("fk_meeting_closures_host_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_closures")),
    )
    op.create_index(
        "ix_meeting_closures_host_id_last_day",
        "meeting_closures",
        ["host_id", "last_day"],
        unique=False,
    )
    op.create_table(
        "meeting_host_days",
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["host_id"], ["users.id"], name=op.f("fk_meeting_host_days_host_id_users")
        ),
        sa.PrimaryKeyConstraint("host_id", "day", name=op.f("pk_meeting_host_days")),
    )
    op.create_table(
        "meeting_online_hours",
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("weekly", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_meeting_online_hours_place_id_places")
        ),
        sa.PrimaryKeyConstraint("place_id", name=op.f("pk_meeting_online_hours")),
    )
    op.create_table(
        "meeting_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("secretary", "legal", name="meetingkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "venue",
            sa.Enum("centre", "phone", "either", name="venue", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("weekly", sa.JSON(), nullable=False),
        sa.Column("month_days", sa.JSON(), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("buffer_minutes", sa.Integer(), nullable=False),
        sa.Column("daily_cap", sa.Integer(), nullable=True),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("notice_minutes", sa.Integer(), nullable=False),
        sa.Column(
            "on_holiday",
            sa.Enum("move", "drop", name="holidayrule", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["host_id"], ["users.id"], name=op.f("fk_meeting_schedules_host_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_meeting_schedules_place_id_places")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_schedules")),
        sa.UniqueConstraint(
            "host_id", "place_id", "kind", name=op.f("uq_meeting_schedules_host_id")
        ),
    )
    op.create_index(
        "ix_meeting_schedules_place_id_kind",
        "meeting_schedules",
        ["place_id", "kind"],
        unique=False,
    )
    op.create_table(
        "meeting_bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=12), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("secretary", "legal", name="meetingkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "venue",
            sa.Enum("centre", "phone", "either", name="venue", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "booked",
                "held",
                "no_show",
                "cancelled",
                name="bookingstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(length=11), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("about", sa.Text(), nullable=False),
        sa.Column("locale", sa.String(length=20), nullable=False),
        sa.Column("walk_in", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.String(length=200), nullable=False),
        sa.Column("outcome_note", sa.String(length=200), nullable=False),
        sa.Column("reminded_day_before_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_hour_before_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["host_id"], ["users.id"], name=op.f("fk_meeting_bookings_host_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_meeting_bookings_place_id_places")
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["meeting_schedules.id"],
            name=op.f("fk_meeting_bookings_schedule_id_meeting_schedules"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_meeting_bookings_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_bookings")),
        sa.UniqueConstraint("reference", name=op.f("uq_meeting_bookings_reference")),
    )
    op.create_index(
        "ix_meeting_bookings_host_id_day", "meeting_bookings", ["host_id", "day"], unique=False
    )
    op.create_index(
        "ix_meeting_bookings_phone_starts_at",
        "meeting_bookings",
        ["phone", "starts_at"],
        unique=False,
    )
    op.create_index(
        "ix_meeting_bookings_starts_at", "meeting_bookings", ["starts_at"], unique=False
    )
    op.create_index(
        "ix_meeting_bookings_user_id_starts_at",
        "meeting_bookings",
        ["user_id", "starts_at"],
        unique=False,
    )
    op.create_index(
        "ux_meeting_bookings_host_id_starts_at_live",
        "meeting_bookings",
        ["host_id", "starts_at"],
        unique=True,
        sqlite_where=sa.text("cancelled_at IS NULL"),
        postgresql_where=sa.text("cancelled_at IS NULL"),
    )
    op.create_table(
        "meeting_booking_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "booked",
                "moved",
                "cancelled",
                "held",
                "no_show",
                "reminded",
                name="bookingeventkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_meeting_booking_events_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["meeting_bookings.id"],
            name=op.f("fk_meeting_booking_events_booking_id_meeting_bookings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_booking_events")),
    )
    op.create_index(
        "ix_meeting_booking_events_booking_id_at",
        "meeting_booking_events",
        ["booking_id", "at"],
        unique=False,
    )
    op.create_table(
        "meeting_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=12), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "waiting",
                "seen",
                "arranged",
                "withdrawn",
                name="requeststate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(length=11), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("about", sa.String(length=300), nullable=False),
        sa.Column("suits", sa.String(length=200), nullable=False),
        sa.Column("locale", sa.String(length=20), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("clocks_start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("arranged_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seen_by_id", sa.Integer(), nullable=True),
        sa.Column("arranged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("seen_escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("arranged_escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sweep_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeals.id"], name=op.f("fk_meeting_requests_appeal_id_appeals")
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["meeting_bookings.id"],
            name=op.f("fk_meeting_requests_booking_id_meeting_bookings"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_meeting_requests_place_id_places")
        ),
        sa.ForeignKeyConstraint(
            ["seen_by_id"], ["users.id"], name=op.f("fk_meeting_requests_seen_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_meeting_requests_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_requests")),
        sa.UniqueConstraint("reference", name=op.f("uq_meeting_requests_reference")),
    )
    op.create_index(
        op.f("ix_meeting_requests_appeal_id"), "meeting_requests", ["appeal_id"], unique=False
    )
    op.create_index(
        "ix_meeting_requests_phone_asked_at",
        "meeting_requests",
        ["phone", "asked_at"],
        unique=False,
    )
    op.create_index(
        "ix_meeting_requests_place_id_state_seen_due_at",
        "meeting_requests",
        ["place_id", "state", "seen_due_at"],
        unique=False,
    )
    op.create_index("ix_meeting_requests_sweep_at", "meeting_requests", ["sweep_at"], unique=False)


def downgrade() -> None:
    op.drop_table("meeting_requests")
    op.drop_table("meeting_booking_events")
    op.drop_table("meeting_bookings")
    op.drop_table("meeting_schedules")
    op.drop_table("meeting_online_hours")
    op.drop_table("meeting_host_days")
    op.drop_table("meeting_closures")
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_column("meeting_reference")
