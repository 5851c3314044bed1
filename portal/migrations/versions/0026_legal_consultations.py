"""legal consultations (e法官)

A resident's question, its thread and the advisers it was given to; advisers' answer
snippets; public questions and answers with the words the search finds them by; and the
topics residents pick from, seeded with the usual ten.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 21:15:41.327677
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOPICS = (
    ("婚姻家庭", "Marriage and family"),
    ("继承", "Inheritance"),
    ("劳动争议", "Employment disputes"),
    ("房屋租赁", "Renting a home"),
    ("物业纠纷", "Property management disputes"),
    ("邻里纠纷", "Disputes between neighbours"),
    ("消费维权", "Consumer rights"),
    ("借贷", "Loans and debts"),
    ("人身损害", "Personal injury"),
    ("其他", "Something else"),
)


def upgrade() -> None:
    op.create_table(
        "legal_topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name_zh", sa.String(length=50), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_topics")),
    )
    op.create_table(
        "legal_answer_snippets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("adviser_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["adviser_id"], ["users.id"], name=op.f("fk_legal_answer_snippets_adviser_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_answer_snippets")),
    )
    with op.batch_alter_table("legal_answer_snippets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_legal_answer_snippets_adviser_id_title", ["adviser_id", "title"], unique=False
        )

    op.create_table(
        "legal_consultations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=12), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "awaiting_guardian",
                "waiting",
                "answered",
                "closed",
                name="consultationstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("locale", sa.String(length=20), nullable=False),
        sa.Column("other_party", sa.String(length=100), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_minor", sa.Boolean(), nullable=False),
        sa.Column("guardian_phone", sa.String(length=11), nullable=True),
        sa.Column("guardian_confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("adviser_id", sa.Integer(), nullable=True),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("follow_ups", sa.Integer(), nullable=False),
        sa.Column("last_answer_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sweep_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "rating",
            sa.Enum(
                "satisfied",
                "basically_satisfied",
                "unsatisfied",
                name="rating",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("rating_comment", sa.String(length=500), nullable=False),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "closed_because",
            sa.Enum(
                "rated", "lapsed", "unconfirmed", name="closedbecause", native_enum=False, length=32
            ),
            nullable=True,
        ),
        sa.Column("documents_deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["adviser_id"], ["users.id"], name=op.f("fk_legal_consultations_adviser_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"], ["places.id"], name=op.f("fk_legal_consultations_community_id_places")
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["legal_topics.id"],
            name=op.f("fk_legal_consultations_topic_id_legal_topics"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_legal_consultations_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_consultations")),
        sa.UniqueConstraint("reference", name=op.f("uq_legal_consultations_reference")),
    )
    with op.batch_alter_table("legal_consultations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_legal_consultations_adviser_id_state_due_at",
            ["adviser_id", "state", "due_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_legal_consultations_adviser_id_state_closed_at",
            ["adviser_id", "state", "closed_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_legal_consultations_documents_deleted_at_closed_at",
            ["documents_deleted_at", "closed_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_legal_consultations_state_due_at", ["state", "due_at"], unique=False
        )
        batch_op.create_index("ix_legal_consultations_sweep_at", ["sweep_at"], unique=False)
        batch_op.create_index(
            "ix_legal_consultations_user_id_created_at", ["user_id", "created_at"], unique=False
        )

    op.create_table(
        "legal_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("adviser_id", sa.Integer(), nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "ended_because",
            sa.Enum("conflict", "reassigned", name="assignmentend", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["adviser_id"], ["users.id"], name=op.f("fk_legal_assignments_adviser_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"], ["users.id"], name=op.f("fk_legal_assignments_assigned_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["legal_consultations.id"],
            name=op.f("fk_legal_assignments_consultation_id_legal_consultations"),
        ),
        sa.ForeignKeyConstraint(
            ["pool_id"], ["places.id"], name=op.f("fk_legal_assignments_pool_id_places")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_assignments")),
    )
    with op.batch_alter_table("legal_assignments", schema=None) as batch_op:
        batch_op.create_index("ix_legal_assignments_adviser_id", ["adviser_id"], unique=False)
        batch_op.create_index(
            "ix_legal_assignments_consultation_id_id", ["consultation_id", "id"], unique=False
        )

    op.create_table(
        "legal_consultation_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("question", "answer", name="entrykind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("citations", sa.JSON(), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_legal_consultation_entries_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["legal_consultations.id"],
            name=op.f("fk_legal_consultation_entries_consultation_id_legal_consultations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_consultation_entries")),
    )
    with op.batch_alter_table("legal_consultation_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_legal_consultation_entries_consultation_id_id",
            ["consultation_id", "id"],
            unique=False,
        )

    op.create_table(
        "legal_faqs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "asked",
                "consented",
                "submitted",
                "published",
                "withdrawn",
                name="faqstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["legal_consultations.id"],
            name=op.f("fk_legal_faqs_consultation_id_legal_consultations"),
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"], ["users.id"], name=op.f("fk_legal_faqs_proposed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"], ["users.id"], name=op.f("fk_legal_faqs_published_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["legal_topics.id"], name=op.f("fk_legal_faqs_topic_id_legal_topics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_faqs")),
        sa.UniqueConstraint("consultation_id", name=op.f("uq_legal_faqs_consultation_id")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_legal_faqs_token_digest")),
    )
    with op.batch_alter_table("legal_faqs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_legal_faqs_state_topic_id_published_at",
            ["state", "topic_id", "published_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_legal_faqs_proposed_by_id_state", ["proposed_by_id", "state"], unique=False
        )
        batch_op.create_index(
            "ix_legal_faqs_state_published_at", ["state", "published_at"], unique=False
        )

    op.create_table(
        "legal_faq_words",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("word", sa.String(length=40), nullable=False),
        sa.Column("faq_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["faq_id"], ["legal_faqs.id"], name=op.f("fk_legal_faq_words_faq_id_legal_faqs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_faq_words")),
        sa.UniqueConstraint("word", "faq_id", name="uq_legal_faq_words_word_faq_id"),
    )
    with op.batch_alter_table("legal_faq_words", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_legal_faq_words_faq_id"), ["faq_id"], unique=False)
    topics = sa.table(
        "legal_topics",
        sa.column("name_zh", sa.String),
        sa.column("name_en", sa.String),
        sa.column("position", sa.Integer),
        sa.column("is_active", sa.Boolean),
    )
    op.bulk_insert(
        topics,
        [
            {"name_zh": zh, "name_en": en, "position": number, "is_active": True}
            for number, (zh, en) in enumerate(TOPICS, start=1)
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("legal_faq_words", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_legal_faq_words_faq_id"))

    op.drop_table("legal_faq_words")
    with op.batch_alter_table("legal_faqs", schema=None) as batch_op:
        batch_op.drop_index("ix_legal_faqs_state_published_at")
        batch_op.drop_index("ix_legal_faqs_proposed_by_id_state")
        batch_op.drop_index("ix_legal_faqs_state_topic_id_published_at")

    op.drop_table("legal_faqs")
    with op.batch_alter_table("legal_consultation_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_legal_consultation_entries_consultation_id_id")

    op.drop_table("legal_consultation_entries")
    with op.batch_alter_table("legal_assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_legal_assignments_consultation_id_id")
        batch_op.drop_index("ix_legal_assignments_adviser_id")

    op.drop_table("legal_assignments")
    with op.batch_alter_table("legal_consultations", schema=None) as batch_op:
        batch_op.drop_index("ix_legal_consultations_user_id_created_at")
        batch_op.drop_index("ix_legal_consultations_sweep_at")
        batch_op.drop_index("ix_legal_consultations_state_due_at")
        batch_op.drop_index("ix_legal_consultations_documents_deleted_at_closed_at")
        batch_op.drop_index("ix_legal_consultations_adviser_id_state_closed_at")
        batch_op.drop_index("ix_legal_consultations_adviser_id_state_due_at")

    op.drop_table("legal_consultations")
    with op.batch_alter_table("legal_answer_snippets", schema=None) as batch_op:
        batch_op.drop_index("ix_legal_answer_snippets_adviser_id_title")

    op.drop_table("legal_answer_snippets")
    op.drop_table("legal_topics")
