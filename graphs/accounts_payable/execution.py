"""The execution agent: pays an approved invoice through the payments tool, exactly once.

What is paid, to whom and how much is read from the books, not from thread state: the run's
obligation (vendor, invoice, amount, verified clean or not; tools/obligations.py), the vendor
master's IBAN, and the approval's votes. A state rewritten by a client (`update_state`, a
`Command(goto="execute", update=...)`) changes nothing here (issue 11, item 11). The
executor's policy checks the approval's payload hash; its ledger and the payment API key the
call by the obligation, so every run, retry and replica of one invoice meets the same payment.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from langgraph.runtime import Runtime
from sqlalchemy.orm import Session

from graphs.accounts_payable.approval import owed
from graphs.accounts_payable.context import Context, context_of
from graphs.accounts_payable.errors import NothingToPay
from graphs.accounts_payable.state import State, step
from nodes.context import thread_id_of
from tools import obligations
from tools.approval import votes as approval_votes
from tools.approval.policy import ApprovalTerms
from tools.crashpoints import crash_point
from tools.errors import ToolCallRefused
from tools.executor import CallScope
from tools.integrations.payments import TOOL_NAME, PaymentInstruction, PaymentReceipt
from tools.integrations.records import mark_invoice_paid
from tools.obligations import Obligation


def execute(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Graph node: pay this run's obligation through the tool registry, then book it."""
    context = context_of(runtime)
    thread_id = thread_id_of(runtime)
    try:
        obligation, instruction, terms = _what_to_pay(context, thread_id)
        outcome = context.executor.execute(
            TOOL_NAME,
            instruction,
            CallScope(thread_id, "execute", obligation=obligation.id),
            approval=terms,
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
    obligations.mark_paid(context.engine, obligation.id, receipt.payment_id)
    invoice = state.get("invoice")
    with Session(context.engine) as session, session.begin():
        mark_invoice_paid(
            session,
            vendor_id=obligation.vendor_id,
            invoice_number=obligation.invoice_number,
            invoice_date=getattr(invoice, "invoice_date", None),
            total=receipt.instruction.amount,
            currency=obligation.currency,
            payment_id=receipt.payment_id,
            source=thread_id,
        )
    crash_point("execute.after_mark_paid")
    paid = receipt.instruction
    note = f"paid {paid.amount} {paid.currency} as {receipt.payment_id}"
    if receipt.replayed:
        note += " (replayed: the payment was made before, under this invoice's obligation)"
    return {"payment": receipt, "payment_instruction": paid, **step("execute", note)}


def _what_to_pay(
    context: Context, thread_id: str
) -> tuple[Obligation, PaymentInstruction, ApprovalTerms | None]:
    """The payment this run may make, or `NothingToPay` naming why not."""
    obligation, instruction = owed(context, thread_id, replay=True)
    if obligation.approval_request_id is None:
        if not obligation.clean:
            raise NothingToPay(thread_id, f"verification recorded findings {obligation.findings}")
        if obligation.amount > context.settings.approval_threshold:
            raise NothingToPay(thread_id, "the amount is above the threshold; it needs approval")
        return obligation, instruction, None
    terms = approval_votes.get_terms(context.engine, obligation.approval_request_id)
    if terms is None:
        raise NothingToPay(thread_id, f"approval {obligation.approval_request_id} is unknown")
    tally = approval_votes.current_tally(context.engine, terms)
    if tally.arguments and "amount" in tally.arguments:  # an approved edit: a lower amount
        amount = Decimal(str(tally.arguments["amount"]))
        if not Decimal(0) < amount <= obligation.amount:
            raise NothingToPay(thread_id, f"the approved amount {amount} is out of range")
        instruction = instruction.model_copy(update={"amount": amount})
    return obligation, instruction, terms
