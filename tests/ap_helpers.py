"""Helpers for the accounts-payable tests: a seeded database and invoices built in code."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine

from core.db import make_engine
from core.domain import Invoice, InvoiceLine
from tools.integrations.seed import load_seed_file
from tools.migrate import upgrade

# From examples/seed/system_of_record.json: vendor V001 (Nordwind), PO-2026-0101.
NORDWIND_IBAN = "DE48200400600123456701"


def seeded_engine(url: str) -> Engine:
    engine = make_engine(url)
    upgrade(engine)
    load_seed_file(engine)
    return engine


def clean_invoice(**overrides: Any) -> Invoice:
    """A clean three-way match against PO-2026-0101 (1838.55 EUR)."""
    lines = [
        InvoiceLine(
            sku="NW-100",
            description="Copy paper A4 80 g, box of 5 reams",
            quantity=Decimal("40"),
            unit_price=Decimal("21.90"),
            amount=Decimal("876.00"),
        ),
        InvoiceLine(
            sku="NW-215",
            description="Toner cartridge TN-2420",
            quantity=Decimal("6"),
            unit_price=Decimal("64.50"),
            amount=Decimal("387.00"),
        ),
        InvoiceLine(
            sku="NW-330",
            description="Ring binder A4, 50 mm",
            quantity=Decimal("120"),
            unit_price=Decimal("2.35"),
            amount=Decimal("282.00"),
        ),
    ]
    values: dict[str, Any] = {
        "vendor_name": "Nordwind Bürobedarf GmbH",
        "invoice_number": "NW-2026-00417",
        "invoice_date": date(2026, 2, 24),
        "currency": "EUR",
        "po_number": "PO-2026-0101",
        "lines": lines,
        "subtotal": Decimal("1545.00"),
        "tax": Decimal("293.55"),
        "total": Decimal("1838.55"),
        "iban": NORDWIND_IBAN,
    }
    values.update(overrides)
    return Invoice(**values)


def verified(engine: Engine, thread_id: str, invoice: Invoice, findings: list[str] | None = None):
    """What the verification agent records for a run: its claim on the invoice's obligation.

    Nodes after verification read what to pay from it, never from state (issue 11).
    """
    from tools import obligations

    return obligations.claim(
        engine,
        vendor_id="V001",
        invoice_number=invoice.invoice_number,
        amount=invoice.total,
        currency=invoice.currency,
        thread_id=thread_id,
        findings=list(findings or []),
    )
