"""Approval: automatic below the threshold, a human gateway (`interrupt()`) above it.

The gateway shows the approver exactly what will run (tool name and arguments, with the
SHA-256 of their canonical JSON), the amount and the reasons; it resumes with
`{"action": "approve"|"edit"|"reject", "approver": str, "edits": {...}, "comment": str}`.
LangGraph re-runs a node from its start on resume, so everything before `interrupt()` is
idempotent (the request row is insert-or-get) and the decision is written only after it.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import interrupt
from pydantic import ValidationError

from nodes.context import Context, context_of
from nodes.state import State, step
from overture.domain import Invoice
from overture.errors import AlreadyDecided, ApprovalRefused, InvalidDecision
from tools import approval_votes, approvals
from tools.approval_policy import ApprovalTerms, Tally, make_terms
from tools.approvals import ApprovalDecision, ApprovalRequest, ToolCall
from tools.canonical import sha256_hex
from tools.crashpoints import crash_point
from tools.payments import TOOL_NAME, PaymentInstruction
from tools.schema import utcnow

EDITABLE_FIELDS = frozenset({"amount", "payee_iban"})
"""What an approver may change; anything else is a different payment, requested anew."""


def payment_for(invoice: Invoice, vendor_id: str, master_iban: str) -> PaymentInstruction:
    """The payment an invoice calls for: always to the vendor master's IBAN, never the
    document's (a clean invoice has the same one; a differing one never gets here)."""
    return PaymentInstruction(
        vendor_id=vendor_id,
        payee_iban=master_iban,
        amount=invoice.total,
        currency=invoice.currency,
        invoice_number=invoice.invoice_number,
        reference=f"Invoice {invoice.invoice_number}",
    )


def _instruction(state: State) -> PaymentInstruction | None:
    invoice, report = state.get("invoice"), state.get("verification")
    if invoice is None or report is None or not report.vendor_id or not report.vendor_iban:
        return None
    return payment_for(invoice, report.vendor_id, report.vendor_iban)


def thread_id_of(runtime: Runtime[Context]) -> str:
    """The checkpointer's thread id; 'no-thread' when run without persistence (tests)."""
    info = runtime.execution_info
    return (info.thread_id if info else None) or "no-thread"


def auto_approve(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Graph node: clean and under the threshold; prepare the payment, no human needed."""
    instruction = _instruction(state)
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
    unknown = set(decision.edits) - EDITABLE_FIELDS
    if unknown or not decision.edits:
        problem = f"cannot edit {sorted(unknown)}" if unknown else "an edit needs `edits`"
        raise InvalidDecision(request_id, problem)
    try:
        edited = PaymentInstruction.model_validate({**instruction.model_dump(), **decision.edits})
    except ValidationError as error:
        raise InvalidDecision(request_id, _first_error(error)) from error
    return decision, edited


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    return f"{'.'.join(str(p) for p in first['loc']) or 'value'}: {first['msg']}"


def request_for(state: State, thread_id: str, instruction: PaymentInstruction) -> ApprovalRequest:
    call = ToolCall(tool=TOOL_NAME, arguments=instruction.model_dump(mode="json"))
    key = f"{instruction.vendor_id}/{instruction.invoice_number}"
    return ApprovalRequest(
        id=approvals.approval_id(thread_id, key),
        thread_id=thread_id,
        call=call,
        payload_hash=call.payload_hash(),
        amount=instruction.amount,
        currency=instruction.currency,
        reasons=list(state.get("route_reasons") or []),
        document_path=state.get("document_path", ""),
    )


def needs_approval(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Graph node: the approval gateway. Interrupts until a human decides."""
    context = context_of(runtime)
    instruction = _instruction(state)
    if instruction is None:  # routing sends only verified vendors here; be safe anyway
        return {"approval": None, **step("needs_approval", "nothing to approve")}
    request = approvals.record_request(
        context.engine, request_for(state, thread_id_of(runtime), instruction)
    )
    submitter = server_user(runtime)  # under the server, who started the run
    terms = approval_votes.register_terms(context.engine, terms_for(context, request, submitter))
    crash_point("approval.after_terms")
    payload: dict[str, Any] = {
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
    final = instruction
    while True:  # a bad or refused decision asks again, with the problem; so does a 2nd approver
        try:
            raw = as_server_user(interrupt(payload), submitter)
            decision, final = apply_decision(request.id, final, raw)
            tally = _vote(context, terms, decision, final)
        except (InvalidDecision, ApprovalRefused) as error:
            if isinstance(error, AlreadyDecided):
                raise  # a racing approver decided first: this resume has nothing to do
            payload = {**payload, "error": str(error)}
            continue
        if tally.status != "pending":
            break
        payload = {
            **payload,
            "arguments": final.model_dump(mode="json"),
            "payload_hash": tally.payload_hash,
            "approved_by": tally.approvers,
            "error": f"approved by {', '.join(tally.approvers)}; a second, different approver "
            "must approve the same payload",
        }
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


def server_user(runtime: Runtime[Context]) -> str | None:
    """The user the LangGraph server authenticated for this run (overture/auth.py), if any."""
    user = runtime.server_info.user if runtime.server_info else None
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "identity", None) or None


def as_server_user(raw: Any, user: str | None) -> Any:
    """A resume value decided by `user`: through the server the approver is the caller,
    never the name the client wrote (the auth handler rewrites it too; this holds without it).
    """
    if user is None or not isinstance(raw, dict):
        return raw
    return {**raw, "approver": user}


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
