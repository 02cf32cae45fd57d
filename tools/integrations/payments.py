"""The external payment API, faked in SQL: one payment per idempotency key, ever.

It behaves as real payment providers do (Stripe's `Idempotency-Key`): a second call with a
key already seen returns the first payment and moves no money. Issue 4's execution ledger
derives the key and passes it here; the unique constraint on `payments.idempotency_key`
makes the guarantee hold across processes and on every dialect.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tools.integrations.records import PaymentRow
from tools.schema import add_once, as_utc

TOOL_NAME = "payments.pay"


class PaymentInstruction(BaseModel):
    """The arguments of a payment: what an approver approves, field for field."""

    vendor_id: str
    payee_iban: str
    amount: Decimal = Field(gt=0)
    currency: str = Field(min_length=3, max_length=3)
    invoice_number: str
    reference: str = Field(description="Text the payee sees on the bank statement.")


class PaymentReceipt(BaseModel):
    """What the payment API answers; `replayed` is True when the key had been seen."""

    payment_id: str
    idempotency_key: str
    instruction: PaymentInstruction
    created_at: datetime
    replayed: bool = False


class PaymentGateway:
    """The fake payment API over one engine (the same database as everything else)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def pay(self, instruction: PaymentInstruction, *, idempotency_key: str) -> PaymentReceipt:
        """Make the payment, or return the one already made under `idempotency_key`."""
        row = PaymentRow(
            id=f"pay-{uuid.uuid4().hex[:16]}",
            idempotency_key=idempotency_key,
            **instruction.model_dump(),
        )
        stored, replayed = add_once(self.engine, row, PaymentRow.idempotency_key)
        return _receipt(stored, replayed=replayed)

    def find(self, idempotency_key: str) -> PaymentReceipt | None:
        with Session(self.engine) as session:
            row = session.scalar(
                select(PaymentRow).where(PaymentRow.idempotency_key == idempotency_key)
            )
            return _receipt(row, replayed=True) if row else None

    def count(self) -> int:
        """Payments made so far (counted in SQL)."""
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(PaymentRow)) or 0


def _receipt(row: PaymentRow, *, replayed: bool) -> PaymentReceipt:
    return PaymentReceipt(
        payment_id=row.id,
        idempotency_key=row.idempotency_key,
        instruction=PaymentInstruction(
            vendor_id=row.vendor_id,
            payee_iban=row.payee_iban,
            amount=row.amount,
            currency=row.currency,
            invoice_number=row.invoice_number,
            reference=row.reference,
        ),
        created_at=as_utc(row.created_at) or row.created_at,
        replayed=replayed,
    )
