"""Checks of an invoice against itself and its own document, before it is matched to the books.

A clean three-way match says the lines agree with the purchase order; it says nothing about
the total, the one figure that is paid. Issue 11 saw a "Total due" raised to 9,990.00 with the
lines and VAT unchanged auto-paid, a credit note (total -1,335.84, "refund to ...") paid as
+1,335.84, and a second IBAN in the document body pass unremarked. Each is a finding here, so
routing sends the invoice to a human with the problem named.
"""

from __future__ import annotations

import re
from decimal import Decimal

from core.domain import Invoice, SourceDocument, compact_iban
from graphs.accounts_payable.findings import Finding

ROUNDING = Decimal("0.02")
"""Per line: invoices round each line and the tax separately, so sums drift by cents."""

CREDIT_NOTE_WORDS = re.compile(
    r"\b(credit\s*note|credit\s*memo|gutschrift|rechnungskorrektur|stornorechnung|avoir|"
    r"note\s+de\s+cr[ée]dit|creditnota|nota\s+(?:di\s+)?credito|nota\s+de\s+cr[ée]dito|"
    r"faktura\s+koryguj[aą]ca|refund(?:ed)?\s+to)\b",
    re.IGNORECASE,
)
"""Wording that makes a document a credit note (en, de, fr, nl, it, es, pl)."""

HEADER_LINES = 15
"""Credit-note wording counts in the document's title block only: "Gutschrift" or "refund"
in payment terms far below ("credited to your account") says nothing of the document."""

CUSTOMER_ACCOUNT = re.compile(
    r"(debtor|customer|your\s+account|direct\s+debit|mandate|lastschrift|ihr\s+konto|"
    r"kunden|pr[ée]l[èe]vement|votre\s+compte|incasso|uw\s+rekening)",
    re.IGNORECASE,
)
"""A line naming the buyer's own account (a direct-debit invoice): not a payee account."""

_IBAN_CANDIDATE = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b")


def check_arithmetic(invoice: Invoice) -> list[Finding]:
    """Total = lines + tax (within rounding), and the subtotal is the sum of the lines."""
    findings: list[Finding] = []
    allowed = ROUNDING * max(1, len(invoice.lines))
    lines = sum((line.amount for line in invoice.lines), Decimal(0)) if invoice.lines else None
    net = invoice.subtotal if invoice.subtotal is not None else lines
    if (
        lines is not None
        and invoice.subtotal is not None
        and abs(invoice.subtotal - lines) > allowed
    ):
        findings.append(
            Finding(
                code="total_mismatch",
                message=f"subtotal {invoice.subtotal} is not the sum of the lines {lines} "
                f"(difference {invoice.subtotal - lines:+})",
            )
        )
    if net is None:
        return findings
    expected = net + (invoice.tax or Decimal(0))
    if abs(invoice.total - expected) > allowed:
        tax = f" + tax {invoice.tax}" if invoice.tax is not None else " (no tax stated)"
        findings.append(
            Finding(
                code="total_mismatch",
                message=f"total {invoice.total} {invoice.currency} is not net {net}{tax} = "
                f"{expected} (difference {invoice.total - expected:+})",
            )
        )
    return findings


def check_credit_note(invoice: Invoice, document: SourceDocument | None) -> list[Finding]:
    """A credit note asks for money back; it is never paid out as a payment."""
    kind = getattr(invoice, "document_type", "invoice")
    header = "\n".join(_lines(document.text)[:HEADER_LINES]) if document is not None else ""
    words = CREDIT_NOTE_WORDS.search(header)
    if invoice.total > 0 and kind != "credit_note" and words is None:
        return []
    why = (
        f"total {invoice.total} {invoice.currency} is not positive"
        if invoice.total <= 0
        else f"the document says {words.group(0)!r}"
        if words
        else "the document is typed as a credit note"
    )
    return [
        Finding(
            code="credit_note",
            message=f"credit note, not an invoice: {why}; book it against the vendor's "
            "account, never pay it",
        )
    ]


def normalise_iban(value: str | None) -> str | None:
    """IBANs compare without spaces and case ("DE48 2004 ..." == "de482004...")."""
    return "".join(value.split()).upper() if value else None


def mask_iban(iban: str) -> str:
    """Country, check digits and the last four: enough to tell accounts apart in a log."""
    compact = normalise_iban(iban) or ""
    return f"{compact[:4]}…{compact[-4:]}" if len(compact) > 8 else "****"


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def ibans_in(text: str) -> list[str]:
    """Every valid IBAN in `text` (checksum and length checked by schwifty), compact, but
    on lines that name the customer's own account (direct debit)."""
    found: list[str] = []
    payee_text = "\n".join(line for line in text.splitlines() if not CUSTOMER_ACCOUNT.search(line))
    for match in _IBAN_CANDIDATE.finditer(payee_text.upper()):
        candidate = match.group(0)
        for end in range(len(candidate), 14, -1):  # the match may run into the next word
            if (iban := compact_iban(candidate[:end])) is not None:
                if iban not in found:
                    found.append(iban)
                break
    return found


def check_document_ibans(
    document: SourceDocument | None, master_iban: str, on_invoice: str | None = None
) -> list[Finding]:
    """Every IBAN in the document that is not the vendor master's is a finding (but the
    invoice's payee IBAN, which `check_bank_details` already names)."""
    if document is None:
        return []
    known = (normalise_iban(master_iban), normalise_iban(on_invoice))
    return [
        Finding(
            code="bank_details_differ",
            message=f"the document names an account that is not the vendor master's: "
            f"{mask_iban(iban)} (master {mask_iban(master_iban)})",
        )
        for iban in ibans_in(document.text)
        if iban not in known
    ]
