"""The gateway, execution and audit nodes on a small graph: interrupt, decide, pay once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.settings import Settings
from graphs.accounts_payable.approval import auto_approve, needs_approval
from graphs.accounts_payable.audit import audit
from graphs.accounts_payable.context import Context
from graphs.accounts_payable.execution import execute
from graphs.accounts_payable.findings import VerificationReport
from graphs.accounts_payable.routing import after_approval
from graphs.accounts_payable.state import State
from tests.ap_helpers import NORDWIND_IBAN, clean_invoice, seeded_engine, verified
from tools import audit_log
from tools.approval import requests as approvals
from tools.integrations.records import InvoiceRow


@pytest.fixture
def context(tmp_path):
    engine = seeded_engine(f"sqlite:///{tmp_path / 'ap.db'}")
    yield Context(engine=engine, settings=Settings())
    engine.dispose()


def gateway_graph():
    builder = StateGraph(State, context_schema=Context)
    builder.add_node("needs_approval", needs_approval)
    builder.add_node("execute", execute)
    builder.add_node("audit", audit)
    builder.add_edge(START, "needs_approval")
    builder.add_conditional_edges("needs_approval", after_approval)
    builder.add_edge("execute", "audit")
    builder.add_edge("audit", END)
    return builder.compile(checkpointer=InMemorySaver())


def start_state(context: Context, total: str = "12000.00") -> State:
    verified(context.engine, "t-1", clean_invoice(total=Decimal(total)))
    return {
        "document_path": "big.pdf",
        "invoice": clean_invoice(total=Decimal(total)),
        "errors": [],
        "verification": VerificationReport(
            vendor_id="V001", vendor_name="Nordwind", vendor_iban=NORDWIND_IBAN
        ),
        "route": "needs_approval",
        "route_reasons": ["total above the approval threshold"],
    }


CONFIG = {"configurable": {"thread_id": "t-1"}}


def test_interrupt_carries_the_exact_call_amount_and_reasons(context) -> None:
    graph = gateway_graph()
    graph.invoke(start_state(context), CONFIG, context=context)
    (pending,) = graph.get_state(CONFIG).interrupts
    payload = pending.value
    assert payload["tool"] == "payments.pay"
    assert payload["arguments"]["amount"] == "12000.00"
    assert payload["arguments"]["payee_iban"] == NORDWIND_IBAN
    assert payload["amount"] == "12000.00" and payload["reasons"]
    (request,) = approvals.list_requests(context.engine)
    assert request.id == payload["approval_id"] and request.payload_hash == payload["payload_hash"]
    assert context.payment_gateway.count() == 0  # nothing happens before the decision


def test_approve_pays_once_marks_paid_and_audits(context) -> None:
    graph = gateway_graph()
    graph.invoke(start_state(context), CONFIG, context=context)
    decision = {"action": "approve", "approver": "alice", "comment": "ok"}
    out = graph.invoke(Command(resume=decision), CONFIG, context=context)
    assert out["payment"].instruction.amount == Decimal("12000.00")
    assert context.payment_gateway.count() == 1
    with Session(context.engine) as session:
        row = session.scalar(select(InvoiceRow).where(InvoiceRow.invoice_number == "NW-2026-00417"))
        assert (
            row is not None and row.status == "paid" and row.payment_id == out["payment"].payment_id
        )
    record = audit_log.get_record(context.engine, "t-1")
    assert record is not None and record.outcome == "paid" and "alice" in record.summary
    (request,) = approvals.list_requests(context.engine, None)
    assert request.status == "approved" and request.decided_by == "alice"


def test_execute_rerun_replays_the_payment(context) -> None:
    graph = gateway_graph()
    graph.invoke(start_state(context), CONFIG, context=context)
    graph.invoke(
        Command(resume={"action": "approve", "approver": "alice"}), CONFIG, context=context
    )
    # Replay the execute step from its checkpoint, as a crash-and-resume would.
    before_execute = next(s for s in graph.get_state_history(CONFIG) if s.next == ("execute",))
    out = graph.invoke(None, before_execute.config, context=context)
    assert out["payment"].replayed and context.payment_gateway.count() == 1


def test_edit_pays_the_edited_amount_and_records_the_editor(context) -> None:
    graph = gateway_graph()
    graph.invoke(start_state(context), CONFIG, context=context)
    edit = {"action": "edit", "approver": "bob", "edits": {"amount": "11500.00"}}
    out = graph.invoke(Command(resume=edit), CONFIG, context=context)
    assert out["payment"].instruction.amount == Decimal("11500.00")
    assert out["approval"].approver == "bob" and out["approval"].edits == {"amount": "11500.00"}


def test_reject_pays_nothing(context) -> None:
    graph = gateway_graph()
    graph.invoke(start_state(context), CONFIG, context=context)
    reject = {"action": "reject", "approver": "carol", "comment": "not ordered"}
    out = graph.invoke(Command(resume=reject), CONFIG, context=context)
    assert out.get("payment") is None and context.payment_gateway.count() == 0
    assert audit_log.get_record(context.engine, "t-1").outcome == "approval_rejected"


def test_invalid_decision_asks_again_with_the_problem(context) -> None:
    graph = gateway_graph()
    graph.invoke(start_state(context), CONFIG, context=context)
    graph.invoke(Command(resume={"action": "maybe", "approver": "x"}), CONFIG, context=context)
    (pending,) = graph.get_state(CONFIG).interrupts
    assert "invalid decision" in pending.value["error"]
    assert context.payment_gateway.count() == 0
    bad_edit = {"action": "edit", "approver": "x", "edits": {"vendor_id": "V002"}}
    graph.invoke(Command(resume=bad_edit), CONFIG, context=context)
    assert "cannot edit" in graph.get_state(CONFIG).interrupts[0].value["error"]
    out = graph.invoke(
        Command(resume={"action": "approve", "approver": "alice"}), CONFIG, context=context
    )
    assert out["payment"] is not None and context.payment_gateway.count() == 1


def test_auto_approve_prepares_payment_to_the_master_iban(context) -> None:
    builder = StateGraph(State, context_schema=Context)
    builder.add_node("auto_approve", auto_approve)
    builder.add_edge(START, "auto_approve")
    graph = builder.compile(checkpointer=InMemorySaver())
    state = start_state(context, "100.00")
    state["invoice"] = clean_invoice(total=Decimal("100.00"), iban="GB33BUKB20201555555555")
    out = graph.invoke(state, CONFIG, context=context)
    instruction = out["payment_instruction"]
    assert instruction.payee_iban == NORDWIND_IBAN and instruction.amount == Decimal("100.00")
