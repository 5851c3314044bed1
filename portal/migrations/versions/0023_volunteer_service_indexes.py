"""volunteer service indexes: a volunteer's confirmed service and the kinds of their activities

A volunteer's hours by kind of service and their certificate's totals read their confirmed
sign-ups and what each activity is (serving the elderly, its kind of service, its community and
its start) from two indexes alone, so a volunteer of 2,000 activities costs a few milliseconds,
not a read of every activity.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONFIRMED = sa.text("confirmed_at IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_volunteer_activities_service_record",
        "volunteer_activities",
        ["id", "serves_elderly", "service_kind_id", "community_id", "starts_at"],
        unique=False,
    )
    op.create_index(
        "ix_volunteer_sign_ups_volunteer_id_confirmed",
        "volunteer_sign_ups",
        ["volunteer_id", "activity_id", "confirmed_minutes", "confirmed_at", "recorded_by_hand"],
        unique=False,
        sqlite_where=CONFIRMED,
        postgresql_where=CONFIRMED,
    )


def downgrade() -> None:
    op.drop_index("ix_volunteer_sign_ups_volunteer_id_confirmed", table_name="volunteer_sign_ups")
    op.drop_index("ix_volunteer_activities_service_record", table_name="volunteer_activities")
