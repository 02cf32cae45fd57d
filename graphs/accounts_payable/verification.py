"""The verification agent: checks an invoice against the system of record.

Vendor (fuzzy name incl. aliases), duplicates of paid invoices, bank details against the
vendor master, and the three-way match of purchase order, goods receipt and invoice within
`settings.price_tolerance`. It reports findings; it never decides the route (nodes/routing).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from langgraph.runtime import Runtime
from sqlalchemy.orm import Session

from core.domain import Invoice, InvoiceLine, POLine, PurchaseOrder, SourceDocument, Vendor
from graphs.accounts_payable.context import Context, context_of
from graphs.accounts_payable.document_checks import (
    check_arithmetic,
    check_credit_note,
    check_document_ibans,
    mask_iban,
    normalise_iban,
)
from graphs.accounts_payable.findings import Finding, VerificationReport
from graphs.accounts_payable.llm_verification import investigate
from graphs.accounts_payable.state import State, step
from nodes.case_memory import recall
from nodes.context import case_store, thread_id_of
from tools import obligations
from tools.executor import CallScope
from tools.integrations import records
from tools.integrations.matching import best_vendor, similarity

EMPTY_VENDOR_MASTER = (
    "the vendor master is empty, so no invoice can be matched: load the books first "
    "(`overture seed` loads the sample system of record)"
)
"""The finding of a run on empty books, wherever it starts (CLI, `langgraph dev`, Aegra)."""


def verify_invoice(
    invoice: Invoice,
    session: Session,
    tolerance: Decimal,
    document: SourceDocument | None = None,
) -> VerificationReport:
    """Every check, reading what it needs from the system of record through `session`."""
    vendors = records.list_vendors(session)
    vendor, score = best_vendor(invoice.vendor_name, vendors)
    if vendor is None:
        return VerificationReport(
            vendor_match_score=round(score, 3),
            po_number=invoice.po_number,
            findings=[
                new_vendor_finding(invoice, score)
                if vendors
                else Finding(code="vendor_unknown", message=EMPTY_VENDOR_MASTER)
            ],
        )
    report = VerificationReport(
        vendor_id=vendor.id,
        vendor_name=vendor.name,
        vendor_match_score=round(score, 3),
        vendor_iban=vendor.iban,
        po_number=invoice.po_number,
    )
    report.findings += check_credit_note(invoice, document)
    report.findings += check_arithmetic(invoice)
    report.findings += check_extraction(invoice)
    report.findings += check_duplicate(invoice, vendor, records.paid_invoices(session, vendor.id))
    report.findings += check_bank_details(invoice, vendor)
    report.findings += check_document_ibans(document, vendor.iban, invoice.iban)
    if not invoice.po_number:
        report.findings.append(
            Finding(
                code="po_missing",
                message="no PO number on the invoice: a purchase order is required",
            )
        )
        return report
    po = records.get_purchase_order(session, invoice.po_number)
    received = records.received_quantities(session, invoice.po_number) if po else {}
    billed = obligations.invoiced_quantities(
        session, invoice.po_number, obligations.obligation_id(vendor.id, invoice.invoice_number)
    )
    report.findings += check_three_way(invoice, vendor, po, received, tolerance, billed)
    return report


def new_vendor_finding(invoice: Invoice, score: float) -> Finding:
    """A seller not in the master is held for an AP clerk to onboard, with what the document
    says of it (`overture vendors add`, then `overture review THREAD`)."""
    details = [f"name {invoice.vendor_name!r}"]
    if invoice.seller_vat_id:
        details.append(f"VAT id {invoice.seller_vat_id}")
    if invoice.iban:
        details.append(f"IBAN {mask_iban(invoice.iban)}")
    return Finding(
        code="vendor_unknown",
        message=f"new vendor, not in the vendor master (best name match {score:.0%}): "
        f"{', '.join(details)}; onboard it with `overture vendors add`, then "
        "`overture review THREAD` verifies the invoice again",
    )


UNCONFIRMED_OCR_FIELDS = ("total", "amount_due", "invoice_number", "iban")
"""Fields money depends on: read by OCR alone, a human confirms them before payment."""


def check_extraction(invoice: Invoice) -> list[Finding]:
    """What the extraction itself doubts: e-invoice XML contradicted by the visible text, and
    money-relevant fields read by OCR alone (a reviewer's `--confirm` clears them)."""
    findings = [Finding(code="einvoice_discrepancy", message=d) for d in invoice.discrepancies]
    from_ocr = [f for f in UNCONFIRMED_OCR_FIELDS if invoice.sources.get(f) == "ocr"]
    if from_ocr:
        findings.append(
            Finding(
                code="unconfirmed_ocr",
                message=f"read from a scan by OCR: {', '.join(from_ocr)}; a reviewer confirms "
                "them (`overture review THREAD --confirm`, or --set FIELD=VALUE)",
            )
        )
    if invoice.amount_due is not None and invoice.amount_due <= 0 < invoice.total:
        findings.append(
            Finding(
                code="nothing_due",
                message=f"amount due {invoice.amount_due} {invoice.currency}: nothing to pay",
            )
        )
    elif invoice.amount_due is not None and invoice.amount_due > invoice.total:
        findings.append(
            Finding(
                code="total_mismatch",
                message=f"amount due {invoice.amount_due} exceeds the total {invoice.total}",
            )
        )
    return findings


def check_duplicate(
    invoice: Invoice, vendor: Vendor, paid: list[records.PaidInvoiceRecord]
) -> list[Finding]:
    """Same vendor and number, or same vendor, total and invoice date, as a paid invoice."""
    number = invoice.invoice_number.strip().upper()
    for done in paid:
        same_number = done.invoice_number.strip().upper() == number
        same_amount_day = (
            done.total == invoice.total
            and invoice.invoice_date is not None
            and done.invoice_date == invoice.invoice_date
        )
        if same_number or same_amount_day:
            how = "number" if same_number else "total and date"
            return [
                Finding(
                    code="duplicate",
                    message=f"duplicate of paid invoice {done.invoice_number} of {vendor.name} "
                    f"(same {how}; {done.total} {done.currency} paid on {done.paid_on})",
                )
            ]
    return []


def check_bank_details(invoice: Invoice, vendor: Vendor) -> list[Finding]:
    """An IBAN on the invoice that is not the master's is the classic payment fraud."""
    on_invoice = normalise_iban(invoice.iban)
    if on_invoice and on_invoice != normalise_iban(vendor.iban):
        return [
            Finding(
                code="bank_details_differ",
                message=f"bank details differ from the vendor master: invoice IBAN "
                f"{mask_iban(on_invoice)}, master {mask_iban(vendor.iban)}",
            )
        ]
    return []


def check_three_way(
    invoice: Invoice,
    vendor: Vendor,
    po: PurchaseOrder | None,
    received: dict[str, Decimal],
    tolerance: Decimal,
    billed_before: dict[str, Decimal] | None = None,
) -> list[Finding]:
    """Invoice lines against PO prices (within `tolerance`) and the quantities received but
    not yet billed by another invoice (paid or in progress): the same goods billed again
    under a new number or date is caught here, whatever the number looks like."""
    if po is None:
        return [Finding(code="po_not_found", message=f"PO {invoice.po_number} not found")]
    if po.vendor_id != vendor.id:
        return [
            Finding(
                code="po_other_vendor",
                message=f"PO {po.number} belongs to vendor {po.vendor_id}, not {vendor.id}",
            )
        ]
    findings: list[Finding] = []
    if po.currency != invoice.currency:
        findings.append(
            Finding(
                code="currency_mismatch",
                message=f"invoice in {invoice.currency}, PO {po.number} in {po.currency}",
            )
        )
    if not invoice.lines:
        findings.append(
            Finding(code="no_lines", message=f"no invoice lines to match against PO {po.number}")
        )
        return findings
    billed: dict[str, Decimal] = defaultdict(Decimal)
    for number, line in enumerate(invoice.lines, 1):
        po_line = _po_line_for(line, po)
        if po_line is None:
            label = line.sku or line.description
            findings.append(
                Finding(
                    code="line_not_on_po",
                    message=f"line {number} ({label}) is not on PO {po.number}",
                    line=number,
                )
            )
            continue
        billed[po_line.sku] += line.quantity
        if po_line.unit_price and _beyond(line.unit_price, po_line.unit_price, tolerance):
            delta = (line.unit_price - po_line.unit_price) / po_line.unit_price
            findings.append(
                Finding(
                    code="price_mismatch",
                    message=f"line {number} ({po_line.sku}): unit price {line.unit_price} "
                    f"is {delta:+.1%} off PO price {po_line.unit_price} "
                    f"(tolerance {tolerance:.0%})",
                    line=number,
                )
            )
    for sku, quantity in billed.items():
        got = received.get(sku, Decimal(0))
        before = (billed_before or {}).get(sku, Decimal(0))
        if quantity > got - before:
            already = f" minus {before.normalize():f} already invoiced" if before else ""
            findings.append(
                Finding(
                    code="quantity_over_received",
                    message=f"{sku}: invoiced quantity {quantity.normalize():f} exceeds "
                    f"received {got.normalize():f}{already} on PO {po.number}",
                )
            )
    return findings


def _po_line_for(line: InvoiceLine, po: PurchaseOrder) -> POLine | None:
    if line.sku:
        for po_line in po.lines:
            if po_line.sku.upper() == line.sku.strip().upper():
                return po_line
    scored = [(similarity(line.description, p.description), p) for p in po.lines]
    score, best = max(scored, key=lambda pair: pair[0], default=(0.0, None))
    return best if score >= 0.8 else None


def _beyond(price: Decimal, reference: Decimal, tolerance: Decimal) -> bool:
    return abs(price - reference) > abs(reference) * tolerance


def claim_obligation(
    context: Context,
    runtime: Runtime[Context],
    invoice: Invoice,
    report: VerificationReport,
    document: SourceDocument | None,
) -> list[Finding]:
    """Claim the invoice's obligation for this run, recording the verified facts in SQL.

    Every run of the same invoice (vendor + number) meets the same obligation: one already
    paid is a duplicate naming its payment; one another run holds is in progress there, and
    this run pays nothing (tools/obligations.py).
    """
    assert report.vendor_id is not None
    with Session(context.engine) as session:
        po = records.get_purchase_order(session, invoice.po_number) if invoice.po_number else None
    claim = obligations.claim(
        context.engine,
        vendor_id=report.vendor_id,
        invoice_number=invoice.invoice_number,
        amount=invoice.payable,
        currency=invoice.currency,
        thread_id=thread_id_of(runtime),
        findings=[finding.code for finding in report.findings],
        document_sha256=document.sha256 if document else None,
        po_number=invoice.po_number,
        quantities=billed_quantities(invoice, po),
    )
    held = claim.obligation
    if claim.verdict == "paid":
        return [
            Finding(
                code="duplicate",
                message=f"invoice {held.invoice_number} of {report.vendor_name} is already "
                f"paid as {claim.payment_id} ({held.amount} {held.currency}, run "
                f"{held.thread_id})",
            )
        ]
    if claim.verdict == "in_progress":
        waiting = (
            f"waiting for approval {held.approval_request_id}"
            if held.approval_request_id
            else "being processed"
        )
        return [
            Finding(
                code="in_progress",
                message=f"invoice {held.invoice_number} of {report.vendor_name} is already "
                f"{waiting} in run {held.thread_id}; this run pays nothing (if that run "
                "stopped, `overture recover` resumes it)",
            )
        ]
    if held.refused:
        return [
            Finding(
                code="previously_refused",
                message=f"invoice {held.invoice_number} was refused before (last run ended "
                f"{held.last_outcome}); an approver decides whether to pay it now",
            )
        ]
    return []


def billed_quantities(invoice: Invoice, po: PurchaseOrder | None) -> dict[str, Decimal]:
    """PO SKU -> quantity this invoice bills, as its obligation records it for the PO."""
    billed: dict[str, Decimal] = defaultdict(Decimal)
    if po is None:
        return {}
    for line in invoice.lines:
        if (po_line := _po_line_for(line, po)) is not None:
            billed[po_line.sku] += line.quantity
    return dict(billed)


def verify(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Graph node: verify the extracted invoice; skipped when ingestion failed."""
    invoice = state.get("invoice")
    if invoice is None or state.get("errors"):
        return {"verification": None, **step("verify", "skipped: no invoice to verify")}
    context = context_of(runtime)
    document = state.get("document")
    with Session(context.engine) as session:
        report = verify_invoice(invoice, session, context.settings.price_tolerance, document)
    if context.verification_model is not None and context.read_tools is not None:
        scope = CallScope(thread_id_of(runtime), "verify", actor="verification-agent")
        report.findings += investigate(
            context.verification_model, invoice, context.read_tools, scope
        )
    if report.vendor_id:
        report.findings += claim_obligation(context, runtime, invoice, report, document)
    store = case_store(runtime)
    if store is not None and report.vendor_id:
        report.past_cases = recall(store, report.vendor_id, invoice)
    outcome = "; ".join(report.messages()) or f"clean match for {report.vendor_name}"
    if report.past_cases:
        cited = ", ".join(f"{c.invoice_number} ({c.outcome})" for c in report.past_cases)
        outcome += f"; recalled past cases of this vendor: {cited}"
    return {"verification": report, **step("verify", outcome)}
