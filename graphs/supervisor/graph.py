"""The supervisor: a free-text goal, planned, delegated to the agents, until done.

plan -> supervise -> (accounts_payable -> collect | notify) -> supervise -> ... -> finish.
Each step reports back to `supervise`, which picks the next one with `Command(goto=...)`; the
plan's length is capped by `settings.supervisor_max_steps`. The accounts-payable graph is a
subgraph node, so its approval gateway pauses the supervisor too.
"""

from __future__ import annotations

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.base import BaseStore

from graphs.accounts_payable.graph import build_graph as build_accounts_payable
from graphs.supervisor.agents import (
    SupervisorContext,
    SupervisorInput,
    SupervisorState,
    collect,
    finish,
    notify,
    plan,
    supervise,
)


def build_graph(
    checkpointer: BaseCheckpointSaver | None = None, store: BaseStore | None = None
) -> CompiledStateGraph[SupervisorState, SupervisorContext, SupervisorInput, SupervisorState]:
    """Wire the supervisor; the subgraph shares the supervisor's checkpointer and store."""
    builder = StateGraph(
        SupervisorState, context_schema=SupervisorContext, input_schema=SupervisorInput
    )
    builder.add_node("plan", plan)
    builder.add_node("supervise", supervise)
    builder.add_node("accounts_payable", build_accounts_payable())
    builder.add_node("collect", collect)
    builder.add_node("notify", notify)
    builder.add_node("finish", finish)

    builder.add_edge(START, "plan")
    builder.add_edge("plan", "supervise")
    builder.add_edge("accounts_payable", "collect")
    builder.add_edge("collect", "supervise")
    builder.add_edge("notify", "supervise")
    builder.add_edge("finish", END)

    return builder.compile(checkpointer=checkpointer, store=store, name="supervisor")


graph = build_graph()
