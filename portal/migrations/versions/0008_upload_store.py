"""the upload store: uploads, and appeal photos held as uploads

Every appeal photo becomes an upload under the name it had, held by its appeal; its file stays
where it is (the store's folder is the former photo folder, see portal/uploads/__init__.py).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 13:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("image", "pdf", name="uploadkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("address", sa.String(length=16), nullable=True),
        sa.Column("owner", sa.String(length=60), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uploads")),
        sa.UniqueConstraint("name", name=op.f("uq_uploads_name")),
    )
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.create_index("ix_uploads_address_owner", ["address", "owner"], unique=False)
        batch_op.create_index("ix_uploads_owner_created_at", ["owner", "created_at"], unique=False)

    # Each photo's upload: same name, same moment, held by its appeal.
    op.execute(
        "INSERT INTO uploads (name, kind, purpose, created_at, owner) "
        "SELECT file_name, 'image', "
        "CASE stage WHEN 'resolution' THEN 'appeals.resolution' ELSE 'appeals.report' END, "
        "created_at, 'appeals:' || CAST(appeal_id AS VARCHAR(20)) "
        "FROM appeal_photos ORDER BY id"
    )
    with op.batch_alter_table("appeal_photos", schema=None) as batch_op:
        batch_op.add_column(sa.Column("upload_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE appeal_photos SET upload_id = "
        "(SELECT uploads.id FROM uploads WHERE uploads.name = appeal_photos.file_name)"
    )
    with op.batch_alter_table("appeal_photos", schema=None) as batch_op:
        batch_op.alter_column("upload_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint("uq_appeal_photos_file_name", type_="unique")
        batch_op.drop_column("file_name")
        batch_op.create_unique_constraint(batch_op.f("uq_appeal_photos_upload_id"), ["upload_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_appeal_photos_upload_id_uploads"), "uploads", ["upload_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("appeal_photos", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_name", sa.String(length=40), nullable=True))
    op.execute(
        "UPDATE appeal_photos SET file_name = "
        "(SELECT uploads.name FROM uploads WHERE uploads.id = appeal_photos.upload_id)"
    )
    with op.batch_alter_table("appeal_photos", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_appeal_photos_upload_id_uploads"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("uq_appeal_photos_upload_id"), type_="unique")
        batch_op.drop_column("upload_id")
        batch_op.alter_column("file_name", existing_type=sa.String(length=40), nullable=False)
        batch_op.create_unique_constraint("uq_appeal_photos_file_name", ["file_name"])
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.drop_index("ix_uploads_owner_created_at")
        batch_op.drop_index("ix_uploads_address_owner")
    op.drop_table("uploads")
