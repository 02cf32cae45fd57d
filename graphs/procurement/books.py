"""Cost centres with budgets, and the purchase requests committed against them, in SQL.

One row per request (requester + number) is the obligation every run of it meets, as
tools/obligations.py is for invoices: one run at a time owns it, a second run of an ordered
request is a duplicate, one refused goes to a human, and the order's idempotency key is
derived from it. The budget is checked and reserved under the cost centre's lock, so two
requests cannot both take its last euro.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import JSON, Engine, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.domain import SystemOfRecordSeed
from tools.canonical import sha256_hex
from tools.integrations.seed import load_seed
from tools.locks import hold
from tools.schema import Base

Verdict = Literal["owner", "ordered", "in_progress", "refused", "over_budget"]


class CostCentreRow(Base):
    __tablename__ = "cost_centres"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    budget: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    members: Mapped[list[Any]] = mapped_column(JSON, default=list)


class RequestRow(Base):
    __tablename__ = "purchase_requests"
    __table_args__ = (UniqueConstraint("requester", "number"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    requester: Mapped[str] = mapped_column(String(100))
    number: Mapped[str] = mapped_column(String(64))
    cost_centre: Mapped[str] = mapped_column(String(32), index=True)
    amount: Mapped[Decimal]
    thread_id: Mapped[str] = mapped_column(String(128), index=True)
    status: Mapped[str] = mapped_column(String(24))
    """open | awaiting_approval | ordered | refused | closed (released: another run may take it)"""
    claims: Mapped[int] = mapped_column(default=1)
    po_number: Mapped[str | None] = mapped_column(String(64))


def claim(engine: Engine, request: Any, thread_id: str) -> tuple[Verdict, str]:
    """Reserve the request's amount for this run, or say why not."""
    key = "pr-" + sha256_hex([request.requester, request.number.strip().upper()])[:32]
    with hold(engine, f"cost-centre:{request.cost_centre}"), Session(engine) as session:
        centre = session.get(CostCentreRow, request.cost_centre)
        row = session.get(RequestRow, key)
        assert centre is not None  # checked by the caller
        if row is not None and row.thread_id != thread_id and row.status != "closed":
            if row.status == "ordered":
                return "ordered", f"ordered before as {row.po_number} (run {row.thread_id})"
            if row.status == "refused":
                return "refused", f"refused before (run {row.thread_id}); a human decides anew"
            return "in_progress", f"run {row.thread_id} is handling it"
        spent = session.scalar(
            select(func.coalesce(func.sum(RequestRow.amount), 0)).where(
                RequestRow.cost_centre == centre.id,
                RequestRow.status.in_(("open", "awaiting_approval", "ordered")),
                RequestRow.id != key,
            )
        )
        left = centre.budget - Decimal(str(spent))
        if request.amount > left:
            why = f"budget exhausted: {centre.id} has {left} left, needs {request.amount}"
            return "over_budget", why
        row = row or RequestRow(id=key, requester=request.requester, number=request.number)
        session.add(row)
        row.claims = (row.claims or 0) + (row.thread_id != thread_id)
        row.cost_centre, row.amount = centre.id, request.amount
        row.thread_id, row.status = thread_id, "open"
        session.commit()
        return "owner", f"{left - request.amount} {centre.currency} left after it"


def owned(engine: Engine, thread_id: str) -> RequestRow | None:
    with Session(engine, expire_on_commit=False) as session:
        return session.scalar(select(RequestRow).where(RequestRow.thread_id == thread_id))


def settle(engine: Engine, thread_id: str, status: str, po_number: str | None = None) -> None:
    """Mark this run's request awaiting_approval, ordered, refused or closed (an order stays)."""
    with Session(engine) as session, session.begin():
        for row in session.scalars(select(RequestRow).where(RequestRow.thread_id == thread_id)):
            if row.status != "ordered":
                row.status, row.po_number = status, po_number


def load_books(engine: Engine, path: Path) -> None:
    """Seed books (examples/procurement/books.json): cost centres, approvers, vendors."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    load_seed(engine, SystemOfRecordSeed.model_validate(data))
    with Session(engine) as session, session.begin():
        for centre in data["cost_centres"]:
            session.merge(CostCentreRow(**{**centre, "budget": Decimal(str(centre["budget"]))}))
