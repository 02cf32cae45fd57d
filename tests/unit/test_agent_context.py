"""A node run without the context its workflow needs says so, instead of failing deep inside."""

from __future__ import annotations

import pytest
from langgraph.graph import START, StateGraph
from typing_extensions import TypedDict

from graphs.procurement.context import ProcurementContext
from graphs.procurement.graph import build_graph
from nodes.context import MissingContext, require_context


class Counter(TypedDict):
    n: int


def test_a_node_without_its_context_names_the_context_it_needs() -> None:
    def node(state: Counter, runtime) -> Counter:  # noqa: ANN001 - LangGraph's Runtime
        require_context(runtime, ProcurementContext)
        return {"n": state["n"] + 1}

    builder = StateGraph(Counter)
    builder.add_node("node", node)
    builder.add_edge(START, "node")
    with pytest.raises(MissingContext, match="needs a ProcurementContext, got NoneType"):
        builder.compile().invoke({"n": 0})


def test_a_workflow_invoked_without_context_says_how_to_run_it() -> None:
    with pytest.raises(MissingContext, match="run the graph through the application"):
        build_graph().invoke({"form": {}})
