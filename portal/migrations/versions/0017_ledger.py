"""ledger: accounts of time-bank minutes and grid points, transfers between them and their
movements, append-only

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PERSONAL = sa.text("kind = 'person'")
ON_A_PLACE = sa.text("kind <> 'person'")
WITH_SUBJECT = sa.text("subject IS NOT NULL")
UNIT = sa.Enum("minutes", "points", name="unit", native_enum=False, length=32)


def upgrade() -> None:
    op.create_table(
        "ledger_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit", UNIT, nullable=False),
        sa.Column(
            "kind",
            sa.Enum("person", "pool", "issuer", name="accountkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("place_id", sa.Integer(), nullable=True),
        sa.Column("balance", sa.Integer(), nullable=False),
        sa.Column("cap", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind = 'person' AND user_id IS NOT NULL AND place_id IS NULL)"
            " OR (kind <> 'person' AND place_id IS NOT NULL AND user_id IS NULL)",
            name=op.f("ck_ledger_accounts_one_owner"),
        ),
        sa.CheckConstraint(
            "balance >= 0 OR kind = 'issuer'", name=op.f("ck_ledger_accounts_balance_not_negative")
        ),
        sa.CheckConstraint(
            "cap IS NULL OR balance <= cap", name=op.f("ck_ledger_accounts_balance_within_cap")
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_ledger_accounts_place_id_places")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_ledger_accounts_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_accounts")),
    )
    op.create_index(
        "ux_ledger_accounts_unit_user_id_person",
        "ledger_accounts",
        ["unit", "user_id"],
        unique=True,
        sqlite_where=PERSONAL,
        postgresql_where=PERSONAL,
    )
    op.create_index(
        "ux_ledger_accounts_unit_kind_place_id",
        "ledger_accounts",
        ["unit", "kind", "place_id"],
        unique=True,
        sqlite_where=ON_A_PLACE,
        postgresql_where=ON_A_PLACE,
    )
    op.create_table(
        "ledger_transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit", UNIT, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=True),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_ledger_transfers_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["ledger_transfers.id"],
            name=op.f("fk_ledger_transfers_reverses_id_ledger_transfers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_transfers")),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_ledger_transfers_reverses_id")),
    )
    op.create_index(
        "ux_ledger_transfers_kind_subject",
        "ledger_transfers",
        ["kind", "subject"],
        unique=True,
        sqlite_where=WITH_SUBJECT,
        postgresql_where=WITH_SUBJECT,
    )
    op.create_table(
        "ledger_movements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transfer_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("balance_after", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount <> 0", name=op.f("ck_ledger_movements_moves_something")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["ledger_accounts.id"],
            name=op.f("fk_ledger_movements_account_id_ledger_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["ledger_transfers.id"],
            name=op.f("fk_ledger_movements_transfer_id_ledger_transfers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_movements")),
    )
    op.create_index(
        "ix_ledger_movements_account_id_id", "ledger_movements", ["account_id", "id"], unique=False
    )
    op.create_index(
        op.f("ix_ledger_movements_transfer_id"), "ledger_movements", ["transfer_id"], unique=False
    )

    _append_only()


APPEND_ONLY = ("ledger_transfers", "ledger_movements")


def _append_only() -> None:
    """The database itself refuses to change or delete a transfer or a movement, whatever the
    code that asks (the models refuse it too, for a clearer error)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'ledger rows of % are never changed or deleted', "
            "TG_TABLE_NAME; END $$"
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_never_emptied BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()"
            )
        return
    for table in APPEND_ONLY:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'ledger rows of {table} are never changed or "
                "deleted'); END"
            )


def downgrade() -> None:
    op.drop_table("ledger_movements")
    op.drop_table("ledger_transfers")
    op.drop_table("ledger_accounts")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION ledger_append_only()")
