"""An approval waits in the database: one process interrupts, another resumes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

SCRIPT = Path(__file__).parent / "scripts" / "approval_graph.py"
ROOT = Path(__file__).parents[2]


def run_phase(url: str, thread_id: str, phase: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(SCRIPT), url, thread_id, phase],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_graph_interrupted_in_one_process_resumes_in_another(db_url: str) -> None:
    first = run_phase(db_url, "invoice-42", "start")
    assert first == {"interrupts": [{"question": "pay 120?"}]}

    second = run_phase(db_url, "invoice-42", "resume")
    assert second == {"amount": 120, "decision": "approved"}
