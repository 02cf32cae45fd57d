"""The tools of the accounts-payable workflow, and the demo's approvers.

One place says what an agent may call and under which policy: a payment is money, needs an
approver holding `ap_approver` when it exceeds `settings.approval_threshold` (the same line
routing draws between `auto_approve` and `needs_approval`), and passes the ledger's key to the
payment API as its idempotency key.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Engine

from core.settings import Settings
from tools.approval.approvers import add_approver, get_approver, grant
from tools.integrations.payments import (
    TOOL_NAME,
    PaymentGateway,
    PaymentInstruction,
    PaymentReceipt,
)
from tools.registry import ApprovalPolicy, ToolRegistry, ToolSpec

PAYMENT_APPROVER_ROLE = "ap_approver"

DEMO_APPROVERS: tuple[tuple[str, str, Decimal], ...] = (
    ("alice", "Alice (AP lead)", Decimal("250000")),
    ("bob", "Bob (controller)", Decimal("250000")),
    ("carol", "Carol (AP clerk)", Decimal("20000")),
)
"""Seeded with the sample system of record so `overture approve ID --as alice` works."""


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
            )
        ]
    )


def seed_demo_approvers(engine: Engine) -> int:
    """Add the demo approvers unless they exist (never changes an existing user's roles)."""
    added = 0
    for user, name, limit in DEMO_APPROVERS:
        if get_approver(engine, user) is None:
            add_approver(engine, user, name)
            grant(engine, user, PAYMENT_APPROVER_ROLE, limit)
            added += 1
    return added
