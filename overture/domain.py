"""Domain objects shared by agents and tools: what a document says and what the books hold.

The contract between the engineers building issue 3 (documents vs process) is in
examples/CONTRACT.md: read it before changing anything here.

Money is `Decimal` throughout; amounts are never floats. These models are the contract
between ingestion (which produces an `Invoice`), verification (which reads the system of
record) and execution (which pays).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

DocumentKind = Literal["pdf", "eml", "text"]
Route = Literal["auto_approve", "needs_approval", "human_review", "reject"]


class SourceDocument(BaseModel):
    """A document as read from disk: its text and where it came from, before extraction."""

    path: str = Field(description="Path the document was read from, as given by the user.")
    kind: DocumentKind
    text: str = Field(description="Extracted text; for .eml, the body then each attachment.")
    pages: int = Field(0, description="Pages in the PDF (or the PDF attachment); 0 otherwise.")
    sha256: str = Field(description="Digest of the raw bytes, to tell re-submissions apart.")
    attachments: list[str] = Field(default_factory=list, description="Attachment file names.")


class InvoiceLine(BaseModel):
    """One billed line."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    sku: str | None = None


class Invoice(BaseModel):
    """An invoice as extracted from a document, with a confidence in [0, 1] per field."""

    vendor_name: str
    invoice_number: str
    invoice_date: date | None = None
    due_date: date | None = None
    currency: str = Field("EUR", description="ISO 4217 code.")
    po_number: str | None = None
    lines: list[InvoiceLine] = Field(default_factory=list)
    subtotal: Decimal | None = None
    tax: Decimal | None = None
    total: Decimal
    iban: str | None = Field(None, description="Payee IBAN (or account number) on the document.")
    confidence: dict[str, float] = Field(
        default_factory=dict, description="Field name -> extractor confidence in [0, 1]."
    )


# --- The system of record, as seeded from examples/seed/system_of_record.json -------------


class Vendor(BaseModel):
    """A vendor master record: who may be paid, and to which account."""

    id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    iban: str
    bic: str | None = None
    country: str
    currency: str = "EUR"


class POLine(BaseModel):
    sku: str
    description: str
    quantity: Decimal
    unit_price: Decimal


class PurchaseOrder(BaseModel):
    number: str
    vendor_id: str
    currency: str = "EUR"
    lines: list[POLine]


class ReceiptLine(BaseModel):
    sku: str
    quantity_received: Decimal


class GoodsReceipt(BaseModel):
    number: str
    po_number: str
    received_on: date
    lines: list[ReceiptLine]


class PaidInvoice(BaseModel):
    """An invoice already paid: the basis of duplicate detection."""

    vendor_id: str
    invoice_number: str
    total: Decimal
    currency: str = "EUR"
    paid_on: date


class SystemOfRecordSeed(BaseModel):
    """The seed file's shape: loaded into the database by `overture demo` and the tests."""

    vendors: list[Vendor]
    purchase_orders: list[PurchaseOrder]
    goods_receipts: list[GoodsReceipt]
    paid_invoices: list[PaidInvoice]
