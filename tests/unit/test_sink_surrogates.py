"""Text with lone surrogates (icon glyphs in some French PDFs) must not cost a run its trace."""

from __future__ import annotations

from typing import TypedDict

from langgraph.graph import END, START, StateGraph

from core.db import make_engine
from observability.queries import thread_traces
from observability.tracing import tracing_config

ICON = "\ud83d"  # half of a surrogate pair: cannot be encoded as UTF-8


class _State(TypedDict, total=False):
    text: str


def _read(state: _State) -> _State:
    return {"text": f"Facture {ICON} n° F-1 \x00 Total 12,00 €"}


def test_a_run_whose_state_holds_lone_surrogates_keeps_its_trace(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    builder = StateGraph(_State)
    builder.add_node("ingestion", _read)
    builder.add_edge(START, "ingestion")
    builder.add_edge("ingestion", END)
    builder.compile().invoke({"text": ICON}, tracing_config("t-surrogate", "toy", engine=engine))

    [root] = thread_traces(engine, "t-surrogate")
    assert [child.name for child in root.children] == ["ingestion"]
    assert "Facture" in str(root.children[0].outputs)
