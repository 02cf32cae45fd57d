"""Issue 4: frozen approval terms; decision ids so a replayed decision is recognised

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "approval_terms",
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_approval_terms")),
    )
    with op.batch_alter_table("approval_votes") as batch:
        batch.add_column(sa.Column("decision_id", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(
            op.f("uq_approval_votes_request_id_decision_id"), ["request_id", "decision_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("approval_votes") as batch:
        batch.drop_constraint(op.f("uq_approval_votes_request_id_decision_id"), type_="unique")
        batch.drop_column("decision_id")
    op.drop_table("approval_terms")
