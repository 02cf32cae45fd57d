from __future__ import annotations

from decimal import Decimal

import pytest

from graphs.accounts_payable.findings import Finding, VerificationReport
from graphs.accounts_payable.routing import after_approval, after_route, decide_route
from tests.ap_helpers import clean_invoice
from tools.approval.requests import ApprovalDecision

THRESHOLD = Decimal("10000")


def report(*codes: str) -> VerificationReport:
    return VerificationReport(
        vendor_id="V001",
        findings=[Finding(code=c, message=f"{c} message") for c in codes],  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("codes", "route"),
    [
        ((), "auto_approve"),
        (("vendor_unknown",), "human_review"),  # a new vendor is onboarded, not rejected
        (("previously_refused",), "needs_approval"),  # refused before: an approver decides
        (("previously_refused", "price_mismatch"), "human_review"),
        (("unconfirmed_ocr",), "human_review"),
        (("einvoice_discrepancy",), "human_review"),
        (("duplicate", "bank_details_differ"), "reject"),  # reject wins over review
        (("bank_details_differ",), "human_review"),
        (("po_missing",), "human_review"),
        (("po_not_found",), "human_review"),
        (("price_mismatch",), "human_review"),
        (("quantity_over_received",), "human_review"),
    ],
)
def test_findings_decide_the_route(codes: tuple[str, ...], route: str) -> None:
    decision = decide_route([], clean_invoice(), report(*codes), THRESHOLD)
    assert decision.route == route
    assert decision.reasons


def test_errors_send_to_review_with_the_error_as_reason() -> None:
    decision = decide_route(["x.pdf: empty file"], None, None, THRESHOLD)
    assert decision.route == "human_review" and decision.reasons == ["x.pdf: empty file"]


def test_threshold_is_strictly_above() -> None:
    at = clean_invoice(total=THRESHOLD)
    above = clean_invoice(total=THRESHOLD + Decimal("0.01"))
    assert decide_route([], at, report(), THRESHOLD).route == "auto_approve"
    decision = decide_route([], above, report(), THRESHOLD)
    assert decision.route == "needs_approval" and "threshold" in decision.reasons[0]


def test_edges_read_state_only() -> None:
    assert after_route({"route": "reject"}) == "reject"
    approve = ApprovalDecision(action="approve", approver="a")
    reject = ApprovalDecision(action="reject", approver="a")
    assert after_approval({"approval": approve}) == "execute"
    assert after_approval({"approval": reject}) == "audit"
    assert after_approval({}) == "audit"
