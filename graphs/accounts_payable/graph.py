"""The accounts-payable workflow: ingest -> verify -> route -> approve? -> execute -> audit.

Read top to bottom, this module is the wiring; each agent lives in `nodes/`. `graph` is
compiled without a checkpointer for the LangGraph server (which brings its own); the CLI and
tests call `build_graph(checkpointer=...)` with the SQL checkpointer from `memory/`.
"""

from __future__ import annotations

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.base import BaseStore

from graphs.accounts_payable.approval import auto_approve, needs_approval
from graphs.accounts_payable.audit import audit
from graphs.accounts_payable.context import Context
from graphs.accounts_payable.dispositions import human_review, reject
from graphs.accounts_payable.execution import execute
from graphs.accounts_payable.routing import after_approval, after_auto_approve, after_route, route
from graphs.accounts_payable.state import InputState, OutputState, State
from graphs.accounts_payable.verification import verify
from nodes.ingestion.ingest import ingest


def build_graph(
    checkpointer: BaseCheckpointSaver | None = None, store: BaseStore | None = None
) -> CompiledStateGraph[State, Context, InputState, OutputState]:
    """Wire the agents; compile with `checkpointer` (durable runs, approvals) and `store`."""
    builder = StateGraph(
        State, context_schema=Context, input_schema=InputState, output_schema=OutputState
    )
    builder.add_node("ingest", ingest)
    builder.add_node("verify", verify)
    builder.add_node("route", route)
    builder.add_node("auto_approve", auto_approve)
    builder.add_node("needs_approval", needs_approval)
    builder.add_node("human_review", human_review)
    builder.add_node("reject", reject)
    builder.add_node("execute", execute)
    builder.add_node("audit", audit)

    builder.add_edge(START, "ingest")
    builder.add_edge("ingest", "verify")
    builder.add_edge("verify", "route")
    builder.add_conditional_edges("route", after_route)
    builder.add_conditional_edges("auto_approve", after_auto_approve)
    builder.add_conditional_edges("needs_approval", after_approval)
    builder.add_edge("human_review", "audit")
    builder.add_edge("reject", "audit")
    builder.add_edge("execute", "audit")
    builder.add_edge("audit", END)

    return builder.compile(checkpointer=checkpointer, store=store, name="accounts_payable")


graph = build_graph()
