"""Many distinct text invoices that verify cleanly, and the books they verify against.

Exactly-once is keyed on vendor + invoice number (tools/obligations.py), so the same invoice
twice is held as a duplicate, by design. Load tests and server tests need many distinct clean
invoices: these are examples/documents/13_plain_text.txt (vendor V005, 60 labels, 1,335.84
EUR) with, per index, its own invoice number, dates and purchase order. Each needs its own
order and receipt (`load_books`): verification subtracts what was already invoiced on a PO line
from what was received, so a second invoice on PO-2026-0111 would exceed it; and its own date,
as a paid invoice of the same vendor, total and date is taken for a duplicate. The amount is
below the default approval threshold (10000): a server started with
`OVERTURE_APPROVAL_THRESHOLD=1000` sends each one to the approval gateway.
"""

from __future__ import annotations

import base64
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TypedDict

from sqlalchemy import Engine

from core.domain import GoodsReceipt, POLine, PurchaseOrder, ReceiptLine, SystemOfRecordSeed
from tools.integrations.seed import load_seed

TEMPLATE = Path(__file__).resolve().parents[2] / "examples" / "documents" / "13_plain_text.txt"
TEMPLATE_NUMBER = "MPP-F-2026-0322"
TEMPLATE_PO = "PO-2026-0111"
TEMPLATE_DATES = ("12 Mar 2026", "11 Apr 2026")
"""Invoice date and due date of the template."""
FIRST_DATE = date(2026, 2, 21)
"""The day after the goods were received (GR-2026-0111)."""
AMOUNT = "1335.84"
"""The total due of every sample invoice, EUR."""


class Upload(TypedDict):
    """The server input's `upload` (nodes/ingestion/document_input.py)."""

    name: str
    content_base64: str


def invoice_number(index: int, prefix: str = "LOAD") -> str:
    return f"MPP-{prefix}-{index:06d}"


def po_number(index: int) -> str:
    """The purchase order of invoice `index` (whatever its prefix)."""
    return f"PO-SAMPLE-{index:06d}"


def books(indices: range) -> SystemOfRecordSeed:
    """A purchase order and a full goods receipt per index (vendor V005 is the sample's)."""
    line = POLine(
        sku="MPP-LBL",
        description="Thermal labels 100x150, roll of 500",
        quantity=Decimal("60"),
        unit_price=Decimal("18.40"),
    )
    orders = [PurchaseOrder(number=po_number(i), vendor_id="V005", lines=[line]) for i in indices]
    receipts = [
        GoodsReceipt(
            number=f"GR-SAMPLE-{i:06d}",
            po_number=po_number(i),
            received_on=FIRST_DATE - timedelta(days=1),
            lines=[ReceiptLine(sku="MPP-LBL", quantity_received=Decimal("60"))],
        )
        for i in indices
    ]
    return SystemOfRecordSeed(
        vendors=[], purchase_orders=orders, goods_receipts=receipts, paid_invoices=[]
    )


def load_books(engine: Engine, indices: range) -> None:
    """Add the orders and receipts of invoices `indices` (the sample books must be loaded)."""
    load_seed(engine, books(indices))


def sample(index: int, prefix: str = "LOAD") -> tuple[str, Upload]:
    """The `index`-th distinct invoice: its number and its upload (a day apart each)."""
    number = invoice_number(index, prefix)
    return number, upload(number, index)


def text_invoice(number: str, day: int) -> str:
    """The sample text invoice under another number, dated `day` days after `FIRST_DATE`, on
    purchase order `po_number(day)`."""
    text = TEMPLATE.read_text(encoding="utf-8")
    for expected in (TEMPLATE_NUMBER, TEMPLATE_PO, *TEMPLATE_DATES):
        assert expected in text, f"{TEMPLATE} no longer carries {expected!r}"
    issued = FIRST_DATE + timedelta(days=day)
    due = issued + timedelta(days=30)
    text = text.replace(TEMPLATE_DATES[0], f"{issued:%d %b %Y}")
    text = text.replace(TEMPLATE_DATES[1], f"{due:%d %b %Y}")
    text = text.replace(TEMPLATE_PO, po_number(day))
    return text.replace(TEMPLATE_NUMBER, number)


def upload(number: str, day: int) -> Upload:
    """`{"upload": ...}` for the server input: the invoice as a `.txt` file."""
    content = base64.b64encode(text_invoice(number, day).encode("utf-8")).decode("ascii")
    return {"name": f"{number}.txt", "content_base64": content}
