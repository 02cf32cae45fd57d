"""The accounts-payable topology is pinned: a change shows up in review as a snapshot diff.

Regenerate after an intended change:
`OVERTURE_UPDATE_SNAPSHOTS=1 pytest tests/unit/test_graph_topology.py`.
"""

from __future__ import annotations

import os
from pathlib import Path

from graphs.accounts_payable import build_graph, graph

SNAPSHOT = Path(__file__).parent / "snapshots" / "accounts_payable.mmd"


def test_mermaid_topology_matches_snapshot() -> None:
    drawn = graph.get_graph().draw_mermaid()
    if os.environ.get("OVERTURE_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(drawn)
    assert drawn == SNAPSHOT.read_text()


def test_exported_graph_has_no_checkpointer_and_takes_a_context() -> None:
    from nodes.context import Context

    assert graph.checkpointer is None
    assert build_graph().builder.context_schema is Context
    assert set(graph.get_input_jsonschema()["properties"]) == {"document_path"}
