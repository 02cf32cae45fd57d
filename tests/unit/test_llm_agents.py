"""The `llm` verification and audit strategies, driven by scripted chat models."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from langchain_core.messages import AIMessage, ToolMessage

from graphs.accounts_payable.audit import build_record, llm_summary
from graphs.accounts_payable.context import Context
from graphs.accounts_payable.llm_verification import MAX_TOOL_ROUNDS, investigate
from tests.ap_helpers import clean_invoice, seeded_engine
from tests.fake_models import ScriptedChatModel, tool_call
from tools.executor import CallScope


@pytest.fixture
def context(sqlite_url: str) -> Iterator[Context]:
    engine = seeded_engine(sqlite_url)
    yield Context(engine=engine)
    engine.dispose()


def test_the_verification_agent_looks_things_up_and_reports_problems(context: Context) -> None:
    model = ScriptedChatModel(
        script=[
            tool_call("records__get_purchase_order", {"po_number": "PO-2026-0101"}),
            AIMessage(content="OK: vendor known\nPROBLEM: toner price rose 40% since last year"),
        ]
    )

    findings = investigate(model, clean_invoice(), context.read_tools, CallScope("t", "verify"))

    assert [f.code for f in findings] == ["agent_concern"]
    assert "toner price rose" in findings[0].message
    answer = model.calls[1][-1]
    assert isinstance(answer, ToolMessage) and "PO-2026-0101" in answer.content
    assert [t.name for t in model.bound_tools] == [
        "records__find_vendor",
        "records__get_purchase_order",
        "records__payment_history",
    ]


def test_a_clean_answer_adds_no_finding(context: Context) -> None:
    model = ScriptedChatModel(script=[AIMessage(content="OK: everything matches")])

    assert investigate(model, clean_invoice(), context.read_tools, CallScope("t", "verify")) == []


def test_an_agent_that_never_answers_is_stopped_and_flagged(context: Context) -> None:
    lookup = tool_call("records__find_vendor", {"name": "Nordwind"})
    model = ScriptedChatModel(script=[lookup] * MAX_TOOL_ROUNDS)

    findings = investigate(model, clean_invoice(), context.read_tools, CallScope("t", "verify"))

    assert len(model.calls) == MAX_TOOL_ROUNDS
    assert "no answer within" in findings[-1].message


def test_the_audit_model_writes_the_summary_from_the_record(context: Context) -> None:
    record = build_record({"document_path": "a.pdf", "invoice": clean_invoice()}, "t-1")
    model = ScriptedChatModel(script=[AIMessage(content="Invoice NW-2026-00417 is held.")])

    assert llm_summary(model, record) == "Invoice NW-2026-00417 is held."
    facts = model.calls[0][-1].content
    assert "NW-2026-00417" in facts and '"summary"' not in facts


def test_an_empty_audit_summary_is_refused_so_the_template_stands(context: Context) -> None:
    record = build_record({"document_path": "a.pdf", "invoice": clean_invoice()}, "t-1")

    with pytest.raises(ValueError, match="empty summary"):
        llm_summary(ScriptedChatModel(script=[AIMessage(content=" ")]), record)


def test_the_audit_node_falls_back_to_the_template_when_the_model_fails(context: Context) -> None:
    import dataclasses

    from langgraph.runtime import Runtime

    from graphs.accounts_payable.audit import audit

    broken = ScriptedChatModel(script=[])  # raises on the first call
    node_context = dataclasses.replace(context, audit_model=broken)

    update = audit(
        {"document_path": "a.pdf", "invoice": clean_invoice()}, Runtime(context=node_context)
    )

    assert update["summary"].startswith("Invoice NW-2026-00417")
    assert len(broken.calls) == 1
