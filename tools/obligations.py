"""Obligations: the duty to pay one vendor invoice, shared by every thread, process and replica.

Exactly-once belongs to the business obligation (vendor + invoice number), not to a LangGraph
thread: issue 11 saw the same invoice paid twice by running its file twice, and twelve times in
a kill -9 loop, because each run had its own thread id and so its own approval and idempotency
key. Here every run of an invoice meets the same row (unique on vendor + normalised number, on
every dialect), one run at a time owns it, and the payment's idempotency key is derived from
it, so the payment API itself refuses a second payment whoever asks.

"Paid" is read from the payments table under the obligation's lock, never from a flag a crash
between paying and marking could leave behind. What is paid, to whom and how much is read
from this row and the vendor master by execution, never from thread state (which a client can
rewrite): the verification agent records the amount and its findings here when it claims.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import JSON, Boolean, Engine, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from tools.canonical import sha256_hex
from tools.integrations.payments import TOOL_NAME
from tools.integrations.records import PaymentRow
from tools.ledger import obligation_key
from tools.locks import hold
from tools.schema import Base, as_utc, utcnow

ObligationStatus = Literal["open", "awaiting_approval", "paid", "closed"]
"""open: owned by a run that has not finished; awaiting_approval: its run waits at the
gateway; paid: a payment exists; closed: the owning run ended without paying (another run
may take the invoice over, and is told how the last one ended)."""

ClaimVerdict = Literal["owner", "paid", "in_progress"]

REFUSED_OUTCOMES = frozenset({"approval_rejected", "rejected"})
"""Endings after which the invoice is never clean again, whatever later runs end with: a
human decides (an expired or stale request is no refusal: the invoice may be asked anew)."""


class ObligationRow(Base):
    __tablename__ = "obligations"
    __table_args__ = (UniqueConstraint("vendor_id", "reference"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    vendor_id: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str] = mapped_column(String(64))
    invoice_number: Mapped[str] = mapped_column(String(64))
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    thread_id: Mapped[str] = mapped_column(String(128), index=True)
    status: Mapped[str] = mapped_column(String(24), index=True)
    clean: Mapped[bool] = mapped_column(Boolean, default=False)
    findings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    approval_request_id: Mapped[str | None] = mapped_column(String(40))
    payment_id: Mapped[str | None] = mapped_column(String(64))
    last_outcome: Mapped[str | None] = mapped_column(String(32))
    refused: Mapped[bool] = mapped_column(Boolean, default=False)
    claims: Mapped[int] = mapped_column(Integer, default=1)
    po_number: Mapped[str | None] = mapped_column(String(64), index=True)
    quantities: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Obligation(BaseModel):
    """One invoice's payment duty as the books hold it."""

    id: str
    vendor_id: str
    invoice_number: str
    amount: Decimal
    currency: str
    thread_id: str = Field(description="The run that owns it now.")
    status: ObligationStatus
    clean: bool = Field(description="Verification found nothing against it.")
    findings: list[str] = Field(default_factory=list, description="Finding codes recorded.")
    document_sha256: str | None = None
    approval_request_id: str | None = None
    payment_id: str | None = None
    last_outcome: str | None = Field(None, description="How the previous owner's run ended.")
    refused: bool = Field(
        False, description="A human or the rules refused it once: never paid without a human."
    )
    claims: int = Field(1, description="How many runs have owned it, this one included.")
    created_at: datetime | None = None


class Claim(BaseModel):
    """What a run learns when it claims an invoice: it owns it, or why it must not pay."""

    verdict: ClaimVerdict
    obligation: Obligation
    payment_id: str | None = None
    previous_outcome: str | None = Field(
        None, description="Set when this run took over from one that ended without paying."
    )


_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def normalise_reference(invoice_number: str) -> str:
    """Invoice numbers compare on letters and digits only, with look-alike characters folded
    and leading zeros of each digit group dropped: "INV-2026/0322" == "inv 2026 322" ==
    "INV-2026-O322".

    Coarser than equality on purpose: a false match holds an invoice for a human, a missed
    one pays it twice.
    """
    folded = invoice_number.upper().translate(_LOOKALIKES)
    groups = re.findall(r"[0-9]+|[A-Z]+", folded)
    key = "".join(g.lstrip("0") or "0" if g.isdigit() else g for g in groups)
    return key[:64] or invoice_number[:64]


def obligation_id(vendor_id: str, invoice_number: str) -> str:
    return (
        "obl-" + sha256_hex({"vendor": vendor_id, "ref": normalise_reference(invoice_number)})[:24]
    )


def payment_key(obligation: str) -> str:
    """The payment API's idempotency key for an obligation: the same for every run."""
    return obligation_key(obligation, TOOL_NAME)


