"""What verification found: typed findings and the report routing decides on.

Kept apart from graphs/accounts_payable/verification.py so routing, audit and the CLI read the
report without importing the checks (and the `llm` strategy of a later issue can produce the same
report).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from nodes.case_memory import PastCase

FindingCode = Literal[
    "vendor_unknown",
    "duplicate",
    "bank_details_differ",
    "po_missing",
    "po_not_found",
    "po_other_vendor",
    "price_mismatch",
    "quantity_over_received",
    "line_not_on_po",
    "currency_mismatch",
    "no_lines",
    "agent_concern",
    "total_mismatch",
    "credit_note",
    "in_progress",
    "previously_refused",
    "einvoice_discrepancy",
    "unconfirmed_ocr",
    "nothing_due",
]


class Finding(BaseModel):
    """One problem found by verification, with the evidence a reviewer needs."""

    code: FindingCode
    message: str = Field(description="Human-readable, names the line/field concerned.")
    line: int | None = Field(None, description="1-based invoice line, when line-specific.")


class VerificationReport(BaseModel):
    """The verification agent's output: the matched vendor (if any) and every finding."""

    vendor_id: str | None = None
    vendor_name: str | None = None
    vendor_match_score: float = Field(0.0, description="Fuzzy name match score in [0, 1].")
    vendor_iban: str | None = Field(None, description="IBAN on the vendor master.")
    po_number: str | None = None
    findings: list[Finding] = Field(default_factory=list)
    past_cases: list[PastCase] = Field(
        default_factory=list, description="The vendor's notable past cases, recalled from memory."
    )

    def has(self, *codes: FindingCode) -> bool:
        return any(finding.code in codes for finding in self.findings)

    def messages(self, *codes: FindingCode) -> list[str]:
        return [f.message for f in self.findings if not codes or f.code in codes]

    @property
    def clean(self) -> bool:
        return not self.findings
