"""blocklist places: each blocked number is blocked for a place, kept by that place's staff

Until now one list held reports from everywhere, and any secretary could remove any entry.
Each entry now has the place it holds reports for. Entries made before the upgrade get the
district of whoever added them (the district around the place of their secretary, officer or
administrator role), so that they keep holding reports across that district and are kept by
its administrators (its secretaries and officers see them, without removing them). An entry
whose author held the role for the whole portal, or is unknown, gets the district when there
is only one; with several districts it stays for everywhere (place NULL), as it was, kept by
administrators of the whole portal.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEEPERS = ("secretary", "officer", "admin")


def upgrade() -> None:
    with op.batch_alter_table("blocked_phones", schema=None) as batch_op:
        batch_op.add_column(sa.Column("place_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_blocked_phones_place_id_places"), "places", ["place_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_blocked_phones_place_id"), ["place_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_blocked_phones_phone"), ["phone"], unique=False)
        batch_op.drop_constraint("uq_blocked_phones_phone", type_="unique")
    with op.batch_alter_table("blocked_phones", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_blocked_phones_phone"), ["phone", "place_id"]
        )
    _place_existing_entries(op.get_bind())


def _place_existing_entries(connection: sa.Connection) -> None:
    tables = sa.MetaData()
    blocked = sa.Table("blocked_phones", tables, autoload_with=connection)
    grants = sa.Table("role_grants", tables, autoload_with=connection)
    places = sa.Table("places", tables, autoload_with=connection)
    districts = connection.execute(
        sa.select(places.c.id).where(places.c.parent_id.is_(None), places.c.kind == "district")
    ).scalars()
    only_district = districts.all()
    only_district = only_district[0] if len(only_district) == 1 else None
    entries = connection.execute(sa.select(blocked.c.id, blocked.c.blocked_by_id)).all()
    for entry_id, author_id in entries:
        # A path is "/district/street/community/": its first id is the district's.
        path = connection.scalar(
            sa.select(places.c.path)
            .join(grants, grants.c.place_id == places.c.id)
            .where(grants.c.user_id == author_id, grants.c.role.in_(KEEPERS))
            .order_by(places.c.path)
            .limit(1)
        )
        district = int(path.strip("/").split("/")[0]) if path else only_district
        connection.execute(
            blocked.update().where(blocked.c.id == entry_id).values(place_id=district)
        )


def downgrade() -> None:
    # One number, one entry again: the oldest of its entries stays.
    connection = op.get_bind()
    tables = sa.MetaData()
    blocked = sa.Table("blocked_phones", tables, autoload_with=connection)
    oldest = sa.select(sa.func.min(blocked.c.id)).group_by(blocked.c.phone)
    connection.execute(blocked.delete().where(blocked.c.id.not_in(oldest)))
    with op.batch_alter_table("blocked_phones", schema=None) as batch_op:
        batch_op.drop_constraint("uq_blocked_phones_phone", type_="unique")
    with op.batch_alter_table("blocked_phones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_blocked_phones_phone"))
        batch_op.drop_index(batch_op.f("ix_blocked_phones_place_id"))
        batch_op.drop_constraint("fk_blocked_phones_place_id_places", type_="foreignkey")
        batch_op.drop_column("place_id")
        batch_op.create_unique_constraint("uq_blocked_phones_phone", ["phone"])
