"""System of record, approval requests and audit records

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "approval_requests",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("thread_id", sa.String(length=128), nullable=False),
        sa.Column("tool_name", sa.String(length=100), nullable=False),
        sa.Column("arguments", sa.JSON(), nullable=False),
        sa.Column("payload_hash", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("document_path", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_requests")),
    )
    with op.batch_alter_table("approval_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_approval_requests_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_approval_requests_thread_id"), ["thread_id"], unique=False
        )

    op.create_table(
        "audit_records",
        sa.Column("thread_id", sa.String(length=128), nullable=False),
        sa.Column("document_path", sa.Text(), nullable=False),
        sa.Column("route", sa.String(length=32), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("thread_id", name=op.f("pk_audit_records")),
    )
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_records_outcome"), ["outcome"], unique=False)

    op.create_table(
        "payments",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("vendor_id", sa.String(length=32), nullable=False),
        sa.Column("payee_iban", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("invoice_number", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_payments_idempotency_key")),
    )
    op.create_table(
        "vendors",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("iban", sa.String(length=64), nullable=False),
        sa.Column("bic", sa.String(length=16), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendors")),
    )
    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("vendor_id", sa.String(length=32), nullable=False),
        sa.Column("invoice_number", sa.String(length=64), nullable=False),
        sa.Column("invoice_date", sa.Date(), nullable=True),
        sa.Column("total", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("payment_id", sa.String(length=64), nullable=True),
        sa.Column("source", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendors.id"], name=op.f("fk_invoices_vendor_id_vendors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint(
            "vendor_id", "invoice_number", name=op.f("uq_invoices_vendor_id_invoice_number")
        ),
    )
    op.create_table(
        "purchase_orders",
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("vendor_id", sa.String(length=32), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendors.id"], name=op.f("fk_purchase_orders_vendor_id_vendors")
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_purchase_orders")),
    )
    op.create_table(
        "goods_receipts",
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("po_number", sa.String(length=64), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["po_number"],
            ["purchase_orders.number"],
            name=op.f("fk_goods_receipts_po_number_purchase_orders"),
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_goods_receipts")),
    )
    with op.batch_alter_table("goods_receipts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_goods_receipts_po_number"), ["po_number"], unique=False
        )

    op.create_table(
        "po_lines",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("po_number", sa.String(length=64), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["po_number"],
            ["purchase_orders.number"],
            name=op.f("fk_po_lines_po_number_purchase_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_po_lines")),
        sa.UniqueConstraint("po_number", "line_no", name=op.f("uq_po_lines_po_number_line_no")),
    )
    op.create_table(
        "receipt_lines",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("receipt_number", sa.String(length=64), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("quantity_received", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.ForeignKeyConstraint(
            ["receipt_number"],
            ["goods_receipts.number"],
            name=op.f("fk_receipt_lines_receipt_number_goods_receipts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt_lines")),
        sa.UniqueConstraint(
            "receipt_number", "line_no", name=op.f("uq_receipt_lines_receipt_number_line_no")
        ),
    )


def downgrade() -> None:
    # Children first; dropping a table drops its indexes (MySQL refuses to drop an index
    # a foreign key still needs, so no separate drop_index here).
    for table in (
        "receipt_lines",
        "po_lines",
        "goods_receipts",
        "purchase_orders",
        "invoices",
        "vendors",
        "payments",
        "audit_records",
        "approval_requests",
    ):
        op.drop_table(table)
