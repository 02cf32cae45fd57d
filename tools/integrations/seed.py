"""Load a `SystemOfRecordSeed` (examples/seed/system_of_record.json) into the database.

Idempotent: rows are merged by primary key, lines replaced, and paid invoices matched on
(vendor, invoice number), so `overture demo` can seed on every start without duplicates.
Invoices the workflow itself paid are left alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.domain import SystemOfRecordSeed
from tools.approval.approvers import add_approver, get_approver, grant
from tools.integrations.records import (
    GoodsReceiptRow,
    InvoiceRow,
    POLineRow,
    PurchaseOrderRow,
    ReceiptLineRow,
    VendorRow,
)

DEFAULT_SEED = Path(__file__).resolve().parents[2] / "examples" / "seed" / "system_of_record.json"


def read_seed(path: Path = DEFAULT_SEED) -> SystemOfRecordSeed:
    """Parse and validate a seed file (a clear pydantic error names the bad field)."""
    return SystemOfRecordSeed.model_validate_json(Path(path).read_text(encoding="utf-8"))


def load_seed(engine: Engine, seed: SystemOfRecordSeed) -> dict[str, int]:
    """Upsert every seed record; return counts per kind (for the demo's banner)."""
    with Session(engine) as session, session.begin():
        for vendor in seed.vendors:
            session.merge(VendorRow(**vendor.model_dump()))
        session.flush()
        for po in seed.purchase_orders:
            row = session.get(PurchaseOrderRow, po.number) or PurchaseOrderRow(number=po.number)
            row.vendor_id, row.currency = po.vendor_id, po.currency
            _clear(session, row.lines)
            row.lines = [
                POLineRow(line_no=i, **line.model_dump()) for i, line in enumerate(po.lines, 1)
            ]
            session.add(row)
        session.flush()
        for receipt in seed.goods_receipts:
            row_r = session.get(GoodsReceiptRow, receipt.number) or GoodsReceiptRow(
                number=receipt.number
            )
            row_r.po_number, row_r.received_on = receipt.po_number, receipt.received_on
            _clear(session, row_r.lines)
            row_r.lines = [
                ReceiptLineRow(line_no=i, **line.model_dump())
                for i, line in enumerate(receipt.lines, 1)
            ]
            session.add(row_r)
        for paid in seed.paid_invoices:
            existing = session.scalar(
                select(InvoiceRow).where(
                    InvoiceRow.vendor_id == paid.vendor_id,
                    InvoiceRow.invoice_number == paid.invoice_number,
                )
            )
            if existing is None:
                session.add(
                    InvoiceRow(
                        vendor_id=paid.vendor_id,
                        invoice_number=paid.invoice_number,
                        total=paid.total,
                        currency=paid.currency,
                        status="paid",
                        paid_on=paid.paid_on,
                        source="seed",
                    )
                )
    for approver in seed.approvers:
        if get_approver(engine, approver.user_id) is None:
            add_approver(engine, approver.user_id, approver.display_name)
            for role, limit in approver.roles.items():
                grant(engine, approver.user_id, role, limit)
    return {
        "vendors": len(seed.vendors),
        "purchase_orders": len(seed.purchase_orders),
        "goods_receipts": len(seed.goods_receipts),
        "paid_invoices": len(seed.paid_invoices),
        "approvers": len(seed.approvers),
    }


def _clear(session: Session, lines: list[Any]) -> None:
    """Delete a parent's lines before re-adding them: the (parent, line_no) unique
    constraint would otherwise see the new rows inserted before the old ones are deleted."""
    if lines:
        lines.clear()
        session.flush()


def load_seed_file(engine: Engine, path: Path = DEFAULT_SEED) -> dict[str, int]:
    return load_seed(engine, read_seed(path))
