"""Who may decide what: the approval rules as pure functions over typed values.

Kept free of I/O so each rule reads as one check and is tested without a database; the
stateful side (recording votes under a lock) is tools/approval/votes.py. The rules:

- the approver is registered and active, holds the required role, and that role's limit is
  at least the amount;
- the submitter cannot approve their own request;
- a request not decided within `settings.approval_ttl` expires and must be requested again;
- above `settings.two_person_threshold` two distinct approvers must approve the same payload;
- an approval binds the SHA-256 of the exact tool call; an `edit` yields a new hash which the
  editor approves, and approvals of an older hash no longer count.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from core.settings import Settings
from tools.approval.approvers import Approver
from tools.approval.errors import (
    AlreadyDecided,
    ApprovalExpired,
    ApprovalRequired,
    BarredApprover,
    NotAuthorised,
    PayloadMismatch,
    SecondApproverRequired,
    SelfApproval,
    UnknownApprover,
)

DecisionAction = Literal["approve", "edit", "reject"]
TallyStatus = Literal["pending", "approved", "rejected"]


class ApprovalTerms(BaseModel):
    """What a request asks for and under which rules it is decided; fixed when requested."""

    request_id: str
    tool: str
    payload_hash: str = Field(description="SHA-256 of the canonical tool call as requested.")
    thread_id: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    required_role: str
    requested_by: str | None = Field(None, description="The submitter, who may not approve.")
    barred: list[str] = Field(
        default_factory=list,
        description="Others who may not decide it: the requester named in the document, an "
        "earlier step's approvers.",
    )
    requested_at: datetime
    expires_at: datetime
    approvals_required: int = Field(1, ge=1)
    threshold: Decimal | None = Field(None, description="The two-person threshold applied.")


class Vote(BaseModel):
    """One approver's decision on one payload."""

    approver: str
    action: DecisionAction
    payload_hash: str = Field(description="The payload decided on (after the edit, for edits).")
    previous_hash: str | None = None
    arguments: dict[str, object] | None = Field(None, description="The edited arguments.")
    comment: str = ""
    decided_at: datetime
    decision_id: str | None = Field(None, description="Identifies one decision (replays).")


class Tally(BaseModel):
    """Where a request stands given its votes."""

    status: TallyStatus
    payload_hash: str = Field(description="The payload that runs if approved (latest edit).")
    arguments: dict[str, object] | None = Field(None, description="Edited arguments, if any.")
    approvers: list[str] = Field(default_factory=list)
    deciders: list[str] = Field(default_factory=list)


def make_terms(
    *,
    request_id: str,
    tool: str,
    payload_hash: str,
    required_role: str,
    requested_at: datetime,
    settings: Settings,
    amount: Decimal | None = None,
    currency: str | None = None,
    requested_by: str | None = None,
    thread_id: str | None = None,
    barred: Sequence[str] = (),
) -> ApprovalTerms:
    """Terms under the current settings: expiry from the TTL, approvers from the threshold."""
    two_person = amount is not None and amount > settings.two_person_threshold
    return ApprovalTerms(
        request_id=request_id,
        tool=tool,
        payload_hash=payload_hash,
        thread_id=thread_id,
        amount=amount,
        currency=currency,
        required_role=required_role,
        requested_by=requested_by,
        barred=list(barred),
        requested_at=requested_at,
        expires_at=requested_at + settings.approval_ttl,
        approvals_required=2 if two_person else 1,
        threshold=settings.two_person_threshold,
    )


def tally(terms: ApprovalTerms, votes: list[Vote]) -> Tally:
    """Count the votes: any reject rejects; approvals count only for the latest payload."""
    deciders = sorted({v.approver for v in votes})
    if any(v.action == "reject" for v in votes):
        return Tally(status="rejected", payload_hash=terms.payload_hash, deciders=deciders)
    edits = [v for v in votes if v.action == "edit"]
    current = edits[-1].payload_hash if edits else terms.payload_hash
    arguments = edits[-1].arguments if edits else None
    approvers: list[str] = []
    for vote in votes:
        if vote.payload_hash == current and vote.approver not in approvers:
            approvers.append(vote.approver)
    status: TallyStatus = "approved" if len(approvers) >= terms.approvals_required else "pending"
    return Tally(
        status=status,
        payload_hash=current,
        arguments=arguments,
        approvers=approvers,
        deciders=deciders,
    )


def check_decider(
    terms: ApprovalTerms,
    votes: list[Vote],
    approver_id: str,
    approver: Approver | None,
    now: datetime,
) -> None:
    """Raise the first rule `approver_id` breaks by deciding on this request now."""
    current = tally(terms, votes)
    if current.status != "pending":
        raise AlreadyDecided(terms.tool, terms.request_id, current.status, current.deciders)
    if now > terms.expires_at:
        raise ApprovalExpired(terms.tool, terms.request_id, terms.expires_at)
    if approver is None or not approver.active:
        raise UnknownApprover(terms.tool, terms.request_id, approver_id)
    if terms.requested_by is not None and approver_id == terms.requested_by:
        raise SelfApproval(terms.tool, terms.request_id, approver_id)
    if approver_id in terms.barred:
        raise BarredApprover(terms.tool, terms.request_id, approver_id)
    limit = approver.limit_for(terms.required_role)
    if limit is None:
        raise NotAuthorised(
            terms.tool,
            terms.request_id,
            approver_id,
            terms.required_role,
            f"does not hold role {terms.required_role!r}",
            amount=terms.amount,
        )
    if terms.amount is not None and limit < terms.amount:
        raise NotAuthorised(
            terms.tool,
            terms.request_id,
            approver_id,
            terms.required_role,
            f"limit {limit} is below the amount {terms.amount}",
            limit=limit,
            amount=terms.amount,
        )
    if approver_id in current.approvers:
        raise SecondApproverRequired(
            terms.tool, terms.request_id, current.approvers, terms.threshold
        )


def check_execution(terms: ApprovalTerms, votes: list[Vote], tool: str, payload_hash: str) -> Tally:
    """Raise unless the call about to run (`tool`, `payload_hash`) is exactly what was approved.

    Expiry is not checked here: a request approved in time stays approved, so a run resumed
    after a crash can still execute it (once: the ledger sees to that).
    """
    current = tally(terms, votes)
    if current.status == "rejected":
        raise AlreadyDecided(terms.tool, terms.request_id, "rejected", current.deciders)
    if current.status == "pending":
        if current.approvers:
            raise SecondApproverRequired(
                terms.tool, terms.request_id, current.approvers, terms.threshold
            )
        raise ApprovalRequired(
            tool, payload_hash, "the request is not approved yet", terms.request_id
        )
    if tool != terms.tool or payload_hash != current.payload_hash:
        raise PayloadMismatch(tool, terms.request_id, current.payload_hash, payload_hash)
    return current
