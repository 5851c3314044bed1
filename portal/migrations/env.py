"""Alembic environment: migrations run on a connection handed over by the caller."""

from alembic import context

import portal.models  # noqa: F401  (every model, so the metadata is complete)
from portal.db import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
