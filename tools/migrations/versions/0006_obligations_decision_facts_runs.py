"""Issue 11: obligations (exactly-once per vendor + invoice), decision facts, the run log,
vendor bank-detail changes

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decision_facts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(length=40), nullable=False),
        sa.Column("thread_id", sa.String(length=128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("approver", sa.String(length=100), nullable=True),
        sa.Column("verdict", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_facts")),
        sa.UniqueConstraint(
            "request_id",
            "thread_id",
            "position",
            name=op.f("uq_decision_facts_request_id_thread_id_position"),
        ),
    )
    with op.batch_alter_table("decision_facts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_decision_facts_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "obligations",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("vendor_id", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("invoice_number", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("thread_id", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("clean", sa.Boolean(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=True),
        sa.Column("approval_request_id", sa.String(length=40), nullable=True),
        sa.Column("payment_id", sa.String(length=64), nullable=True),
        sa.Column("last_outcome", sa.String(length=32), nullable=True),
        sa.Column("refused", sa.Boolean(), nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.Column("po_number", sa.String(length=64), nullable=True),
        sa.Column("quantities", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_obligations")),
        sa.UniqueConstraint(
            "vendor_id", "reference", name=op.f("uq_obligations_vendor_id_reference")
        ),
    )
    with op.batch_alter_table("obligations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_obligations_po_number"), ["po_number"], unique=False)
        batch_op.create_index(batch_op.f("ix_obligations_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_obligations_thread_id"), ["thread_id"], unique=False)

    # Named `overture_runs` since 0007 (Aegra has a `runs` table in the same database); a
    # database migrated before then got `runs` here and 0007 moves it.
    op.create_table(
        "overture_runs",
        sa.Column("thread_id", sa.String(length=128), nullable=False),
        sa.Column("workflow", sa.String(length=64), nullable=False),
        sa.Column("document_path", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("thread_id", name=op.f("pk_overture_runs")),
    )
    with op.batch_alter_table("overture_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_overture_runs_status"), ["status"], unique=False)

    op.create_table(
        "vendor_bank_changes",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("vendor_id", sa.String(length=32), nullable=False),
        sa.Column("old_iban", sa.String(length=64), nullable=False),
        sa.Column("new_iban", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("proposed_by", sa.String(length=100), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by", sa.String(length=100), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_bank_changes")),
    )
    with op.batch_alter_table("vendor_bank_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vendor_bank_changes_vendor_id"), ["vendor_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("vendor_bank_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vendor_bank_changes_vendor_id"))

    op.drop_table("vendor_bank_changes")
    with op.batch_alter_table("overture_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_overture_runs_status"))

    op.drop_table("overture_runs")
    with op.batch_alter_table("obligations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_obligations_thread_id"))
        batch_op.drop_index(batch_op.f("ix_obligations_status"))
        batch_op.drop_index(batch_op.f("ix_obligations_po_number"))

    op.drop_table("obligations")
    with op.batch_alter_table("decision_facts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_facts_request_id"))

    op.drop_table("decision_facts")
