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
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

DocumentKind = Literal["pdf", "eml", "text", "xml", "image"]
DocumentType = Literal["invoice", "credit_note"]
FieldSource = Literal["xml", "text", "ocr", "llm", "reviewer"]
"""Where a field's value came from: embedded/standalone e-invoice XML, the visible text, OCR
of a scan, a chat model, or a human reviewer who entered or corrected it."""
TextSource = Literal["text", "ocr"]
Route = Literal["auto_approve", "needs_approval", "human_review", "reject"]


def compact_iban(value: str) -> str | None:
    """The IBAN in compact form when schwifty accepts it (structure, country length,
    checksum); None otherwise."""
    try:
        return str(IBAN(value).compact)
    except SchwiftyException:
        return None


class SourceDocument(BaseModel):
    """A document as read from disk: its text and where it came from, before extraction."""

    path: str = Field(description="Path the document was read from, as given by the user.")
    kind: DocumentKind
    text: str = Field(description="Extracted text; for .eml, the body then each attachment.")
    pages: int = Field(0, description="Pages in the PDF (or the PDF attachment); 0 otherwise.")
    sha256: str = Field(description="Digest of the raw bytes, to tell re-submissions apart.")
    attachments: list[str] = Field(default_factory=list, description="Attachment file names.")
    text_source: TextSource = Field(
        "text", description="`ocr` when `text` was recognised from page images by Tesseract."
    )
    ocr_confidence: float | None = Field(
        None, description="Mean Tesseract word confidence in [0, 1]; None when not OCR'd."
    )
    einvoice_xml: str | None = Field(
        None,
        description="The EN 16931 invoice XML (CII or UBL) when the document is or carries one "
        "(a Factur-X/ZUGFeRD PDF, an XRechnung file or e-mail attachment).",
    )
    einvoice_name: str | None = Field(
        None, description="Where the XML came from: the embedded file or attachment name."
    )


class InvoiceLine(BaseModel):
    """One billed line."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    sku: str | None = None


class _InvoiceFields(BaseModel):
    """Every field an invoice document may state, all optional; `Invoice` and `InvoiceDraft`
    differ only in which of them are required."""

    vendor_name: str | None = Field(None, description="The seller (issuer) of the invoice.")
    invoice_number: str | None = None
    document_type: DocumentType = Field(
        "invoice", description="`credit_note` for a credit note (Gutschrift, avoir)."
    )
    invoice_date: date | None = None
    due_date: date | None = None
    currency: str = Field("EUR", description="ISO 4217 code.")
    po_number: str | None = None
    lines: list[InvoiceLine] = Field(default_factory=list)
    subtotal: Decimal | None = Field(None, description="Net amount (sum of lines, before tax).")
    tax: Decimal | None = None
    total: Decimal | None = Field(
        None, description="Gross amount (net + tax); negative on some credit notes."
    )
    amount_due: Decimal | None = Field(
        None, description="What remains to pay (total less prepayments); None when not stated."
    )
    iban: str | None = Field(None, description="Payee IBAN (or account number) on the document.")
    seller_vat_id: str | None = Field(None, description="The seller's VAT id, e.g. DE123456789.")
    buyer_name: str | None = Field(None, description="The bill-to party: never the vendor.")
    confidence: dict[str, float] = Field(
        default_factory=dict, description="Field name -> extractor confidence in [0, 1]."
    )
    sources: dict[str, FieldSource] = Field(
        default_factory=dict, description="Field name -> where its value came from."
    )
    missing: list[str] = Field(
        default_factory=list, description="Fields looked for and not found on the document."
    )
    discrepancies: list[str] = Field(
        default_factory=list,
        description="Where the visible text contradicts the e-invoice XML, one sentence each: "
        "for the reviewer (verification turns each into a finding).",
    )


SCALAR_FIELDS: tuple[str, ...] = tuple(
    name
    for name in _InvoiceFields.model_fields
    if name not in ("lines", "confidence", "sources", "missing", "discrepancies")
)
"""The invoice's one-value fields, in order: what is extracted, shown and set by name."""


class Invoice(_InvoiceFields):
    """An invoice as extracted from a document, with a confidence in [0, 1] per field."""

    vendor_name: str
    invoice_number: str
    total: Decimal

    @property
    def payable(self) -> Decimal:
        """What the invoice asks to be paid: the amount due when stated (prepayments
        deducted), else the total."""
        return self.amount_due if self.amount_due is not None else self.total


REQUIRED_FIELDS = ("vendor_name", "invoice_number", "total")
"""Without these an invoice cannot be matched, deduplicated or paid."""


class InvoiceDraft(_InvoiceFields):
    """What an extraction found when some required field is missing: every field found, with
    its source and confidence, and `missing` naming the rest. A reviewer completes it."""

    def missing_required(self) -> list[str]:
        """The required fields still without a value."""
        return [name for name in REQUIRED_FIELDS if getattr(self, name) in (None, "")]

    def with_values(
        self, values: dict[str, object], source: FieldSource = "reviewer"
    ) -> InvoiceDraft:
        """A copy with `values` set (strings are parsed: "12.50", "2026-03-01"), each
        recorded as coming from `source` with full confidence; raises `ValueError`
        (pydantic's `ValidationError`) for an unknown field or a value that does not parse."""
        unknown = sorted(set(values) - set(type(self).model_fields))
        if unknown:
            raise ValueError(f"unknown invoice field(s): {', '.join(unknown)}")
        data = self.model_dump()
        data.update(values)
        data["sources"] = {**self.sources, **dict.fromkeys(values, source)}
        data["confidence"] = {**self.confidence, **dict.fromkeys(values, 1.0)}
        draft = InvoiceDraft.model_validate(data)
        draft.missing = [name for name in draft.missing if name not in values]
        return draft

    def complete(self) -> Invoice:
        """The `Invoice`, once every required field has a value; `ValueError` otherwise."""
        if missing := self.missing_required():
            raise ValueError(f"still missing: {', '.join(missing)}")
        return Invoice.model_validate(self.model_dump())


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


class SeedApprover(BaseModel):
    """A demo user with their approval roles, each with its limit."""

    user_id: str
    display_name: str = ""
    roles: dict[str, Decimal] = Field(default_factory=dict)


class SystemOfRecordSeed(BaseModel):
    """The seed file's shape: loaded into the database by `overture demo` and the tests."""

    vendors: list[Vendor]
    purchase_orders: list[PurchaseOrder]
    goods_receipts: list[GoodsReceipt]
    paid_invoices: list[PaidInvoice]
    approvers: list[SeedApprover] = Field(default_factory=list)
    """Added unless they exist (an existing user's roles are never changed), so
    `overture approve ID --as alice` works on the demo books."""
