"""phone codes: one table for every SMS code, sign-in and report confirmation moved onto it

Codes sent before the upgrade keep working: their digests are copied as they are (the code
service keys them as they were, see accounts/codes.py).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 13:40:00.000000
"""

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# How long a report's code lived when the appeal kept it (appeals' CODE_VALID_FOR then).
APPEAL_CODE_VALID_FOR = timedelta(minutes=10)

phone_codes = sa.table(
    "phone_codes",
    sa.column("purpose", sa.String),
    sa.column("phone", sa.String),
    sa.column("subject", sa.String),
    sa.column("code_hash", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("expires_at", sa.DateTime(timezone=True)),
    sa.column("attempts", sa.Integer),
    sa.column("used_at", sa.DateTime(timezone=True)),
)
sign_in_codes = sa.table(
    "sign_in_codes",
    sa.column("phone", sa.String),
    sa.column("code_hash", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("expires_at", sa.DateTime(timezone=True)),
    sa.column("attempts", sa.Integer),
    sa.column("used_at", sa.DateTime(timezone=True)),
)
appeals = sa.table(
    "appeals",
    sa.column("id", sa.Integer),
    sa.column("tracking", sa.String),
    sa.column("phone", sa.String),
    sa.column("code_hash", sa.String),
    sa.column("code_sent_at", sa.DateTime(timezone=True)),
    sa.column("code_tries", sa.Integer),
)
CODE_COLUMNS = ("phone", "code_hash", "created_at", "expires_at", "attempts", "used_at")


def upgrade() -> None:
    op.create_table(
        "phone_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("phone", sa.String(length=11), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone_codes")),
    )
    op.create_index("ix_phone_codes_created_at", "phone_codes", ["created_at"], unique=False)
    op.create_index(
        "ix_phone_codes_phone_purpose_created_at",
        "phone_codes",
        ["phone", "purpose", "created_at"],
        unique=False,
    )

    # Sign-in codes were keyed on the phone, as the service keys a code with no subject.
    op.execute(
        phone_codes.insert().from_select(
            ["purpose", *CODE_COLUMNS],
            sa.select(sa.literal("sign_in"), *(sign_in_codes.c[name] for name in CODE_COLUMNS)),
        )
    )
    # A report's code was keyed on "appeal:<tracking>", its subject now. Only the codes still
    # waiting are copied (a confirmed or expired report's code was set to NULL).
    connection = op.get_bind()
    waiting = connection.execute(
        sa.select(appeals).where(
            appeals.c.code_hash.is_not(None), appeals.c.code_sent_at.is_not(None)
        )
    ).all()
    if waiting:
        connection.execute(
            phone_codes.insert(),
            [
                {
                    "purpose": "appeal",
                    "phone": row.phone,
                    "subject": f"appeal:{row.tracking}",
                    "code_hash": row.code_hash,
                    "created_at": row.code_sent_at,
                    "expires_at": row.code_sent_at + APPEAL_CODE_VALID_FOR,
                    "attempts": row.code_tries,
                    "used_at": None,
                }
                for row in waiting
            ],
        )

    op.drop_index("ix_sign_in_codes_phone_created_at", table_name="sign_in_codes")
    op.drop_table("sign_in_codes")
    # Plain ALTER TABLE … DROP COLUMN on both databases (SQLite has it since 3.35): batch
    # mode's copy of the table would have to drop `appeals`, which other tables refer to.
    for column in ("code_hash", "code_sent_at", "code_tries"):
        op.execute(f"ALTER TABLE appeals DROP COLUMN {column}")


def downgrade() -> None:
    op.add_column("appeals", sa.Column("code_hash", sa.String(length=64), nullable=True))
    op.add_column("appeals", sa.Column("code_sent_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "appeals",
        sa.Column("code_tries", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )
    op.create_table(
        "sign_in_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=11), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_codes")),
    )
    op.create_index(
        "ix_sign_in_codes_phone_created_at", "sign_in_codes", ["phone", "created_at"], unique=False
    )
    op.execute(
        sign_in_codes.insert().from_select(
            list(CODE_COLUMNS),
            sa.select(*(phone_codes.c[name] for name in CODE_COLUMNS)).where(
                phone_codes.c.purpose == "sign_in"
            ),
        )
    )
    # Each waiting report gets back the newest of its codes.
    connection = op.get_bind()
    newest = connection.execute(
        sa.select(phone_codes)
        .where(phone_codes.c.purpose == "appeal", phone_codes.c.used_at.is_(None))
        .order_by(phone_codes.c.created_at)
    ).all()
    for code in newest:
        connection.execute(
            appeals.update()
            .where(appeals.c.tracking == code.subject.removeprefix("appeal:"))
            .values(
                code_hash=code.code_hash, code_sent_at=code.created_at, code_tries=code.attempts
            )
        )
    op.drop_index("ix_phone_codes_phone_purpose_created_at", table_name="phone_codes")
    op.drop_index("ix_phone_codes_created_at", table_name="phone_codes")
    op.drop_table("phone_codes")
