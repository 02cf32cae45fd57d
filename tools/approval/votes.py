"""Recording approval decisions: one vote per approver and payload, decided under a lock.

Two approvers (or two processes resuming one approval) may decide at the same moment; the
votes of one request are read, judged (tools/approval/policy.py) and written while holding
the request's lock (tools/locks.py), so exactly one decision completes a request and the
other gets `AlreadyDecided`. A unique (request, approver, payload) row backs that up. Every
decision and every refusal goes to the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, Engine, Integer, String, Text, UniqueConstraint, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from tools import audit_trail
from tools.approval.approvers import get_approver
from tools.approval.errors import ApprovalRefused
from tools.approval.policy import ApprovalTerms, DecisionAction, Tally, Vote, check_decider, tally
from tools.audit_trail import AuditEvent
from tools.crashpoints import crash_point
from tools.locks import hold
from tools.schema import Base, as_utc, utcnow


class TermsRow(Base):
    """The terms of a request, frozen when it is first made (settings may change later)."""

    __tablename__ = "approval_terms"

    request_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    terms: Mapped[dict[str, Any]] = mapped_column(JSON)


class VoteRow(Base):
    __tablename__ = "approval_votes"
    __table_args__ = (
        UniqueConstraint("request_id", "approver", "payload_hash"),
        UniqueConstraint("request_id", "decision_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    decision_id: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str] = mapped_column(String(64), index=True)
    approver: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(16))
    payload_hash: Mapped[str] = mapped_column(String(64))
    previous_hash: Mapped[str | None] = mapped_column(String(64))
    arguments: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


class DecisionResult(BaseModel):
    """The vote just recorded and where the request stands after it."""

    vote: Vote
    tally: Tally


def register_terms(engine: Engine, terms: ApprovalTerms) -> ApprovalTerms:
    """Store the terms of a new request; the first stored terms win (insert-or-get), so a
    gateway re-running on resume keeps the original expiry and approver count."""
    existing = get_terms(engine, terms.request_id)
    if existing is not None:
        return existing
    try:
        with engine.begin() as connection:
            connection.execute(
                insert(TermsRow).values(
                    request_id=terms.request_id, terms=terms.model_dump(mode="json")
                )
            )
            audit_trail.record(
                connection,
                AuditEvent(
                    event="requested",
                    request_id=terms.request_id,
                    thread_id=terms.thread_id,
                    tool=terms.tool,
                    actor=terms.requested_by,
                    payload_hash=terms.payload_hash,
                    at=terms.requested_at,
                    detail=terms.model_dump(mode="json"),
                ),
            )
    except IntegrityError:  # a concurrent gateway stored them first
        pass
    stored = get_terms(engine, terms.request_id)
    assert stored is not None
    return stored


def get_terms(engine: Engine, request_id: str) -> ApprovalTerms | None:
    with engine.connect() as connection:
        stored = connection.execute(
            select(TermsRow.terms).where(TermsRow.request_id == request_id)
        ).scalar()
    return ApprovalTerms.model_validate(stored) if stored else None


def precheck(
    engine: Engine,
    terms: ApprovalTerms,
    *,
    approver_id: str,
    action: DecisionAction,
    clock: Callable[[], datetime] = utcnow,
) -> Tally:
    """Judge a decision before resuming a run (nothing recorded unless refused), so the CLI
    answers a refused approver at once instead of resuming the thread to find out."""
    votes = votes_for(engine, terms.request_id)
    try:
        check_decider(terms, votes, approver_id, get_approver(engine, approver_id), clock())
    except ApprovalRefused as refusal:
        _audit_refusal(engine, terms, votes, approver_id, action, refusal)
        raise
    return tally(terms, votes)


def current_tally(engine: Engine, terms: ApprovalTerms) -> Tally:
    return tally(terms, votes_for(engine, terms.request_id))


def votes_for(engine: Engine, request_id: str) -> list[Vote]:
    """The votes of a request, in the order they were cast."""
    query = select(VoteRow).where(VoteRow.request_id == request_id).order_by(VoteRow.id)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [
        Vote.model_validate({**row._mapping, "decided_at": as_utc(row.decided_at)}) for row in rows
    ]


def decide(
    engine: Engine,
    terms: ApprovalTerms,
    *,
    approver_id: str,
    action: DecisionAction,
    comment: str = "",
    edited_hash: str | None = None,
    edited_arguments: dict[str, Any] | None = None,
    thread_id: str | None = None,
    decision_id: str | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> DecisionResult:
    """Record `approver_id`'s decision, or raise the rule it breaks (and audit the refusal).

    For `edit`, `edited_hash` is the SHA-256 of the edited call (computed by the registry) and
    `edited_arguments` its arguments; the editor's vote approves the edited payload.
    `decision_id` identifies one decision: recording it again (the gateway re-running on
    resume) returns the recorded vote instead of judging it anew.
    """
    if action == "edit" and not edited_hash:
        raise ValueError("an edit needs the hash of the edited call (ToolRegistry.bind)")
    with hold(engine, f"approval:{terms.request_id}"):
        votes = votes_for(engine, terms.request_id)
        if decision_id is not None:
            index = next((i for i, v in enumerate(votes) if v.decision_id == decision_id), None)
            if index is not None:
                return DecisionResult(vote=votes[index], tally=tally(terms, votes[: index + 1]))
        now = clock()
        try:
            check_decider(terms, votes, approver_id, get_approver(engine, approver_id), now)
        except ApprovalRefused as refusal:
            _audit_refusal(engine, terms, votes, approver_id, action, refusal, thread_id)
            raise
        previous = tally(terms, votes).payload_hash
        vote = Vote(
            approver=approver_id,
            action=action,
            payload_hash=edited_hash if action == "edit" and edited_hash else previous,
            previous_hash=previous if action == "edit" else None,
            arguments=edited_arguments if action == "edit" else None,
            comment=comment,
            decided_at=now,
            decision_id=decision_id,
        )
        crash_point("votes.before_insert")
        with engine.begin() as connection:
            connection.execute(
                insert(VoteRow).values(request_id=terms.request_id, **vote.model_dump())
            )
            after = tally(terms, [*votes, vote])
            audit_trail.record(
                connection,
                AuditEvent(
                    event="decided",
                    thread_id=thread_id or terms.thread_id,
                    request_id=terms.request_id,
                    tool=terms.tool,
                    actor=approver_id,
                    payload_hash=vote.payload_hash,
                    code=action,
                    comment=comment,
                    at=now,
                    detail={
                        "previous_hash": vote.previous_hash,
                        "arguments": edited_arguments,
                        "status_after": after.status,
                        "approvers": after.approvers,
                        "approvals_required": terms.approvals_required,
                    },
                ),
            )
    return DecisionResult(vote=vote, tally=after)


def _audit_refusal(
    engine: Engine,
    terms: ApprovalTerms,
    votes: list[Vote],
    approver_id: str,
    action: DecisionAction,
    refusal: ApprovalRefused,
    thread_id: str | None = None,
) -> None:
    audit_trail.record(
        engine,
        AuditEvent(
            event="refused",
            thread_id=thread_id or terms.thread_id,
            request_id=terms.request_id,
            tool=terms.tool,
            actor=approver_id,
            payload_hash=tally(terms, votes).payload_hash,
            code=refusal.code,
            comment=str(refusal),
            detail={"action": action, **refusal.record()},
        ),
    )
