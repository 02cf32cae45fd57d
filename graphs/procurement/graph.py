"""The procurement workflow: intake -> check -> route -> approvals? -> order -> notify -> audit.

Read top to bottom, this module is the wiring; the agents are in agents.py. A request under
the auto limit for an everyday category is ordered at once; otherwise a manager approves,
and above the finance limit (or for capital spend) finance approves after them, a different
person, on the same gateway. Whatever happens, the requester is told and the run audited.
"""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.base import BaseStore

from graphs.procurement import agents
from graphs.procurement.context import ProcurementContext
from graphs.procurement.state import InputState, State


def after_approval(state: State, step: str) -> str:
    if state.get("outcome") != "approved":
        return "notify"
    two_steps = step == "manager" and state.get("route") == "manager_then_finance"
    return "finance_approval" if two_steps else "order"


def build_graph(
    checkpointer: BaseCheckpointSaver | None = None, store: BaseStore | None = None
) -> CompiledStateGraph[State, ProcurementContext, InputState, Any]:
    """Wire the agents; compile with `checkpointer` (durable runs, approvals) and `store`."""
    builder = StateGraph(State, context_schema=ProcurementContext, input_schema=InputState)
    for name in ("intake", "check", "route", "manager_approval", "finance_approval"):
        builder.add_node(name, getattr(agents, name))
    for name in ("order", "notify", "audit"):
        builder.add_node(name, getattr(agents, name))

    builder.add_edge(START, "intake")
    builder.add_conditional_edges(
        "intake", lambda s: "notify" if s.get("errors") else "check", ["check", "notify"]
    )
    builder.add_conditional_edges(
        "check", lambda s: "notify" if s.get("route") else "route", ["route", "notify"]
    )
    builder.add_conditional_edges(
        "route",
        lambda s: "order" if s.get("route") == "auto" else "manager_approval",
        ["order", "manager_approval"],
    )
    builder.add_conditional_edges(
        "manager_approval",
        lambda s: after_approval(s, "manager"),
        ["finance_approval", "order", "notify"],
    )
    builder.add_conditional_edges(
        "finance_approval", lambda s: after_approval(s, "finance"), ["order", "notify"]
    )
    builder.add_edge("order", "notify")
    builder.add_edge("notify", "audit")
    builder.add_edge("audit", END)
    return builder.compile(checkpointer=checkpointer, store=store, name="procurement")


graph = build_graph()
