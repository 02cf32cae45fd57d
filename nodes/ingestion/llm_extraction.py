"""The `llm` ingestion strategy: structured output into an `Invoice`, repaired, then rules.

The model fills a model-facing schema (`ExtractedInvoice`: amounts and dates as text, so a
model's formatting slips surface as validation errors it can be told about) through tool
calling, which every OpenAI-compatible server and LangChain's fakes support. Validation and
consistency errors go back to the model a bounded number of times; after that the rules
extractor takes over and the case is flagged for a human.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from pydantic import BaseModel, Field, ValidationError

from core.domain import Invoice, InvoiceDraft, InvoiceLine, SourceDocument
from nodes.ingestion import prompts
from nodes.ingestion.errors import ExtractionError

_TOTALS_TOLERANCE = Decimal("0.02")


class ExtractedLine(BaseModel):
    """One invoice line as the model reads it."""

    description: str
    quantity: str = Field(description='Plain decimal, e.g. "10" or "2.5".')
    unit_price: str = Field(description='Plain decimal with a dot, e.g. "12.50".')
    amount: str = Field(description="Line total, plain decimal with a dot.")
    sku: str | None = Field(None, description="Article number or SKU if printed.")


class ExtractedInvoice(BaseModel):
    """Record the fields of the invoice in the document."""

    vendor_name: str = Field(description="The issuing company's name.")
    invoice_number: str
    invoice_date: str | None = Field(None, description="ISO date, YYYY-MM-DD.")
    due_date: str | None = Field(None, description="ISO date, YYYY-MM-DD.")
    currency: str = Field("EUR", description="ISO 4217 code.")
    po_number: str | None = Field(None, description="Purchase order reference, if printed.")
    lines: list[ExtractedLine] = Field(default_factory=list)
    subtotal: str | None = None
    tax: str | None = None
    total: str = Field(description='Amount due, plain decimal with a dot, e.g. "1234.50".')
    iban: str | None = Field(None, description="Payee IBAN exactly as printed, without spaces.")
    document_type: Literal["invoice", "credit_note"] = Field(
        "invoice", description="credit_note for a credit note (Gutschrift, avoir)."
    )
    amount_due: str | None = Field(
        None, description="Amount still to pay after prepayments, plain decimal, if printed."
    )
    seller_vat_id: str | None = Field(None, description="The seller's VAT id, e.g. DE123456789.")
    buyer_name: str | None = Field(None, description="The bill-to party (never the seller).")


class LLMFallback(ExtractionError):
    """The model never produced a valid invoice; `invoice` is the rules extraction, for review
    (or, when the rules could not complete one either, `draft` holds what they found)."""

    def __init__(
        self,
        path: str,
        problem: str,
        invoice: Invoice | None,
        draft: InvoiceDraft | None = None,
    ) -> None:
        super().__init__(path, problem, [])
        self.invoice = invoice
        self.draft = draft


def _decimal(value: str | None, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(value.replace(" ", ""))
    except InvalidOperation as error:
        raise ValueError(f"{field}: {value!r} is not a plain decimal like 1234.50") from error


def _date(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"{field}: {value!r} is not an ISO date like 2026-11-24") from error


def to_invoice(draft: ExtractedInvoice) -> Invoice:
    """Convert and cross-check the model's fields; raise ValueError naming every problem."""
    problems: list[str] = []

    def attempt(fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except ValueError as error:
            problems.append(str(error))
            return None

    lines = [
        InvoiceLine(
            description=line.description,
            quantity=attempt(_decimal, line.quantity, f"lines[{i}].quantity") or Decimal(0),
            unit_price=attempt(_decimal, line.unit_price, f"lines[{i}].unit_price") or Decimal(0),
            amount=attempt(_decimal, line.amount, f"lines[{i}].amount") or Decimal(0),
            sku=line.sku,
        )
        for i, line in enumerate(draft.lines)
    ]
    total = attempt(_decimal, draft.total, "total")
    subtotal = attempt(_decimal, draft.subtotal, "subtotal")
    tax = attempt(_decimal, draft.tax, "tax")
    amount_due = attempt(_decimal, draft.amount_due, "amount_due")
    invoice_date = attempt(_date, draft.invoice_date, "invoice_date")
    due_date = attempt(_date, draft.due_date, "due_date")
    if len(draft.currency) != 3 or not draft.currency.isalpha():
        problems.append(f"currency: {draft.currency!r} is not an ISO 4217 code like EUR")
    if total is not None and subtotal is not None and tax is not None:
        if abs(subtotal + tax - total) > _TOTALS_TOLERANCE:
            problems.append(f"subtotal {subtotal} + tax {tax} does not equal total {total}")
    if problems or total is None:
        raise ValueError("; ".join(problems) or "total is required")
    return Invoice(
        vendor_name=draft.vendor_name.strip(),
        invoice_number=draft.invoice_number.strip(),
        invoice_date=invoice_date,
        due_date=due_date,
        currency=draft.currency.upper(),
        po_number=(draft.po_number or "").strip() or None,
        lines=lines,
        subtotal=subtotal,
        tax=tax,
        total=total,
        iban=(draft.iban or "").replace(" ", "").upper() or None,
        document_type=draft.document_type,
        amount_due=amount_due,
        seller_vat_id=(draft.seller_vat_id or "").replace(" ", "").upper() or None,
        buyer_name=(draft.buyer_name or "").strip() or None,
        confidence={name: 0.9 for name in ExtractedInvoice.model_fields if getattr(draft, name)},
        sources={name: "llm" for name in ExtractedInvoice.model_fields if getattr(draft, name)},
    )


class LLMExtractor:
    """Extract with a chat model; after `repairs` failed corrections, fall back to `fallback`."""

    def __init__(self, model: BaseChatModel, fallback: Any, *, repairs: int = 2) -> None:
        self.model = model.bind_tools([ExtractedInvoice], tool_choice="ExtractedInvoice")
        self.fallback = fallback
        self.repairs = repairs
        self.prompt_version = prompts.EXTRACTION_PROMPT_VERSION

    def extract(self, document: SourceDocument) -> Invoice:
        if document.einvoice_xml:
            # An EN 16931 e-invoice states its fields exactly: read, never interpreted.
            return self.fallback.extract(document)
        messages: list[BaseMessage] = [
            SystemMessage(prompts.EXTRACTION_SYSTEM),
            HumanMessage(
                prompts.EXTRACTION_USER.format(
                    kind=document.kind,
                    path=document.path,
                    document=prompts.delimit_document(document.text),
                )
            ),
        ]
        errors = "no attempt made"
        for _ in range(1 + self.repairs):
            reply = self.model.invoke(messages)
            assert isinstance(reply, AIMessage)
            messages.append(reply)
            call = next((c for c in reply.tool_calls if c["name"] == "ExtractedInvoice"), None)
            if call is None:
                errors = "no ExtractedInvoice tool call in the reply"
                messages.append(HumanMessage(prompts.EXTRACTION_REPAIR.format(errors=errors)))
                continue
            try:
                return to_invoice(ExtractedInvoice.model_validate(call["args"]))
            except (ValidationError, ValueError) as error:
                errors = str(error)
                repair = prompts.EXTRACTION_REPAIR.format(errors=errors)
                messages.append(ToolMessage(repair, tool_call_id=call["id"] or "", status="error"))
        rules_draft: InvoiceDraft | None = None
        try:
            rules_invoice = self.fallback.extract(document)
        except ExtractionError as error:
            rules_invoice, rules_draft = None, getattr(error, "draft", None)
        raise LLMFallback(
            document.path,
            f"the model's extraction failed validation {1 + self.repairs} times ({errors}); "
            "rules extraction kept for human review",
            rules_invoice,
            rules_draft,
        )
