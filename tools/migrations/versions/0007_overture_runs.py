"""Move `runs` to `overture_runs`: Aegra keeps its own `runs` table in the same database.

0006 now creates `overture_runs` itself; this moves the table of a database migrated by the
0006 of before. Aegra's `runs` (no `workflow` column) is never touched.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

COLUMNS = "thread_id, workflow, document_path, status, outcome, host, pid, started_at, updated_at"


def _create(name: str) -> None:
    op.create_table(
        name,
        sa.Column("thread_id", sa.String(length=128), nullable=False),
        sa.Column("workflow", sa.String(length=64), nullable=False),
        sa.Column("document_path", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("thread_id", name=op.f(f"pk_{name}")),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{name}_status"), ["status"], unique=False)


def _move(source: str, target: str) -> None:
    """Copy every row, then drop the old table (a plain rename would keep the old index and
    constraint names, and SQLite, PostgreSQL and MariaDB rename those differently)."""
    if target in sa.inspect(op.get_bind()).get_table_names():
        op.drop_table(target)  # created empty by a later 0006
    _create(target)
    op.execute(f"INSERT INTO {target} ({COLUMNS}) SELECT {COLUMNS} FROM {source}")
    with op.batch_alter_table(source, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f(f"ix_{source}_status"))
    op.drop_table(source)


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if "runs" not in inspector.get_table_names():
        return
    if "workflow" in {column["name"] for column in inspector.get_columns("runs")}:
        _move("runs", "overture_runs")


def downgrade() -> None:
    """Nothing: 0006's downgrade drops `overture_runs`."""
