"""One audit record per finished run, in SQL: what came in, what was decided, by whom, paid how.

The audit agent writes it (graphs/accounts_payable/audit.py); `overture approvals` lists the runs
held for human review from it and `overture show` prints it. Upserted by thread, so an audit node
that runs twice (a retry) leaves one record.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import JSON, Engine, String, Text, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from tools.schema import Base, as_utc, utcnow

Outcome = Literal["paid", "rejected", "held_for_review", "approval_rejected", "approval_expired"]


class AuditRecord(BaseModel):
    """The structured audit record of one run; `summary` is its human-readable form."""

    thread_id: str
    document_path: str
    route: str | None
    outcome: Outcome
    reasons: list[str] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    findings: list[dict[str, Any]] = Field(default_factory=list)
    vendor_id: str | None = None
    invoice_number: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    approval: dict[str, Any] | None = None
    payment_id: str | None = None
    summary: str = ""
    created_at: datetime | None = None


class AuditRecordRow(Base):
    __tablename__ = "audit_records"

    thread_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    document_path: Mapped[str] = mapped_column(Text)
    route: Mapped[str | None] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(32), index=True)
    summary: Mapped[str] = mapped_column(Text)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def write_record(engine: Engine, record: AuditRecord) -> None:
    """Insert or replace the record of `record.thread_id`."""
    payload = record.model_dump(mode="json", exclude={"created_at"})
    with Session(engine) as session:
        row = session.get(AuditRecordRow, record.thread_id)
        if row is None:
            row = AuditRecordRow(thread_id=record.thread_id)
            session.add(row)
        row.document_path = record.document_path
        row.route = record.route
        row.outcome = record.outcome
        row.summary = record.summary
        row.record = payload
        try:
            session.commit()
        except IntegrityError:  # a concurrent writer of the same thread: the record is there
            session.rollback()


def _to_model(row: AuditRecordRow) -> AuditRecord:
    return AuditRecord.model_validate({**row.record, "created_at": as_utc(row.created_at)})


def get_record(engine: Engine, thread_id: str) -> AuditRecord | None:
    with Session(engine) as session:
        row = session.get(AuditRecordRow, thread_id)
        return _to_model(row) if row else None


def list_records(engine: Engine, outcome: Outcome | None = None) -> list[AuditRecord]:
    query = select(AuditRecordRow).order_by(AuditRecordRow.created_at)
    if outcome is not None:
        query = query.where(AuditRecordRow.outcome == outcome)
    with Session(engine) as session:
        return [_to_model(row) for row in session.scalars(query)]
