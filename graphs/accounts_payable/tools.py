"""The tools of the accounts-payable workflow.

One place says what an agent may call and under which policy: a payment is money, needs an
approver holding `ap_approver` when it exceeds `settings.approval_threshold` (the same line
routing draws between `auto_approve` and `needs_approval`), and passes the ledger's key to the
payment API as its idempotency key.
"""

from __future__ import annotations

from core.settings import Settings
from tools.approval.edits import lower_amount
from tools.integrations.payments import (
    TOOL_NAME,
    PaymentGateway,
    PaymentInstruction,
    PaymentReceipt,
)
from tools.registry import ApprovalPolicy, ToolRegistry, ToolSpec

PAYMENT_APPROVER_ROLE = "ap_approver"


def accounts_payable_registry(gateway: PaymentGateway, settings: Settings) -> ToolRegistry:
    """The registry the accounts-payable agents run their side effects through."""

    def pay(args: PaymentInstruction, *, idempotency_key: str) -> PaymentReceipt:
        return gateway.pay(args, idempotency_key=idempotency_key)

    return ToolRegistry(
        [
            ToolSpec(
                name=TOOL_NAME,
                description="Pay a vendor invoice to the vendor master's IBAN.",
                args_schema=PaymentInstruction,
                handler=pay,
                side_effect="money",
                policy=ApprovalPolicy.amount_over(
                    settings.approval_threshold, role=PAYMENT_APPROVER_ROLE
                ),
                result_schema=PaymentReceipt,
                edits=lower_amount(never={"payee_iban": _payee_fixed}),
            )
        ]
    )


def _payee_fixed(instruction: PaymentInstruction) -> str:
    """Why an approval cannot change the payee (issue 11, item 6): payments go to the vendor
    master's account, changed only with its own two-person control (vendor_changes.py)."""
    return (
        "the payee cannot be changed in an approval: payments go to the vendor master's "
        "account; a new account is a vendor-master change (`overture vendors propose-iban "
        f"{instruction.vendor_id} IBAN`, confirmed by a second person)"
    )