def claim(
    engine: Engine,
    *,
    vendor_id: str,
    invoice_number: str,
    amount: Decimal,
    currency: str,
    thread_id: str,
    findings: list[str],
    document_sha256: str | None = None,
    po_number: str | None = None,
    quantities: dict[str, Decimal] | None = None,
) -> Claim:
    """Make `thread_id` the owner of this invoice's obligation, unless it is paid or another
    run holds it; serialised per obligation across processes (tools/locks.py).

    A run that takes over an obligation whose earlier run ended without paying (the same
    thread included: the supervisor runs many documents on one) is told how it ended, and
    one ever refused stays refused: it is never paid without a human again.
    """
    key = obligation_id(vendor_id, invoice_number)
    facts: dict[str, Any] = {
        "amount": amount,
        "currency": currency,
        "clean": not findings,
        "findings": sorted(set(findings)),
        "document_sha256": document_sha256,
        "po_number": po_number,
        "quantities": {sku: str(q) for sku, q in (quantities or {}).items()},
        "updated_at": utcnow(),
    }
    with hold(engine, f"obligation:{key}"), Session(engine, expire_on_commit=False) as session:
        row = session.get(ObligationRow, key)
        paid = session.scalar(
            select(PaymentRow).where(PaymentRow.idempotency_key == payment_key(key))
        )
        if paid is not None:
            if row is not None and row.status != "paid":
                row.status, row.payment_id = "paid", paid.id
                session.commit()
            target = row or _new_row(key, vendor_id, invoice_number, thread_id, facts)
            return Claim(verdict="paid", obligation=_model(target), payment_id=paid.id)
        if row is None:
            row = _new_row(key, vendor_id, invoice_number, thread_id, facts)
            session.add(row)
            session.commit()
            return Claim(verdict="owner", obligation=_model(row))
        if row.status == "paid":
            return Claim(verdict="paid", obligation=_model(row), payment_id=row.payment_id)
        previous = None
        if row.thread_id != thread_id and row.status != "closed":
            return Claim(verdict="in_progress", obligation=_model(row))
        if row.status == "closed":  # handed over: a new claim, a new approval request
            previous = row.last_outcome
            row.thread_id, row.approval_request_id = thread_id, None
            row.claims = (row.claims or 1) + 1
        if row.status in ("open", "closed"):
            row.status = "open"
            for name, value in facts.items():
                setattr(row, name, value)
            if row.refused:
                row.clean = False
        session.commit()
        return Claim(verdict="owner", obligation=_model(row), previous_outcome=previous)


def owned_by(engine: Engine, thread_id: str) -> Obligation | None:
    """The obligation a run owns (a run processes one document, so at most one is live)."""
    query = (
        select(ObligationRow)
        .where(ObligationRow.thread_id == thread_id)
        .order_by(ObligationRow.updated_at.desc())
    )
    with Session(engine) as session:
        row = session.scalars(query).first()
        return _model(row) if row else None


def await_approval(engine: Engine, key: str, thread_id: str, request_id: str) -> None:
    """The owner waits at the approval gateway on `request_id`."""
    with Session(engine) as session:
        row = session.get(ObligationRow, key)
        if row is not None and row.thread_id == thread_id and row.status != "paid":
            row.status, row.approval_request_id = "awaiting_approval", request_id
            row.updated_at = utcnow()
            session.commit()


def mark_paid(engine: Engine, key: str, payment_id: str) -> None:
    with Session(engine) as session:
        row = session.get(ObligationRow, key)
        if row is not None:
            row.status, row.payment_id, row.updated_at = "paid", payment_id, utcnow()
            session.commit()


def close(engine: Engine, thread_id: str, outcome: str) -> None:
    """The owner's run ended without paying: release the invoice, keeping how it ended."""
    with Session(engine) as session:
        for row in session.scalars(
            select(ObligationRow).where(
                ObligationRow.thread_id == thread_id, ObligationRow.status != "paid"
            )
        ):
            row.status, row.last_outcome, row.updated_at = "closed", outcome, utcnow()
            row.refused = bool(row.refused) or outcome in REFUSED_OUTCOMES
        session.commit()


def invoiced_quantities(session: Session, po_number: str, excluding: str) -> dict[str, Decimal]:
    """SKU -> quantity billed on `po_number` by other invoices that are paid or in progress:
    what a new invoice may not bill again (re-billing under a new number or date)."""
    totals: dict[str, Decimal] = {}
    query = select(ObligationRow.quantities).where(
        ObligationRow.po_number == po_number,
        ObligationRow.id != excluding,
        ObligationRow.status != "closed",
    )
    for quantities in session.scalars(query):
        for sku, quantity in (quantities or {}).items():
            totals[sku] = totals.get(sku, Decimal(0)) + Decimal(str(quantity))
    return totals


def _new_row(
    key: str, vendor_id: str, invoice_number: str, thread_id: str, facts: dict[str, Any]
) -> ObligationRow:
    now = utcnow()
    return ObligationRow(
        id=key,
        vendor_id=vendor_id,
        reference=normalise_reference(invoice_number),
        invoice_number=invoice_number[:64],
        thread_id=thread_id,
        status="open",
        refused=False,
        claims=1,
        created_at=now,
        **{**facts, "updated_at": now},
    )


def _model(row: ObligationRow) -> Obligation:
    return Obligation(
        id=row.id,
        vendor_id=row.vendor_id,
        invoice_number=row.invoice_number,
        amount=row.amount,
        currency=row.currency,
        thread_id=row.thread_id,
        status=row.status,
        clean=bool(row.clean),
        findings=list(row.findings or []),
        document_sha256=row.document_sha256,
        approval_request_id=row.approval_request_id,
        payment_id=row.payment_id,
        last_outcome=row.last_outcome,
        refused=bool(row.refused),
        claims=row.claims or 1,
        created_at=as_utc(row.created_at),
    )
