"""Approval requests in SQL, so any process (the CLI, a web app) can list and decide them.

A request is written by the approval gateway before it interrupts (idempotently: the node runs
again from its start when resumed) and decided after the resume. The decision is a
conditional UPDATE from `pending`, so two approvers racing on one request cannot both win;
issue 4 adds roles, limits, expiry and the two-person rule on top of this table.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, cast

from pydantic import BaseModel, Field
from sqlalchemy import JSON, CursorResult, Engine, String, Text, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from tools.canonical import sha256_hex
from tools.schema import Base, as_utc, utcnow

ApprovalStatus = Literal["pending", "approved", "rejected", "expired", "stale", "cancelled"]
"""expired: not decided within its TTL; stale: no run waits on it any more (reconciled by
`overture recover`); cancelled: withdrawn by a user (`overture approvals cancel`)."""


class ToolCall(BaseModel):
    """Exactly what will run if approved: a tool name and its arguments."""

    tool: str
    arguments: dict[str, Any]

    def payload_hash(self) -> str:
        """SHA-256 of the canonical JSON of the call; an edit yields a new hash."""
        return sha256_hex(self.model_dump(mode="json"))


class ApprovalDecision(BaseModel):
    """The resume value of the approval gateway, validated before the graph resumes."""

    action: Literal["approve", "edit", "reject"]
    approver: str = Field(min_length=1)
    edits: dict[str, Any] = Field(default_factory=dict, description="Argument -> new value.")
    comment: str = ""
    decision_id: str | None = Field(
        None,
        description="Identifies this decision, so the gateway re-running on resume recognises "
        "it; the CLI sets a fresh one per decision (issue 4).",
    )


class ApprovalRequest(BaseModel):
    """A request for a human decision, as listed by `overture approvals`."""

    id: str
    thread_id: str
    call: ToolCall
    payload_hash: str
    amount: Decimal
    currency: str
    reasons: list[str]
    document_path: str = ""
    status: ApprovalStatus = "pending"
    requested_at: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision: ApprovalDecision | None = None


class ApprovalRequestRow(Base):
    __tablename__ = "approval_requests"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    thread_id: Mapped[str] = mapped_column(String(128), index=True)
    tool_name: Mapped[str] = mapped_column(String(100))
    arguments: Mapped[dict[str, Any]] = mapped_column(JSON)
    payload_hash: Mapped[str] = mapped_column(String(64))
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    reasons: Mapped[list[Any]] = mapped_column(JSON)
    document_path: Mapped[str] = mapped_column(Text)
    status: Mapped[ApprovalStatus] = mapped_column(String(16), index=True, default="pending")
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None]
    decision: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    def to_model(self) -> ApprovalRequest:
        return ApprovalRequest(
            id=self.id,
            thread_id=self.thread_id,
            call=ToolCall(tool=self.tool_name, arguments=self.arguments),
            payload_hash=self.payload_hash,
            amount=self.amount,
            currency=self.currency,
            reasons=list(self.reasons),
            document_path=self.document_path,
            status=self.status,
            requested_at=as_utc(self.requested_at),
            decided_by=self.decided_by,
            decided_at=as_utc(self.decided_at),
            decision=(
                ApprovalDecision.model_validate(self.decision)
                if self.decision and self.status in ("approved", "rejected")
                else None
            ),
        )


def approval_id(thread_id: str, obligation_id: str) -> str:
    """Deterministic, so the gateway re-running on resume finds the same request; one per
    obligation and owning run (only one run owns an obligation at a time)."""
    return "apr-" + sha256_hex({"thread": thread_id, "invoice": obligation_id})[:16]


def record_request(engine: Engine, request: ApprovalRequest) -> ApprovalRequest:
    """Insert the request unless it exists; return the stored one (insert-or-get)."""
    with Session(engine) as session:
        existing = session.get(ApprovalRequestRow, request.id)
        if existing is not None:
            return existing.to_model()
        session.add(
            ApprovalRequestRow(
                id=request.id,
                thread_id=request.thread_id,
                tool_name=request.call.tool,
                arguments=request.call.arguments,
                payload_hash=request.payload_hash,
                amount=request.amount,
                currency=request.currency,
                reasons=request.reasons,
                document_path=request.document_path,
                status="pending",
            )
        )
        try:
            session.commit()
        except IntegrityError:  # another process inserted it first: theirs is as good
            session.rollback()
        stored = session.get(ApprovalRequestRow, request.id)
        assert stored is not None
        return stored.to_model()


def decide(engine: Engine, request_id: str, decision: ApprovalDecision) -> bool:
    """Move a pending request to its decided status; False if it was no longer pending."""
    status: ApprovalStatus = "rejected" if decision.action == "reject" else "approved"
    with Session(engine) as session, session.begin():
        result = session.execute(
            update(ApprovalRequestRow)
            .where(ApprovalRequestRow.id == request_id, ApprovalRequestRow.status == "pending")
            .values(
                status=status,
                decided_by=decision.approver,
                decided_at=utcnow(),
                decision=decision.model_dump(mode="json"),
            )
        )
        # Session.execute is typed as returning Result, but an UPDATE yields a CursorResult
        # (the one with rowcount), as SQLAlchemy's DML docs say.
        return cast(CursorResult[Any], result).rowcount == 1


def close_pending(
    engine: Engine,
    request_id: str,
    status: ApprovalStatus,
    by: str,
    reason: str,
    *,
    from_status: ApprovalStatus = "pending",
) -> bool:
    """Move a request from `from_status` to `expired`, `stale` or `cancelled`; False if it
    was not in `from_status` (someone decided it meanwhile)."""
    with Session(engine) as session, session.begin():
        result = session.execute(
            update(ApprovalRequestRow)
            .where(ApprovalRequestRow.id == request_id, ApprovalRequestRow.status == from_status)
            .values(
                status=status,
                decided_by=by,
                decided_at=utcnow(),
                decision={"action": status, "approver": by, "comment": reason},
            )
        )
        return cast(CursorResult[Any], result).rowcount == 1


def expire(engine: Engine, request_id: str) -> bool:
    return close_pending(engine, request_id, "expired", "system", "not decided within its TTL")


def get_request(engine: Engine, request_id: str) -> ApprovalRequest | None:
    with Session(engine) as session:
        row = session.get(ApprovalRequestRow, request_id)
        return row.to_model() if row else None


def list_requests(
    engine: Engine, status: ApprovalStatus | None = "pending"
) -> list[ApprovalRequest]:
    """Requests, oldest first; `status=None` lists every one."""
    query = select(ApprovalRequestRow).order_by(ApprovalRequestRow.requested_at)
    if status is not None:
        query = query.where(ApprovalRequestRow.status == status)
    with Session(engine) as session:
        return [row.to_model() for row in session.scalars(query)]
