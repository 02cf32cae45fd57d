"""The execution agent: pays an approved invoice through the payments tool, exactly once.

The payment runs through the tool registry's executor (tools/executor.py): its policy checks
the approval (payload hash, approvers), and its execution ledger derives the idempotency key
from (thread, node, tool, canonical arguments) and passes it to the payments API, so a
retried or resumed run (the node re-running after a crash between the call and the
checkpoint) gets the first payment back instead of paying twice.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from sqlalchemy.orm import Session

from nodes.approval import thread_id_of
from nodes.context import Context, context_of
from nodes.state import State, step
from overture.errors import ToolCallRefused
from tools import approval_votes
from tools.crashpoints import crash_point
from tools.executor import CallScope
from tools.payments import TOOL_NAME, PaymentReceipt
from tools.records import mark_invoice_paid


def execute(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Graph node: pay through the tool registry, then mark the invoice paid.

    The executor checks the call against the approval it was granted under (the payload hash
    must be the approved one: a change via `update_state` after approval is refused), and
    its ledger returns the recorded receipt when this node re-runs after a crash.
    """
    instruction = state.get("payment_instruction")
    if instruction is None:
        return {"payment": None, **step("execute", "nothing to pay")}
    context = context_of(runtime)
    thread_id = thread_id_of(runtime)
    request_id = state.get("approval_request_id")
    terms = approval_votes.get_terms(context.engine, request_id) if request_id else None
    try:
        outcome = context.executor.execute(
            TOOL_NAME, instruction, CallScope(thread_id, "execute"), approval=terms
        )
    except ToolCallRefused as refusal:
        return {
            "payment": None,
            "errors": [f"{state.get('document_path', '')}: payment refused: {refusal}"],
            **step("execute", f"payment refused ({refusal.code}); nothing was paid"),
        }
    receipt = outcome.result
    assert isinstance(receipt, PaymentReceipt)
    if outcome.replayed:  # the ledger answered: the recorded receipt, not a new payment
        receipt = receipt.model_copy(update={"replayed": True})
    crash_point("execute.after_payment")
    invoice = state.get("invoice")
    with Session(context.engine) as session, session.begin():
        mark_invoice_paid(
            session,
            vendor_id=instruction.vendor_id,
            invoice_number=instruction.invoice_number,
            invoice_date=invoice.invoice_date if invoice else None,
            total=instruction.amount,
            currency=instruction.currency,
            payment_id=receipt.payment_id,
            source=thread_id,
        )
    crash_point("execute.after_mark_paid")
    note = f"paid {instruction.amount} {instruction.currency} as {receipt.payment_id}"
    if receipt.replayed:
        note += " (replayed: recorded by the execution ledger before a restart)"
    return {"payment": receipt, **step("execute", note)}
