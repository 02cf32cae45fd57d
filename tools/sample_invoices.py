"""Text invoices that verify cleanly against the sample books, each with its own number.

Exactly-once is keyed on vendor + invoice number (tools/obligations.py), so the same invoice
twice is held as a duplicate, by design. Load tests and server tests need many distinct
clean invoices: these are examples/documents/13_plain_text.txt (vendor V005, PO-2026-0111,
60 labels received, 1,335.84 EUR) with only the invoice number changed. Verification compares
an invoice's lines with the purchase order and the receipt, not with earlier invoices, so
every copy matches; the amount is below the default approval threshold (10000): a server
started with `OVERTURE_APPROVAL_THRESHOLD=1000` sends each one to the approval gateway.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import TypedDict

TEMPLATE = Path(__file__).resolve().parents[1] / "examples" / "documents" / "13_plain_text.txt"
TEMPLATE_NUMBER = "MPP-F-2026-0322"
AMOUNT = "1335.84"
"""The total due of every sample invoice, EUR."""


class Upload(TypedDict):
    """The server input's `upload` (nodes/document_input.py)."""

    name: str
    content_base64: str


def invoice_number(index: int, prefix: str = "LOAD") -> str:
    return f"MPP-{prefix}-{index:06d}"


def text_invoice(number: str) -> str:
    """The sample text invoice under another invoice number."""
    text = TEMPLATE.read_text(encoding="utf-8")
    assert TEMPLATE_NUMBER in text, f"{TEMPLATE} no longer carries {TEMPLATE_NUMBER}"
    return text.replace(TEMPLATE_NUMBER, number)


def upload(number: str) -> Upload:
    """`{"upload": ...}` for the server input: the invoice as a `.txt` file."""
    content = base64.b64encode(text_invoice(number).encode("utf-8")).decode("ascii")
    return {"name": f"{number}.txt", "content_base64": content}
