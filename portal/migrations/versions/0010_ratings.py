"""appeal ratings: every rating a resident gives, with its comment, in a table of its own

Until now an appeal kept one rating and one comment, and reopening it cleared both, so the
comment that reopened it was lost. The ratings are copied from the timeline's "rated" steps
(each points to its row from now on); the appeal's comment goes with its newest rating.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 14:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

appeal_ratings = sa.table(
    "appeal_ratings",
    sa.column("id", sa.Integer),
    sa.column("appeal_id", sa.Integer),
    sa.column("rating", sa.String),
    sa.column("comment", sa.String),
    sa.column("rated_at", sa.DateTime(timezone=True)),
)
appeals = sa.table(
    "appeals",
    sa.column("id", sa.Integer),
    sa.column("rating", sa.String),
    sa.column("review_comment", sa.String),
)
appeal_events = sa.table(
    "appeal_events",
    sa.column("id", sa.Integer),
    sa.column("appeal_id", sa.Integer),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("kind", sa.String),
    sa.column("details", sa.JSON),
)


def upgrade() -> None:
    op.create_table(
        "appeal_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.String(length=32), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=False),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeals.id"], name=op.f("fk_appeal_ratings_appeal_id_appeals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_ratings")),
    )
    op.create_index(
        op.f("ix_appeal_ratings_appeal_id"), "appeal_ratings", ["appeal_id"], unique=False
    )
    connection = op.get_bind()
    comments = dict(
        connection.execute(
            sa.select(appeals.c.id, appeals.c.review_comment).where(appeals.c.rating.is_not(None))
        ).all()
    )
    steps = connection.execute(
        sa.select(appeal_events)
        .where(appeal_events.c.kind == "reviewed")
        .order_by(appeal_events.c.appeal_id, appeal_events.c.at.desc(), appeal_events.c.id.desc())
    ).all()
    for step in steps:
        if "rating" not in step.details:
            continue
        # Steps come newest first: the appeal's comment belongs to its newest rating, and
        # only while the appeal still holds one (reopening cleared both).
        comment = comments.pop(step.appeal_id, "") or ""
        rating_id = connection.execute(
            appeal_ratings.insert().returning(appeal_ratings.c.id),
            {
                "appeal_id": step.appeal_id,
                "rating": step.details["rating"],
                "comment": comment,
                "rated_at": step.at,
            },
        ).scalar_one()
        connection.execute(
            appeal_events.update()
            .where(appeal_events.c.id == step.id)
            .values(details={**step.details, "rating_id": rating_id})
        )
    # Plain ALTER TABLE … DROP COLUMN on both databases, as in 0009.
    op.execute("ALTER TABLE appeals DROP COLUMN review_comment")


def downgrade() -> None:
    op.add_column(
        "appeals",
        sa.Column("review_comment", sa.String(length=500), nullable=False, server_default=""),
    )
    connection = op.get_bind()
    # An appeal that holds a rating gets back the comment of its newest one.
    rated = connection.execute(
        sa.select(appeal_ratings.c.appeal_id, appeal_ratings.c.comment)
        .join(appeals, appeals.c.id == appeal_ratings.c.appeal_id)
        .where(appeals.c.rating.is_not(None))
        .order_by(appeal_ratings.c.rated_at, appeal_ratings.c.id)
    ).all()
    for appeal_id, comment in dict(rated).items():
        connection.execute(
            appeals.update().where(appeals.c.id == appeal_id).values(review_comment=comment)
        )
    op.drop_index(op.f("ix_appeal_ratings_appeal_id"), table_name="appeal_ratings")
    op.drop_table("appeal_ratings")
