"""Approval of a payment: automatic below the threshold, the gateway (`interrupt()`) above it.

What is paid comes from the run's obligation and the vendor master (tools/obligations.py),
never from thread state; the gateway itself (nodes/approval/gateway.py) is the one every
workflow uses. An approver may only lower the amount (the payments tool's edit rule in
tools.py); the payee is always the vendor master's account.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from langgraph.runtime import Runtime
from sqlalchemy.orm import Session

from graphs.accounts_payable.context import Context, context_of
from graphs.accounts_payable.errors import NothingToPay
from graphs.accounts_payable.state import State, step
from nodes.approval.gateway import Proposal, approval_gateway
from nodes.context import thread_id_of
from tools import obligations
from tools.integrations import records
from tools.integrations.payments import TOOL_NAME, PaymentInstruction
from tools.obligations import Obligation


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


def auto_approve(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Graph node: clean and under the threshold; prepare the payment, no human needed."""
    found = payable(context_of(runtime), thread_id_of(runtime))
    instruction = found.instruction if found else None
    note = f"payment of {instruction.amount} prepared" if instruction else "nothing to pay"
    return {"payment_instruction": instruction, **step("auto_approve", note)}


def needs_approval(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Graph node: the approval gateway, for the payment this run's obligation calls for."""
    context = context_of(runtime)
    thread_id = thread_id_of(runtime)
    found = payable(context, thread_id)
    if found is None:  # routing sends only verified vendors here; be safe anyway
        return {"approval": None, **step("needs_approval", "nothing to approve")}
    obligation, instruction = found
    verdict = approval_gateway(
        runtime,
        Proposal(
            tool=TOOL_NAME,
            arguments=instruction,
            obligation=f"{obligation.id}#{obligation.claims}",
            amount=instruction.amount,
            currency=instruction.currency,
            description=_description(instruction, state.get("route_reasons") or []),
            reasons=list(state.get("route_reasons") or []),
            document_path=state.get("document_path", ""),
            on_request=lambda request: obligations.await_approval(
                context.engine, obligation.id, thread_id, request.id
            ),
        ),
    )
    request, decision = verdict.request, verdict.decision
    if decision is None:
        return {
            "approval_request_id": request.id,
            "approval": None,
            "approval_outcome": "expired",
            "payment_instruction": None,
            **step("needs_approval", f"expired at {verdict.terms.expires_at:%Y-%m-%d %H:%M} UTC"),
        }
    what = f"{decision.action} by {decision.approver}"
    if verdict.arguments != instruction:
        what += f" (edited: {decision.edits})"
    return {
        "approval_request_id": request.id,
        "approval": decision,
        "payment_instruction": verdict.arguments if verdict.approved else None,
        **step("needs_approval", what),
    }


def _description(instruction: PaymentInstruction, reasons: list[str]) -> str:
    because = "; ".join(reasons) or "above the approval threshold"
    return (
        f"Pay {instruction.amount} {instruction.currency} to vendor {instruction.vendor_id} for "
        f"invoice {instruction.invoice_number} ({because}). Approve, reject, or edit to a "
        "lower `amount`"
    )
