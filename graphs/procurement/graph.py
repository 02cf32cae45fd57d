"""The procurement workflow: intake -> check -> route -> approvals? -> order -> notify -> audit.

Read top to bottom, this module is the wiring; the agents are in agents.py. A request under
the auto limit for an everyday category is ordered at once; otherwise a manager approves,
and above the finance limit (or for capital spend) finance approves after them, a different
person, on the same gateway. Whatever happens, the requester is told and the run audited.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.base import BaseStore

from graphs.procurement import agents
from graphs.procurement.context import ProcurementContext
from graphs.procurement.state import State
from graphs.procurement.tools import FINANCE_ROLE, MANAGER_ROLE


def after_intake(state: State) -> Literal["check", "audit"]:
    return "audit" if state.get("errors") else "check"


def after_check(state: State) -> Literal["route", "notify"]:
    return "notify" if state.get("route") else "route"


def after_route(state: State) -> Literal["order", "manager_approval"]:
    return "order" if state.get("route") == "auto" else "manager_approval"


def after_manager(state: State) -> Literal["finance_approval", "order", "notify"]:
    if state.get("outcome") != "approved":
        return "notify"
    return "finance_approval" if state.get("route") == "manager_then_finance" else "order"


def after_finance(state: State) -> Literal["order", "notify"]:
    return "order" if state.get("outcome") == "approved" else "notify"


def build_graph(
    checkpointer: BaseCheckpointSaver | None = None, store: BaseStore | None = None
) -> CompiledStateGraph[State, ProcurementContext, State, Any]:
    """Wire the agents; compile with `checkpointer` (durable runs, approvals) and `store`."""
    builder = StateGraph(State, context_schema=ProcurementContext)
    builder.add_node("intake", agents.intake)
    builder.add_node("check", agents.check)
    builder.add_node("route", agents.route)
    builder.add_node("order", agents.order)
    builder.add_node("notify", agents.notify)
    builder.add_node("manager_approval", partial(agents.approval, "manager", MANAGER_ROLE))
    builder.add_node("finance_approval", partial(agents.approval, "finance", FINANCE_ROLE))
    builder.add_node("audit", agents.audit)

    builder.add_edge(START, "intake")
    builder.add_conditional_edges("intake", after_intake)
    builder.add_conditional_edges("check", after_check)
    builder.add_conditional_edges("route", after_route)
    builder.add_conditional_edges("manager_approval", after_manager)
    builder.add_conditional_edges("finance_approval", after_finance)
    builder.add_edge("order", "notify")
    builder.add_edge("notify", "audit")
    builder.add_edge("audit", END)
    return builder.compile(checkpointer=checkpointer, store=store, name="procurement")


graph = build_graph()
