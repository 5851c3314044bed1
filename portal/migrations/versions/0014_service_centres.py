"""service centres: where a community's service centre is, in both languages

A community's service centre (党群服务中心) receives residents: door pages show its address
beside its hours, and meetings held there (书记在线, legal service days) show where to go.
Places saved before get an empty address, which pages leave out, as they leave out hours
nobody entered.

The deputy secretary role (deputy_secretary) needs no change here: roles are stored as
their value in a 32-character string column with no CHECK constraint (portal.db.enum_column).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 16:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The server default fills the rows already there.
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("service_centre_zh", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("service_centre_en", sa.String(length=300), nullable=False, server_default="")
        )


def downgrade() -> None:
    # In place, not by rebuilding the table (batch mode's way on SQLite): buildings and role
    # grants refer to places, so SQLite refuses to drop the old table once they exist.
    # SQLite drops a column itself since 3.35.
    with op.batch_alter_table("places", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("service_centre_en")
        batch_op.drop_column("service_centre_zh")
