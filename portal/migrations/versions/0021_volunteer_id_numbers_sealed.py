"""volunteer ID numbers sealed: the plain 身份证 number becomes a masked one and a sealed one

Anyone with a copy of the database could read every volunteer's ID number. Each row now keeps
the masked number (4401**********123X, what lists and certificates show) and the number
sealed with AES-GCM under a key derived from VOLUNTEER_ID_KEY or SECRET_KEY, bound to the
row's id (portal/volunteering/idseal.py); the plain column is dropped.

Rows already there are sealed with the app's key: the configuration handed over by
`flask --app portal db upgrade` (alembic_config's app_config), or the current Flask app's.
Without either, and with volunteers to seal, the migration stops rather than seal with a key
the app will not have. Downgrading unseals with the same key.

The columns are added and dropped in place, not by rebuilding the table (batch mode's way on
SQLite): sign-ups, ledger accounts and relatives refer to volunteers, and SQLite refuses to
drop the old table once they exist. The empty default that fills the new columns as they are
added is removed again on PostgreSQL; SQLite cannot remove it without that rebuild, and the
portal always writes both columns itself.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 22:00:00.000000
"""

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from portal import idnumbers
from portal.volunteering import idseal

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NO_KEY = (
    "Volunteers' ID numbers must be sealed (or unsealed) with the portal's key, and none was "
    "given: run `flask --app portal db upgrade` with the app's configuration (VOLUNTEER_ID_KEY, "
    "or SECRET_KEY), as in production."
)


def _seal_key() -> bytes:
    config: Mapping[str, Any] | None = context.config.attributes.get("app_config")
    if config is None:
        from flask import current_app, has_app_context

        config = current_app.config if has_app_context() else None
    if not config or not (config.get("VOLUNTEER_ID_KEY") or config.get("SECRET_KEY")):
        raise RuntimeError(NO_KEY)
    return idseal.key_from(config)


def _volunteers(connection: sa.Connection) -> sa.Table:
    return sa.Table("volunteers", sa.MetaData(), autoload_with=connection)


def _drop_default(column: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("volunteers", column, server_default=None)


def upgrade() -> None:
    with op.batch_alter_table("volunteers", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("id_number_masked", sa.String(length=18), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("id_number_sealed", sa.String(length=100), nullable=False, server_default="")
        )
    connection = op.get_bind()
    volunteers = _volunteers(connection)
    rows = connection.execute(sa.select(volunteers.c.id, volunteers.c.id_number)).all()
    key = _seal_key() if rows else b""
    for volunteer_id, number in rows:
        connection.execute(
            volunteers.update()
            .where(volunteers.c.id == volunteer_id)
            .values(
                id_number_masked=idnumbers.mask(number),
                id_number_sealed=idseal.seal(number, volunteer_id, key),
            )
        )
    _drop_default("id_number_masked")
    _drop_default("id_number_sealed")
    with op.batch_alter_table("volunteers", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("id_number")


def downgrade() -> None:
    with op.batch_alter_table("volunteers", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("id_number", sa.String(length=18), nullable=False, server_default="")
        )
    connection = op.get_bind()
    volunteers = _volunteers(connection)
    rows = connection.execute(sa.select(volunteers.c.id, volunteers.c.id_number_sealed)).all()
    key = _seal_key() if rows else b""
    for volunteer_id, sealed in rows:
        connection.execute(
            volunteers.update()
            .where(volunteers.c.id == volunteer_id)
            .values(id_number=idseal.unseal(sealed, volunteer_id, key))
        )
    _drop_default("id_number")
    with op.batch_alter_table("volunteers", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("id_number_sealed")
        batch_op.drop_column("id_number_masked")
