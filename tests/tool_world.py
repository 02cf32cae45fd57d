"""A small world for tool tests: a migrated database, a counting payment tool, approvers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

from pydantic import BaseModel, Field
from sqlalchemy import Engine

from core.db import make_engine
from core.settings import Settings
from tools.approval.approvers import add_approver, grant
from tools.executor import ToolExecutor
from tools.integrations.payments import PaymentGateway, PaymentInstruction, PaymentReceipt
from tools.migrate import upgrade
from tools.registry import ApprovalPolicy, ToolRegistry, ToolSpec

APPROVER_ROLE = "ap_approver"
SETTINGS = Settings(
    approval_threshold=Decimal("10000"),
    two_person_threshold=Decimal("50000"),
    approval_ttl=timedelta(hours=1),
)


@contextmanager
def migrated(url: str) -> Iterator[Engine]:
    """An engine on `url` with every application table migrated."""
    engine = make_engine(url)
    upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()


class Lookup(BaseModel):
    vendor_id: str = Field(min_length=1)


def payment_registry(engine: Engine, calls: list[str] | None = None) -> ToolRegistry:
    """`payments.pay` (money, approval over the threshold) and `vendors.lookup` (read)."""
    gateway = PaymentGateway(engine)
    lock = threading.Lock()

    def pay(args: PaymentInstruction, *, idempotency_key: str) -> PaymentReceipt:
        if calls is not None:
            with lock:
                calls.append(idempotency_key)
        return gateway.pay(args, idempotency_key=idempotency_key)

    return ToolRegistry(
        [
            ToolSpec(
                name="payments.pay",
                description="Pay a vendor invoice.",
                args_schema=PaymentInstruction,
                handler=pay,
                side_effect="money",
                policy=ApprovalPolicy.amount_over(SETTINGS.approval_threshold, APPROVER_ROLE),
                result_schema=PaymentReceipt,
            ),
            ToolSpec(
                name="vendors.lookup",
                description="Look a vendor up by id.",
                args_schema=Lookup,
                handler=lambda args: {"vendor_id": args.vendor_id, "found": True},
            ),
        ]
    )


def executor(engine: Engine, calls: list[str] | None = None) -> ToolExecutor:
    return ToolExecutor(payment_registry(engine, calls), engine)


def instruction(amount: str = "12500.00", **changes: str) -> dict[str, str]:
    return {
        "vendor_id": "V001",
        "payee_iban": "DE89370400440532013000",
        "amount": amount,
        "currency": "EUR",
        "invoice_number": "INV-1",
        "reference": "INV-1",
        **changes,
    }


def seed_approvers(engine: Engine) -> None:
    """alice (limit 100k), bob (limit 100k), carol (limit 20k), dave (no role)."""
    for user in ("alice", "bob", "carol", "dave"):
        add_approver(engine, user)
    grant(engine, "alice", APPROVER_ROLE, Decimal("100000"))
    grant(engine, "bob", APPROVER_ROLE, Decimal("100000"))
    grant(engine, "carol", APPROVER_ROLE, Decimal("20000"))
    grant(engine, "dave", "clerk", Decimal("1000000"))
