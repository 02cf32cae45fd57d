"""Text invoices that verify cleanly against the sample books, each with its own number.

Exactly-once is keyed on vendor + invoice number (tools/obligations.py), so the same invoice
twice is held as a duplicate, by design. Load tests and server tests need many distinct
clean invoices: these are examples/documents/13_plain_text.txt (vendor V005, PO-2026-0111,
60 labels received, 1,335.84 EUR) with the invoice number and dates changed. Verification
compares an invoice's lines with the purchase order and the receipt, not with earlier invoices,
so every copy matches; the dates differ because a paid invoice of the same vendor, total and
date is taken for a duplicate (and rejected). The amount is below the default approval
threshold (10000): a server started with `OVERTURE_APPROVAL_THRESHOLD=1000` sends each one
to the approval gateway.
"""

from __future__ import annotations

import base64
from datetime import date, timedelta
from pathlib import Path
from typing import TypedDict

TEMPLATE = Path(__file__).resolve().parents[1] / "examples" / "documents" / "13_plain_text.txt"
TEMPLATE_NUMBER = "MPP-F-2026-0322"
TEMPLATE_DATES = ("12 Mar 2026", "11 Apr 2026")
"""Invoice date and due date of the template."""
FIRST_DATE = date(2026, 2, 21)
"""The day after the goods were received (GR-2026-0111)."""
AMOUNT = "1335.84"
"""The total due of every sample invoice, EUR."""


class Upload(TypedDict):
    """The server input's `upload` (nodes/document_input.py)."""

    name: str
    content_base64: str


def invoice_number(index: int, prefix: str = "LOAD") -> str:
    return f"MPP-{prefix}-{index:06d}"


def sample(index: int, prefix: str = "LOAD") -> tuple[str, Upload]:
    """The `index`-th distinct invoice: its number and its upload (a day apart each)."""
    number = invoice_number(index, prefix)
    return number, upload(number, index)


def text_invoice(number: str, day: int) -> str:
    """The sample text invoice under another number, dated `day` days after `FIRST_DATE`."""
    text = TEMPLATE.read_text(encoding="utf-8")
    for expected in (TEMPLATE_NUMBER, *TEMPLATE_DATES):
        assert expected in text, f"{TEMPLATE} no longer carries {expected!r}"
    issued = FIRST_DATE + timedelta(days=day)
    due = issued + timedelta(days=30)
    text = text.replace(TEMPLATE_DATES[0], f"{issued:%d %b %Y}")
    text = text.replace(TEMPLATE_DATES[1], f"{due:%d %b %Y}")
    return text.replace(TEMPLATE_NUMBER, number)


def upload(number: str, day: int) -> Upload:
    """`{"upload": ...}` for the server input: the invoice as a `.txt` file."""
    content = base64.b64encode(text_invoice(number, day).encode("utf-8")).decode("ascii")
    return {"name": f"{number}.txt", "content_base64": content}
