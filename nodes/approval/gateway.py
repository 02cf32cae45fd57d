"""The approval gateway: one tool call held at `interrupt()` until authorised people decide.

A workflow proposes the call (a `Proposal`: the tool, its arguments, the obligation it
belongs to, why it needs a human) and gets back a `Verdict`; everything between is here and
the same for every workflow. The approver sees exactly what will run (tool name and
arguments, with the SHA-256 of their canonical JSON), also as LangChain's standard
`HITLRequest` (nodes/approval/hitl.py), and resumes with a standard
`{"decisions": [{"type": ...}]}` or with `{"action": "approve"|"edit"|"reject", "approver":
str, "edits": {...}, "comment": str}`. What may be edited is the tool's rule
(tools/approval/edits.py); who may decide, up to which amount, by when and how many people
is the approval policy (tools/approval/policy.py). A refused decision interrupts again with
the reason in `error` and at the head of the action's `description` (what Agent Inbox shows).

A chain of approvals (a manager, then finance) is the gateway twice, each step with its own
role and request; `barred` people (the requester, an earlier step's approver) are refused by the
policy like the submitter is, wherever the decision arrives (gateway, CLI, server).

LangGraph re-runs a node from its start on resume, so everything before `interrupt()` is
idempotent (the request row is insert-or-get) and the decision is written only after it.
Each resume value is recorded once as a fact (tools/approval/facts.py): on a replay the
recorded approver and verdict stand, so a refused decision never comes back to life.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import interrupt
from pydantic import BaseModel

from nodes.approval import hitl
from nodes.approval.identity import server_user
from nodes.context import AgentContext, require_context, thread_id_of
from tools.approval import facts as decision_facts
from tools.approval import requests as approvals
from tools.approval import votes as approval_votes
from tools.approval.edits import apply_decision
from tools.approval.errors import AlreadyDecided, ApprovalRefused, InvalidDecision
from tools.approval.policy import ApprovalTerms, Tally, make_terms
from tools.approval.requests import ApprovalDecision, ApprovalRequest, ToolCall
from tools.canonical import sha256_hex
from tools.crashpoints import crash_point
from tools.schema import utcnow


@dataclass(frozen=True)
class Proposal:
    """A call a workflow wants approved, and what the approver is told about it."""

    tool: str
    arguments: BaseModel
    """The call's arguments, of the tool's schema; what runs if approved unedited."""
    obligation: str
    """The business obligation the request belongs to (one request per obligation, step and
    owning run), e.g. `tools.obligations` id and claim."""
    amount: Decimal
    currency: str
    description: str
    """What the approver reads: what the call does and why it waits for them."""
    reasons: Sequence[str] = ()
    document_path: str = ""
    step: str = ""
    """The step of an approval chain (`manager`, `finance`); "" for a single approval."""
    role: str | None = None
    """The role this step needs; None means the tool's policy role."""
    barred: Sequence[str] = ()
    """People who may not decide this step: whoever asked for it, an earlier step's approvers;
    recorded in the request's terms, so the approval policy refuses them everywhere."""
    on_request: Callable[[ApprovalRequest], None] | None = field(default=None, compare=False)
    """Called with the request once it is recorded (before the interrupt), on every replay."""


@dataclass(frozen=True)
class Verdict:
    """How a proposal was decided: the request, the decision (None if it expired) and the
    arguments that run if approved (edited ones after an edit)."""

    request: ApprovalRequest
    terms: ApprovalTerms
    decision: ApprovalDecision | None
    arguments: BaseModel

    @property
    def approved(self) -> bool:
        return self.decision is not None and self.decision.action != "reject"

    @property
    def outcome(self) -> str:
        """`approved`, `rejected`, or `expired` (nobody decided in time)."""
        if self.decision is None:
            return "expired"
        return "approved" if self.approved else "rejected"


