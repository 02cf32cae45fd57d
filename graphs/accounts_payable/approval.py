"""Approval: automatic below the threshold, a human gateway (`interrupt()`) above it.

The gateway shows the approver exactly what will run (tool name and arguments, with the
SHA-256 of their canonical JSON), the amount and the reasons, also as LangChain's standard
`HITLRequest` (nodes/hitl.py); it resumes with a standard `{"decisions": [{"type": ...}]}` or
with `{"action": "approve"|"edit"|"reject", "approver": str, "edits": {"amount": ...},
"comment": str}`. A refused decision interrupts again with the reason in `error` and at the
head of the action's `description` (what Agent Inbox shows).
What is paid comes from the run's obligation and the vendor master (tools/obligations.py).
LangGraph re-runs a node from its start on resume, so everything before `interrupt()` is
idempotent (the request row is insert-or-get) and the decision is written only after it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from langgraph.runtime import Runtime
from langgraph.types import interrupt
from pydantic import ValidationError
from sqlalchemy.orm import Session

from graphs.accounts_payable.context import Context, context_of
from graphs.accounts_payable.errors import NothingToPay
from graphs.accounts_payable.state import State, step
from nodes.approval import hitl
from tools import obligations
from tools.approval import facts as decision_facts
from tools.approval import requests as approvals
from tools.approval import votes as approval_votes
from tools.approval.errors import AlreadyDecided, ApprovalRefused, InvalidDecision
from tools.approval.policy import ApprovalTerms, Tally, make_terms
from tools.approval.requests import ApprovalDecision, ApprovalRequest, ToolCall
from tools.canonical import sha256_hex
from tools.crashpoints import crash_point
from tools.integrations import records
from tools.integrations.payments import TOOL_NAME, PaymentInstruction
from tools.obligations import Obligation
from tools.schema import utcnow

EDITABLE_FIELDS = frozenset({"amount"})
"""What an approver may change: only lower the amount. The payee is always the vendor master's
account; changing it is a vendor-master change with its own two-person control
(tools/vendor_changes.py), never an approval edit (issue 11, item 6)."""


class Payable(NamedTuple):
    """What this run may pay, read from SQL: its obligation and the payment it calls for."""

    obligation: Obligation
    instruction: PaymentInstruction


def payment_for(obligation: Obligation, master_iban: str) -> PaymentInstruction:
    """The payment an obligation calls for: its amount, always to the vendor master's IBAN."""
    return PaymentInstruction(
        vendor_id=obligation.vendor_id,
        payee_iban=master_iban,
        amount=obligation.amount,
        currency=obligation.currency,
        invoice_number=obligation.invoice_number,
        reference=f"Invoice {obligation.invoice_number}",
    )


def owed(context: Context, thread_id: str, *, replay: bool = False) -> Payable:
    """The obligation this run owns and its payment, from the books (never from state, which
    a client may have rewritten), or `NothingToPay` naming why not. `replay` accepts one
    already paid: execution re-running after a crash gets its payment back from the ledger.
    """
    obligation = obligations.owned_by(context.engine, thread_id)
    if obligation is None:
        raise NothingToPay(thread_id, "no verified invoice is owned by this run")
    if obligation.status == "closed":
        raise NothingToPay(thread_id, f"its invoice was released ({obligation.last_outcome})")
    if obligation.status == "paid" and not replay:
        raise NothingToPay(thread_id, f"its invoice is paid ({obligation.payment_id})")
    if obligation.amount <= 0:
        raise NothingToPay(thread_id, f"nothing is owed ({obligation.amount})")
    with Session(context.engine) as session:
        vendor = records.get_vendor(session, obligation.vendor_id)
    if vendor is None:
        raise NothingToPay(thread_id, f"vendor {obligation.vendor_id} is not in the master")
    return Payable(obligation, payment_for(obligation, vendor.iban))


def payable(context: Context, thread_id: str) -> Payable | None:
    """`owed`, or None when this run owns nothing it could pay."""
    try:
        return owed(context, thread_id)
    except NothingToPay:
        return None


def thread_id_of(runtime: Runtime[Context]) -> str:
    """The checkpointer's thread id; 'no-thread' when run without persistence (tests)."""
    info = runtime.execution_info
    return (info.thread_id if info else None) or "no-thread"


