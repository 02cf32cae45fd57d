"""A three-agent graph with a fake chat model and a tool call, for the tracing tests.

Independent of the accounts-payable graph, so tracing is tested on its own; the document
carries an IBAN and an API key that must never reach a trace unmasked.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.tools import tool
from langgraph.graph import END, START, StateGraph

IBAN = "DE89 3704 0044 0532 0130 00"
IBAN_COMPACT = IBAN.replace(" ", "")
SECRET = "sk-proj-abcdefghijklmnop1234"
DOCUMENT = (
    f"INVOICE INV-7 from Acme GmbH. Total 120.00 EUR. Pay to IBAN {IBAN}. "
    f"(internal note: key {SECRET})"
)


class ToyState(TypedDict, total=False):
    document_path: str
    text: str
    invoice: dict[str, Any]
    vendor_ok: bool
    route: str
    errors: Annotated[list[str], operator.add]


@tool
def lookup_vendor(name: str, iban: str) -> str:
    """Look up a vendor and compare its bank account."""
    return f"vendor {name} found; master IBAN {IBAN_COMPACT}; match={iban == IBAN_COMPACT}"


def fake_model() -> GenericFakeChatModel:
    reply = AIMessage(
        content=f"Acme GmbH, INV-7, IBAN {IBAN}",
        tool_calls=[
            {
                "name": "lookup_vendor",
                "args": {"name": "Acme GmbH", "iban": IBAN_COMPACT},
                "id": "call_1",
            }
        ],
        usage_metadata={"input_tokens": 42, "output_tokens": 17, "total_tokens": 59},
    )
    return GenericFakeChatModel(messages=iter([reply] * 1000))


def build_toy_graph(model: GenericFakeChatModel | None = None, *, fail_audit: bool = False):
    chat = model or fake_model()

    def ingestion(state: ToyState) -> dict[str, Any]:
        answer = chat.invoke([HumanMessage(content=state["document_path"] + "\n" + DOCUMENT)])
        call = answer.tool_calls[0]
        return {
            "text": DOCUMENT,
            "invoice": {"invoice_number": "INV-7", "vendor_name": "Acme GmbH", **call["args"]},
        }

    def verification(state: ToyState) -> dict[str, Any]:
        invoice = state["invoice"]
        result = lookup_vendor.invoke({"name": invoice["name"], "iban": invoice["iban"]})
        return {"vendor_ok": "match=True" in result}

    def audit(state: ToyState) -> dict[str, Any]:
        if fail_audit:
            raise ValueError(f"audit store unavailable for account {IBAN}")
        return {"route": "auto_approve" if state["vendor_ok"] else "human_review"}

    builder = StateGraph(ToyState)
    builder.add_node("ingestion", ingestion)
    builder.add_node("verification", verification)
    builder.add_node("audit", audit)
    builder.add_edge(START, "ingestion")
    builder.add_edge("ingestion", "verification")
    builder.add_edge("verification", "audit")
    builder.add_edge("audit", END)
    return builder.compile()
