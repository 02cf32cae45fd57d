"""Under LANGGRAPH_STRICT_MSGPACK=true a saver a server injects (Aegra's) loads Overture's state.

The flag is read when LangGraph is imported, so each check runs in a fresh interpreter.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]

PROBE = """
from langgraph.checkpoint.memory import InMemorySaver
from overture.server import accounts_payable
from tests.ap_helpers import clean_invoice

saver = InMemorySaver()  # its serde is the default one, strict under the flag
data = saver.serde.dumps_typed({"invoice": clean_invoice()})
served = accounts_payable.copy(update={"checkpointer": saver})  # as Aegra injects its saver
loaded = served._resolve_checkpointer({"configurable": {}}).serde.loads_typed(data)
plain = saver.serde.loads_typed(data)
print(type(loaded["invoice"]).__name__, type(plain["invoice"]).__name__)
"""


def test_a_served_graph_registers_overtures_state_types_with_an_injected_saver(
    tmp_path: Path,
) -> None:
    env = {
        **os.environ,
        "LANGGRAPH_STRICT_MSGPACK": "true",
        "OVERTURE_DATABASE_URL": f"sqlite:///{tmp_path / 'unused.db'}",
        "PYTHONPATH": str(REPO),
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    served, unregistered = result.stdout.split()
    assert served == "Invoice"
    assert unregistered != "Invoice"  # what the saver alone does under the flag: blocked
