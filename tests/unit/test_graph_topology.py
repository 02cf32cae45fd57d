"""The workflows' topologies are pinned: a change shows up in review as a snapshot diff.

Regenerate after an intended change:
`OVERTURE_UPDATE_SNAPSHOTS=1 pytest tests/unit/test_graph_topology.py`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graphs.accounts_payable.graph import build_graph, graph
from graphs.procurement.graph import graph as procurement_graph
from graphs.supervisor.graph import graph as supervisor_graph

SNAPSHOTS = Path(__file__).parent / "snapshots"
GRAPHS = {
    "accounts_payable": graph,
    "procurement": procurement_graph,
    "supervisor": supervisor_graph,
}


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_mermaid_topology_matches_snapshot(name: str) -> None:
    drawn = GRAPHS[name].get_graph().draw_mermaid()
    snapshot = SNAPSHOTS / f"{name}.mmd"
    if os.environ.get("OVERTURE_UPDATE_SNAPSHOTS"):
        snapshot.write_text(drawn)
    assert drawn == snapshot.read_text()


def test_exported_graph_has_no_checkpointer_and_takes_a_context() -> None:
    from graphs.accounts_payable.context import Context

    assert graph.checkpointer is None
    assert build_graph().builder.context_schema is Context
    assert set(graph.get_input_jsonschema()["properties"]) == {"document_path", "upload", "review"}
