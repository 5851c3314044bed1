"""meeting feeds: a host's meetings as a calendar feed behind a secret, revocable address

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE_FEED = sa.text("revoked_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "meeting_calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["host_id"], ["users.id"], name=op.f("fk_meeting_calendar_feeds_host_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_calendar_feeds")),
        sa.UniqueConstraint("digest", name=op.f("uq_meeting_calendar_feeds_digest")),
    )
    op.create_index(
        "ux_meeting_calendar_feeds_host_id_live",
        "meeting_calendar_feeds",
        ["host_id"],
        unique=True,
        sqlite_where=LIVE_FEED,
        postgresql_where=LIVE_FEED,
    )


def downgrade() -> None:
    op.drop_table("meeting_calendar_feeds")