def approval_gateway(runtime: Runtime[Any], proposal: Proposal) -> Verdict:
    """Hold the proposal at `interrupt()` until its request is decided (or has expired)."""
    context = require_context(runtime, AgentContext)
    thread_id = thread_id_of(runtime)
    request = approvals.record_request(context.engine, request_for(thread_id, proposal))
    if proposal.on_request is not None:
        proposal.on_request(request)
    submitter = server_user(runtime)  # under the server, who started the run
    terms = approval_votes.register_terms(
        context.engine,
        terms_for(context, request, submitter, role=proposal.role, barred=proposal.barred),
    )
    crash_point("approval.after_terms")
    if request.status == "expired":  # reconciled past its TTL (overture.service)
        return Verdict(request, terms, None, proposal.arguments)
    decided = _decided_before(context, terms, proposal.arguments)
    decision, final = decided or _await_decision(context, runtime, request, terms, proposal)
    crash_point("approval.after_vote")
    _record_decision(context, request.id, decision)
    return Verdict(request, terms, decision, final)


def request_for(thread_id: str, proposal: Proposal) -> ApprovalRequest:
    """The request of this run for its obligation (and chain step)."""
    call = ToolCall(tool=proposal.tool, arguments=proposal.arguments.model_dump(mode="json"))
    scope = f"{proposal.obligation}@{proposal.step}" if proposal.step else proposal.obligation
    return ApprovalRequest(
        id=approvals.approval_id(thread_id, scope),
        thread_id=thread_id,
        call=call,
        payload_hash=call.payload_hash(),
        amount=proposal.amount,
        currency=proposal.currency,
        reasons=list(proposal.reasons),
        document_path=proposal.document_path,
    )


def terms_for(
    context: AgentContext,
    request: ApprovalRequest,
    submitter: str | None = None,
    *,
    role: str | None = None,
    barred: Sequence[str] = (),
) -> ApprovalTerms:
    """The policy terms of a request: role from the step or the tool's policy, TTL and
    two-person threshold from settings, the submitter given (the server's user) or
    `settings.user`."""
    spec = context.executor.registry.get(request.call.tool)
    return make_terms(
        request_id=request.id,
        tool=request.call.tool,
        payload_hash=request.payload_hash,
        required_role=role or spec.approver_role or "",
        requested_at=request.requested_at or utcnow(),
        settings=context.settings,
        amount=request.amount,
        currency=request.currency,
        requested_by=submitter or context.settings.user,
        thread_id=request.thread_id,
        barred=barred,
    )


def _decided_before(
    context: AgentContext, terms: ApprovalTerms, arguments: BaseModel
) -> tuple[ApprovalDecision, BaseModel] | None:
    """The decision already recorded in the votes, when an approver's process died between
    voting and the run moving on: the run continues with it instead of asking again."""
    standing = approval_votes.current_tally(context.engine, terms)
    if standing.status == "pending":
        return None
    votes = approval_votes.votes_for(context.engine, terms.request_id)
    last = next(v for v in reversed(votes) if v.action == "reject" or standing.status != "rejected")
    edited = dict(standing.arguments or {})
    final = arguments.model_validate({**arguments.model_dump(), **edited}) if edited else arguments
    requested = arguments.model_dump(mode="json")
    changed = {k: str(v) for k, v in edited.items() if v != requested.get(k)}
    decision = ApprovalDecision(
        action=last.action,
        approver=last.approver,
        comment=last.comment,
        edits=changed if last.action == "edit" else {},
        decision_id=last.decision_id,
    )
    return decision, final


def _await_decision(
    context: AgentContext,
    runtime: Runtime[Any],
    request: ApprovalRequest,
    terms: ApprovalTerms,
    proposal: Proposal,
) -> tuple[ApprovalDecision, BaseModel]:
    """Interrupt until a decision completes the request; each resume value a recorded fact."""
    tool = request.call.tool
    rule = context.executor.registry.get(tool).edits
    payload = _payload(request, terms, proposal.description)
    final = proposal.arguments
    position = 0
    while True:  # a bad or refused decision asks again, with the problem; so does a 2nd approver
        raw = interrupt(payload)
        fact = decision_facts.record(
            context.engine,
            request_id=request.id,
            thread_id=request.thread_id,
            position=position,
            value=raw,
            approver=_identity(raw, runtime),
        )
        position += 1
        if fact.verdict == "refused":
            payload = _asking_again(payload, fact.reason or "refused")
            continue
        try:
            value = hitl.to_overture(request.id, tool, payload["arguments"], fact.value)
            decision, edited = apply_decision(request.id, rule, final, value)
            tally = _vote(context, terms, decision, edited)
        except (InvalidDecision, ApprovalRefused) as error:
            if isinstance(error, AlreadyDecided):
                raise  # a racing approver decided first: this resume has nothing to do
            decision_facts.judge(context.engine, fact, "refused", str(error))
            payload = _asking_again(payload, str(error))
            continue
        decision_facts.judge(context.engine, fact, "accepted")
        final = edited
        if tally.status != "pending":
            return decision, final
        arguments = final.model_dump(mode="json")
        payload = _asking_again(
            {
                **payload,
                **hitl.hitl_request(tool, arguments, _shown(proposal.description, request)),
                "arguments": arguments,
                "payload_hash": tally.payload_hash,
                "approved_by": tally.approvers,
            },
            f"approved by {', '.join(tally.approvers)}; a second, different approver "
            "must approve the same payload",
        )


