"""The audit trail: one append-only row per approval request, decision, refusal and execution.

Where `tools/audit_log.py` keeps one summary per finished run, this is the event history an
auditor reads: who decided what, when, about which exact payload (its SHA-256), and every call
that was refused and why. Rows are only ever inserted; `overture approvals --history` and
`overture show` print them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import JSON, Connection, Engine, Integer, String, Text, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from tools.schema import Base, as_utc, utcnow

AuditEventKind = Literal[
    "requested", "decided", "refused", "executed", "replayed", "failed", "vendor_change", "expired"
]


class AuditEventRow(Base):
    __tablename__ = "audit_trail"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    event: Mapped[str] = mapped_column(String(16), index=True)
    thread_id: Mapped[str | None] = mapped_column(String(128), index=True)
    request_id: Mapped[str | None] = mapped_column(String(64), index=True)
    tool: Mapped[str | None] = mapped_column(String(100))
    actor: Mapped[str | None] = mapped_column(String(100))
    payload_hash: Mapped[str | None] = mapped_column(String(64))
    code: Mapped[str | None] = mapped_column(String(40))
    comment: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AuditEvent(BaseModel):
    """One entry of the trail. `code` names the refusal or decision (e.g. `self_approval`)."""

    event: AuditEventKind
    thread_id: str | None = None
    request_id: str | None = None
    tool: str | None = None
    actor: str | None = None
    payload_hash: str | None = None
    code: str | None = None
    comment: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)
    at: datetime | None = None
    id: int | None = None

    def line(self) -> str:
        """One human-readable line, as the CLI prints it."""
        parts = [
            (self.at or utcnow()).strftime("%Y-%m-%d %H:%M:%S"),
            self.event,
            self.code or "",
            self.tool or "",
            f"by {self.actor}" if self.actor else "",
            f"payload {self.payload_hash[:12]}" if self.payload_hash else "",
            self.comment or "",
        ]
        return "  ".join(part for part in parts if part)


def record(target: Engine | Connection, event: AuditEvent) -> None:
    """Append `event`; with a Connection it joins the caller's transaction."""
    values = event.model_dump(exclude={"id", "at"})
    values["at"] = event.at or utcnow()
    statement = insert(AuditEventRow).values(**values)
    if isinstance(target, Connection):
        target.execute(statement)
        return
    with target.begin() as connection:
        connection.execute(statement)


def history(
    engine: Engine,
    *,
    thread_id: str | None = None,
    request_id: str | None = None,
    events: list[AuditEventKind] | None = None,
) -> list[AuditEvent]:
    """The trail in order, filtered by thread, request or kinds of event."""
    query = select(AuditEventRow).order_by(AuditEventRow.id)
    if thread_id is not None:
        query = query.where(AuditEventRow.thread_id == thread_id)
    if request_id is not None:
        query = query.where(AuditEventRow.request_id == request_id)
    if events:
        query = query.where(AuditEventRow.event.in_(events))
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [AuditEvent.model_validate({**row._mapping, "at": as_utc(row.at)}) for row in rows]
