"""archive queries (民生档案查档)

Archives and their archivists, the kinds of record residents ask for with who may ask and
what each attaches (seeded with the thirteen most asked for), residents' requests with their
steps, and the archives asked to help find a record (协办).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = (
    # code, Chinese, English, whether a guardian may ask (marriage records: never).
    ("marriage", "婚姻登记", "Marriage registration", False),
    ("educated-youth", "知青", "Sent-down youth (知青)", True),
    ("recruitment", "招工", "Recruitment into work (招工)", True),
    ("length-of-service", "工龄", "Length of service (工龄)", True),
    ("schooling", "学籍/学历", "School and education records", True),
    ("military-discharge", "退伍/复员", "Discharge from the armed forces", True),
    ("adoption", "收养", "Adoption", True),
    ("only-child", "独生子女", "Only-child certificate (独生子女)", True),
    ("housing", "房产", "Housing property", True),
    ("land", "土地", "Land", True),
    ("notarisation", "公证", "Notarial records", True),
    ("professional-title", "职称", "Professional titles", True),
    ("retirement", "离退休", "Retirement", True),
)

# Who may ask, and what each attaches (portal/archives/catalogue.py, DEFAULT_CHECKLIST).
CHECKLIST = {
    "self": ["requester_id"],
    "agent": ["requester_id", "subject_id", "authorisation"],
    "guardian": ["requester_id", "subject_id", "guardianship"],
    "next_of_kin": ["requester_id", "death_certificate", "kinship"],
}


def upgrade() -> None:
    op.create_table(
        "archive_record_kinds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=50), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_record_kinds")),
        sa.UniqueConstraint("code", name=op.f("uq_archive_record_kinds_code")),
    )
    op.create_table(
        "archives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("name_zh", sa.String(length=50), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("address_zh", sa.String(length=200), nullable=False),
        sa.Column("address_en", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("seal_name", sa.String(length=40), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_archives_place_id_places")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archives")),
        sa.UniqueConstraint("code", name=op.f("uq_archives_code")),
    )
    op.create_index(op.f("ix_archives_place_id"), "archives", ["place_id"], unique=False)
    op.create_table(
        "archive_kinds",
        sa.Column("archive_id", sa.Integer(), nullable=False),
        sa.Column("kind_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["archive_id"], ["archives.id"], name=op.f("fk_archive_kinds_archive_id_archives")
        ),
        sa.ForeignKeyConstraint(
            ["kind_id"],
            ["archive_record_kinds.id"],
            name=op.f("fk_archive_kinds_kind_id_archive_record_kinds"),
        ),
        sa.PrimaryKeyConstraint("archive_id", "kind_id", name=op.f("pk_archive_kinds")),
    )
    op.create_index(op.f("ix_archive_kinds_kind_id"), "archive_kinds", ["kind_id"], unique=False)
    op.create_table(
        "archive_members",
        sa.Column("archive_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["archive_id"], ["archives.id"], name=op.f("fk_archive_members_archive_id_archives")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_archive_members_user_id_users")
        ),
        sa.PrimaryKeyConstraint("archive_id", "user_id", name=op.f("pk_archive_members")),
    )
    op.create_index(
        op.f("ix_archive_members_user_id"), "archive_members", ["user_id"], unique=False
    )
    op.create_table(
        "archive_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=12), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("archive_id", sa.Integer(), nullable=False),
        sa.Column("kind_id", sa.Integer(), nullable=False),
        sa.Column(
            "relation",
            sa.Enum(
                "self",
                "agent",
                "guardian",
                "next_of_kin",
                name="relation",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("requester_name", sa.String(length=50), nullable=False),
        sa.Column("requester_id_masked", sa.String(length=18), nullable=False),
        sa.Column("requester_id_sealed", sa.String(length=100), nullable=False),
        sa.Column("subject_name", sa.String(length=50), nullable=False),
        sa.Column("subject_id_masked", sa.String(length=18), nullable=False),
        sa.Column("subject_id_sealed", sa.String(length=100), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column(
            "delivery",
            sa.Enum("online", "pickup", "post", name="delivery", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("postal_address", sa.String(length=200), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locale", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "submitted",
                "awaiting_documents",
                "accepted",
                "answered",
                "refused",
                name="requeststate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("days_left", sa.Integer(), nullable=True),
        sa.Column("more_asked", sa.String(length=300), nullable=False),
        sa.Column("waiting_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handler_id", sa.Integer(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum("found", "not_found", name="outcome", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("file_number", sa.String(length=60), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("refusal_reason", sa.String(length=500), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=True),
        sa.Column("letter_seal_name", sa.String(length=40), nullable=True),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dispatch_note", sa.String(length=100), nullable=False),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("documents_deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["archive_id"], ["archives.id"], name=op.f("fk_archive_requests_archive_id_archives")
        ),
        sa.ForeignKeyConstraint(
            ["handler_id"], ["users.id"], name=op.f("fk_archive_requests_handler_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["kind_id"],
            ["archive_record_kinds.id"],
            name=op.f("fk_archive_requests_kind_id_archive_record_kinds"),
        ),
        sa.ForeignKeyConstraint(
            ["letter_id"],
            ["issued_documents.id"],
            name=op.f("fk_archive_requests_letter_id_issued_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_archive_requests_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_requests")),
        sa.UniqueConstraint("reference", name=op.f("uq_archive_requests_reference")),
    )
    op.create_index(
        "ix_archive_requests_archive_id_state_closed_at",
        "archive_requests",
        ["archive_id", "state", "closed_at"],
        unique=False,
    )
    op.create_index(
        "ix_archive_requests_state_waiting_since",
        "archive_requests",
        ["state", "waiting_since"],
        unique=False,
    )
    op.create_index(
        "ix_archive_requests_to_deliver",
        "archive_requests",
        ["archive_id", "state", "delivery", "dispatched_at", "collected_at", "closed_at"],
        unique=False,
    )
    op.create_index(
        "ix_archive_requests_archive_id_state_due_at_id",
        "archive_requests",
        ["archive_id", "state", "due_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_archive_requests_documents_deleted_at_closed_at",
        "archive_requests",
        ["documents_deleted_at", "closed_at"],
        unique=False,
    )
    op.create_index(
        "ix_archive_requests_user_id_created_at",
        "archive_requests",
        ["user_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "archive_assists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("archive_id", sa.Integer(), nullable=False),
        sa.Column("asked_by_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handler_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum("found", "not_found", name="outcome", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("file_number", sa.String(length=60), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["users.id"], name=op.f("fk_archive_assists_answered_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["archive_id"], ["archives.id"], name=op.f("fk_archive_assists_archive_id_archives")
        ),
        sa.ForeignKeyConstraint(
            ["asked_by_id"], ["users.id"], name=op.f("fk_archive_assists_asked_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["handler_id"], ["users.id"], name=op.f("fk_archive_assists_handler_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["archive_requests.id"],
            name=op.f("fk_archive_assists_request_id_archive_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_assists")),
    )
    op.create_index(
        "ix_archive_assists_archive_id_answered_at_due_at",
        "archive_assists",
        ["archive_id", "answered_at", "due_at"],
        unique=False,
    )
    op.create_index(
        "ix_archive_assists_request_id_id", "archive_assists", ["request_id", "id"], unique=False
    )
    op.create_table(
        "archive_request_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "sent",
                "more_asked",
                "documents_added",
                "accepted",
                "passed",
                "assist_answered",
                "refused",
                "answered",
                "letter_withdrawn",
                "dispatched",
                "collected",
                name="stepkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("archive_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_archive_request_steps_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["archive_id"],
            ["archives.id"],
            name=op.f("fk_archive_request_steps_archive_id_archives"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["archive_requests.id"],
            name=op.f("fk_archive_request_steps_request_id_archive_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_request_steps")),
    )
    op.create_index(
        "ix_archive_request_steps_request_id_id",
        "archive_request_steps",
        ["request_id", "id"],
        unique=False,
    )

    record_kinds = sa.table(
        "archive_record_kinds",
        sa.column("code", sa.String),
        sa.column("name_zh", sa.String),
        sa.column("name_en", sa.String),
        sa.column("position", sa.Integer),
        sa.column("is_active", sa.Boolean),
        sa.column("checklist", sa.JSON),
    )
    op.bulk_insert(
        record_kinds,
        [
            {
                "code": code, "name_zh": zh, "name_en": en, "position": number, "is_active": True,
                "checklist": {
                    relation: proofs for relation, proofs in CHECKLIST.items()
                    if guardian or relation != "guardian"
                },
            }
            for number, (code, zh, en, guardian) in enumerate(KINDS, start=1)
        ],
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_archive_request_steps_request_id_id", table_name="archive_request_steps")
    op.drop_table("archive_request_steps")
    op.drop_index("ix_archive_assists_request_id_id", table_name="archive_assists")
    op.drop_index("ix_archive_assists_archive_id_answered_at_due_at", table_name="archive_assists")
    op.drop_table("archive_assists")
    op.drop_index("ix_archive_requests_user_id_created_at", table_name="archive_requests")
    op.drop_index(
        "ix_archive_requests_documents_deleted_at_closed_at", table_name="archive_requests"
    )
    op.drop_index("ix_archive_requests_archive_id_state_due_at_id", table_name="archive_requests")
    op.drop_index("ix_archive_requests_to_deliver", table_name="archive_requests")
    op.drop_index("ix_archive_requests_state_waiting_since", table_name="archive_requests")
    op.drop_index("ix_archive_requests_archive_id_state_closed_at", table_name="archive_requests")
    op.drop_table("archive_requests")
    op.drop_index(op.f("ix_archive_members_user_id"), table_name="archive_members")
    op.drop_table("archive_members")
    op.drop_index(op.f("ix_archive_kinds_kind_id"), table_name="archive_kinds")
    op.drop_table("archive_kinds")
    op.drop_index(op.f("ix_archives_place_id"), table_name="archives")
    op.drop_table("archives")
    op.drop_table("archive_record_kinds")