def auto_approve(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Graph node: clean and under the threshold; prepare the payment, no human needed."""
    found = payable(context_of(runtime), thread_id_of(runtime))
    instruction = found.instruction if found else None
    note = f"payment of {instruction.amount} prepared" if instruction else "nothing to pay"
    return {"payment_instruction": instruction, **step("auto_approve", note)}


def apply_decision(
    request_id: str, instruction: PaymentInstruction, raw: Any
) -> tuple[ApprovalDecision, PaymentInstruction]:
    """Validate a resume value and apply its edits; raise `InvalidDecision` if it is bad."""
    try:
        decision = ApprovalDecision.model_validate(raw)
    except ValidationError as error:
        raise InvalidDecision(request_id, _first_error(error)) from error
    if decision.action != "edit":
        return decision, instruction
    if "payee_iban" in decision.edits:
        raise InvalidDecision(
            request_id,
            "the payee cannot be changed in an approval: payments go to the vendor master's "
            "account; a new account is a vendor-master change (`overture vendors propose-iban "
            f"{instruction.vendor_id} IBAN`, confirmed by a second person)",
        )
    unknown = set(decision.edits) - EDITABLE_FIELDS
    if unknown or not decision.edits:
        problem = f"cannot edit {sorted(unknown)}" if unknown else "an edit needs `edits`"
        raise InvalidDecision(request_id, f"{problem}; only a lower `amount` may be edited")
    try:
        amount = Decimal(str(decision.edits["amount"]))
    except (InvalidOperation, ValueError) as error:
        raise InvalidDecision(
            request_id, f"amount: {decision.edits['amount']!r} is not a number"
        ) from error
    if not amount.is_finite() or amount <= 0 or amount > instruction.amount:
        raise InvalidDecision(
            request_id,
            f"amount {amount} is not allowed: an edit may only lower the amount, to more than "
            f"0 and at most the invoiced {instruction.amount}; reject the request instead",
        )
    return decision, instruction.model_copy(update={"amount": amount})


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    return f"{'.'.join(str(p) for p in first['loc']) or 'value'}: {first['msg']}"


def request_for(
    state: State, thread_id: str, obligation: Obligation, instruction: PaymentInstruction
) -> ApprovalRequest:
    """The request of this run for its obligation: one per obligation and owning run."""
    call = ToolCall(tool=TOOL_NAME, arguments=instruction.model_dump(mode="json"))
    return ApprovalRequest(
        id=approvals.approval_id(thread_id, f"{obligation.id}#{obligation.claims}"),
        thread_id=thread_id,
        call=call,
        payload_hash=call.payload_hash(),
        amount=instruction.amount,
        currency=instruction.currency,
        reasons=list(state.get("route_reasons") or []),
        document_path=state.get("document_path", ""),
    )


def needs_approval(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Graph node: the approval gateway. Interrupts until a human decides.

    Each resume value is recorded once as a fact (tools/decision_facts.py): on a replay the
    recorded approver and verdict stand, so a refused decision never comes back to life.
    """
    context = context_of(runtime)
    thread_id = thread_id_of(runtime)
    found = payable(context, thread_id)
    if found is None:  # routing sends only verified vendors here; be safe anyway
        return {"approval": None, **step("needs_approval", "nothing to approve")}
    obligation, instruction = found
    request = approvals.record_request(
        context.engine, request_for(state, thread_id, obligation, instruction)
    )
    obligations.await_approval(context.engine, obligation.id, thread_id, request.id)
    submitter = server_user(runtime)  # under the server, who started the run
    terms = approval_votes.register_terms(context.engine, terms_for(context, request, submitter))
    crash_point("approval.after_terms")
    if request.status == "expired":  # reconciled past its TTL (overture.service)
        return {
            "approval_request_id": request.id,
            "approval": None,
            "approval_outcome": "expired",
            "payment_instruction": None,
            **step("needs_approval", f"expired at {terms.expires_at:%Y-%m-%d %H:%M} UTC"),
        }
    decided = _decided_before(context, terms, instruction)
    decision, final = decided or _await_decision(context, runtime, request, terms, instruction)
    crash_point("approval.after_vote")
    _record_decision(context, request.id, decision)
    what = f"{decision.action} by {decision.approver}"
    if final != instruction:
        what += f" (edited: {decision.edits})"
    return {
        "approval_request_id": request.id,
        "approval": decision,
        "payment_instruction": final if decision.action != "reject" else None,
        **step("needs_approval", what),
    }


def _decided_before(
    context: Context, terms: ApprovalTerms, instruction: PaymentInstruction
) -> tuple[ApprovalDecision, PaymentInstruction] | None:
    """The decision already recorded in the votes, when an approver's process died between
    voting and the run moving on: the run continues with it instead of asking again."""
    standing = approval_votes.current_tally(context.engine, terms)
    if standing.status == "pending":
        return None
    votes = approval_votes.votes_for(context.engine, terms.request_id)
    last = next(v for v in reversed(votes) if v.action == "reject" or standing.status != "rejected")
    amount = (standing.arguments or {}).get("amount")
    final = (
        instruction.model_copy(update={"amount": Decimal(str(amount))}) if amount else instruction
    )
    decision = ApprovalDecision(
        action=last.action,
        approver=last.approver,
        comment=last.comment,
        edits={"amount": str(amount)} if last.action == "edit" and amount else {},
        decision_id=last.decision_id,
    )
    return decision, final


def _await_decision(
    context: Context,
    runtime: Runtime[Context],
    request: ApprovalRequest,
    terms: ApprovalTerms,
    instruction: PaymentInstruction,
) -> tuple[ApprovalDecision, PaymentInstruction]:
    """Interrupt until a decision completes the request; each resume value a recorded fact."""
    thread_id = request.thread_id
    payload = _payload(request, terms)
    final = instruction
    position = 0
    while True:  # a bad or refused decision asks again, with the problem; so does a 2nd approver
        raw = interrupt(payload)
        fact = decision_facts.record(
            context.engine,
            request_id=request.id,
            thread_id=thread_id,
            position=position,
            value=raw,
            approver=_identity(raw, runtime),
        )
        position += 1
        if fact.verdict == "refused":
            payload = _asking_again(payload, fact.reason or "refused")
            continue
        try:
            value = hitl.to_overture(request.id, TOOL_NAME, payload["arguments"], fact.value)
            decision, edited = apply_decision(request.id, final, value)
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
                **hitl.hitl_request(TOOL_NAME, arguments, _description(request)),
                "arguments": arguments,
                "payload_hash": tally.payload_hash,
                "approved_by": tally.approvers,
            },
            f"approved by {', '.join(tally.approvers)}; a second, different approver "
            "must approve the same payload",
        )


