"""The execution agent: pays an approved invoice through the payments tool, exactly once.

The idempotency key is derived from the thread and the invoice, and the payments API
honours it, so a retried or resumed run (the node re-running after a crash between the call
and the checkpoint) gets the first payment back instead of paying twice. Issue 4 moves the
call behind the tool registry and its execution ledger; the key scheme stays.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from sqlalchemy.orm import Session

from nodes.approval import thread_id_of
from nodes.context import Context, context_of
from nodes.state import State, step
from tools.canonical import sha256_hex
from tools.payments import TOOL_NAME, PaymentInstruction
from tools.records import mark_invoice_paid


def idempotency_key(thread_id: str, instruction: PaymentInstruction) -> str:
    """One key per (thread, vendor, invoice): an edited amount is still the same payment."""
    return sha256_hex(
        {
            "thread": thread_id,
            "tool": TOOL_NAME,
            "vendor": instruction.vendor_id,
            "invoice": instruction.invoice_number,
        }
    )


def execute(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Graph node: make the payment and mark the invoice paid in the system of record."""
    instruction = state.get("payment_instruction")
    if instruction is None:
        return {"payment": None, **step("execute", "nothing to pay")}
    context = context_of(runtime)
    thread_id = thread_id_of(runtime)
    receipt = context.payment_gateway.pay(
        instruction, idempotency_key=idempotency_key(thread_id, instruction)
    )
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
    note = f"paid {instruction.amount} {instruction.currency} as {receipt.payment_id}"
    if receipt.replayed:
        note += " (replayed: the payment API had this key already)"
    return {"payment": receipt, **step("execute", note)}
