"""Alembic environment: always run from code (tools/migrate.py) on a connection it hands us."""

from __future__ import annotations

from alembic import context

import tools.models  # noqa: F401 - registers every table on Base.metadata
from tools.migrate import VERSION_TABLE
from tools.schema import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things: batch mode recreates the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    # tests replay the layout before 0007 by naming Alembic's default table here
    version_table=context.config.attributes.get("version_table", VERSION_TABLE),
)
with context.begin_transaction():
    context.run_migrations()