def _payload(request: ApprovalRequest, terms: ApprovalTerms) -> dict[str, Any]:
    """The interrupt value: Overture's keys and, beside them, the standard `HITLRequest`."""
    return {
        **hitl.hitl_request(request.call.tool, request.call.arguments, _description(request)),
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


def _description(request: ApprovalRequest) -> str:
    arguments = request.call.arguments
    reasons = "; ".join(request.reasons) or "above the approval threshold"
    return (
        f"Pay {request.amount} {request.currency} to vendor {arguments.get('vendor_id')} for "
        f"invoice {arguments.get('invoice_number')} ({reasons}). Approve, reject, or edit to a "
        f"lower `amount`; payload hash {request.payload_hash[:12]}."
    )


def _asking_again(payload: dict[str, Any], problem: str) -> dict[str, Any]:
    """The payload interrupting again after a refused (or not yet sufficient) decision: the
    problem in `error` and at the head of the action's description, so a client that shows
    only the standard request (Agent Inbox) cannot take the new wait for success."""
    (action,) = payload["action_requests"]
    description = action.get("description", "").split("\n\n")[-1]
    shown = {**action, "description": f"NOT DONE: {problem}\n\n{description}"}
    return {**payload, "action_requests": [shown], "error": problem}


def _identity(raw: Any, runtime: Runtime[Context]) -> str | None:
    """Who gave a resume value, when it is first received: under a server the user it
    authenticated for this run (`langgraph dev` also stamps it into the value, Aegra cannot:
    overture/auth.py), else the approver the in-process caller (the CLI, with its API key)
    authenticated."""
    user = server_user(runtime)
    if user is not None:
        return user
    named = raw.get("approver") if isinstance(raw, dict) else None
    return named if isinstance(named, str) and named else None


def server_user(runtime: Runtime[Context]) -> str | None:
    """The user a server authenticated for this run (overture/auth.py), if any: the
    Overture user it carries (`overture_user`; under Aegra the identity is a tenant)."""
    user = runtime.server_info.user if runtime.server_info else None
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return overture_user(user)


def overture_user(user: Any) -> str | None:
    """The Overture user of a server's authenticated user (either server's user type)."""
    named = getattr(user, "overture_user", None)
    if not isinstance(named, str):
        try:
            named = user["overture_user"]
        except (KeyError, TypeError):
            named = None
    return named or getattr(user, "identity", None) or None


def terms_for(
    context: Context, request: ApprovalRequest, submitter: str | None = None
) -> ApprovalTerms:
    """The policy terms of a request: role from the tool's policy, TTL and two-person
    threshold from settings, the submitter given (the server's user) or `settings.user`."""
    spec = context.executor.registry.get(request.call.tool)
    return make_terms(
        request_id=request.id,
        tool=request.call.tool,
        payload_hash=request.payload_hash,
        required_role=spec.approver_role or "",
        requested_at=request.requested_at or utcnow(),
        settings=context.settings,
        amount=request.amount,
        currency=request.currency,
        requested_by=submitter or context.settings.user,
        thread_id=request.thread_id,
    )


def decision_id_of(decision: ApprovalDecision) -> str:
    """The decision's id; one derived from its content when the resumer gave none."""
    return decision.decision_id or sha256_hex(decision.model_dump(mode="json"))


def _vote(
    context: Context, terms: ApprovalTerms, decision: ApprovalDecision, final: PaymentInstruction
) -> Tally:
    """Record the decision under the approval policy (who, role, limit, expiry, hash)."""
    edited = context.executor.registry.bind(TOOL_NAME, final) if decision.action == "edit" else None
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


def _record_decision(context: Context, request_id: str, decision: ApprovalDecision) -> None:
    """Conditional update from pending; a replay of the same decision is fine, a different
    decision already recorded (a racing approver) is refused."""
    if approvals.decide(context.engine, request_id, decision):
        return
    stored = approvals.get_request(context.engine, request_id)
    if stored is not None and stored.decision == decision:
        return
    raise AlreadyDecided(
        TOOL_NAME,
        request_id,
        stored.status if stored else "unknown",
        [stored.decided_by] if stored and stored.decided_by else None,
    )