def _payload(request: ApprovalRequest, terms: ApprovalTerms, description: str) -> dict[str, Any]:
    """The interrupt value: Overture's keys and, beside them, the standard `HITLRequest`."""
    return {
        **hitl.hitl_request(
            request.call.tool, request.call.arguments, _shown(description, request)
        ),
        "approval_id": request.id,
        **request.call.model_dump(mode="json"),
        "payload_hash": request.payload_hash,
        "amount": str(request.amount),
        "currency": request.currency,
        "reasons": request.reasons,
        "document_path": request.document_path,
        "required_role": terms.required_role,
        "approvals_required": terms.approvals_required,
        "expires_at": terms.expires_at.isoformat(),
    }


def _shown(description: str, request: ApprovalRequest) -> str:
    return f"{description}; payload hash {request.payload_hash[:12]}."


def _asking_again(payload: dict[str, Any], problem: str) -> dict[str, Any]:
    """The payload interrupting again after a refused (or not yet sufficient) decision: the
    problem in `error` and at the head of the action's description, so a client that shows
    only the standard request (Agent Inbox) cannot take the new wait for success."""
    (action,) = payload["action_requests"]
    description = action.get("description", "").split("\n\n")[-1]
    shown = {**action, "description": f"NOT DONE: {problem}\n\n{description}"}
    return {**payload, "action_requests": [shown], "error": problem}


def _identity(raw: Any, runtime: Runtime[Any]) -> str | None:
    """Who gave a resume value, when it is first received: under a server the user it
    authenticated for this run (`langgraph dev` also stamps it into the value, Aegra cannot:
    overture/auth.py), else the approver the in-process caller (the CLI, with its API key)
    authenticated."""
    user = server_user(runtime)
    if user is not None:
        return user
    named = raw.get("approver") if isinstance(raw, dict) else None
    return named if isinstance(named, str) and named else None


def decision_id_of(decision: ApprovalDecision) -> str:
    """The decision's id; one derived from its content when the resumer gave none."""
    return decision.decision_id or sha256_hex(decision.model_dump(mode="json"))


def _vote(
    context: AgentContext, terms: ApprovalTerms, decision: ApprovalDecision, final: BaseModel
) -> Tally:
    """Record the decision under the approval policy (who, role, limit, expiry, hash)."""
    edited = (
        context.executor.registry.bind(terms.tool, final) if decision.action == "edit" else None
    )
    return approval_votes.decide(
        context.engine,
        terms,
        approver_id=decision.approver,
        action=decision.action,
        comment=decision.comment,
        edited_hash=edited.payload_hash if edited else None,
        edited_arguments=edited.arguments if edited else None,
        decision_id=decision_id_of(decision),
    ).tally


def _record_decision(context: AgentContext, request_id: str, decision: ApprovalDecision) -> None:
    """Conditional update from pending; a replay of the same decision is fine, a different
    decision already recorded (a racing approver) is refused."""
    if approvals.decide(context.engine, request_id, decision):
        return
    stored = approvals.get_request(context.engine, request_id)
    if stored is not None and stored.decision == decision:
        return
    raise AlreadyDecided(
        stored.call.tool if stored else "unknown",
        request_id,
        stored.status if stored else "unknown",
        [stored.decided_by] if stored and stored.decided_by else None,
    )
