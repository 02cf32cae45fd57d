"""A thread waiting for approval survives the LangGraph server: its state lives in SQL.

The server is killed while the thread waits, its own `.langgraph_api/` files are deleted, and
a new server on the same database resumes the thread to payment. The dev server keeps its
thread registry in those files, so the owner registers the thread id again (the auth handler
lets only the owner recorded in the checkpoints do so); everything else comes from SQL.
"""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

import pytest
from langgraph_sdk import get_sync_client

from tests.integration.langgraph_server import seed_users, start_server
from tests.integration.test_server import GRAPH, OVER_THRESHOLD, assert_paid_once

pytestmark = pytest.mark.integration


def test_thread_waiting_for_approval_resumes_after_a_server_restart(
    sqlite_url: str, tmp_path: Path
) -> None:
    tokens = seed_users(sqlite_url)
    workdir = tmp_path / "server"

    first = start_server(sqlite_url, workdir, tmp_path / "home")
    try:
        dave = get_sync_client(url=first.url, api_key=tokens["dave"])
        thread_id = dave.threads.create()["thread_id"]
        dave.runs.wait(thread_id, GRAPH, input={"document_path": OVER_THRESHOLD})
        before = dave.threads.get_state(thread_id)
        assert before["next"] == ["needs_approval"], first.log_tail(10)
    finally:
        first.stop(signal.SIGKILL)  # no graceful shutdown: nothing may depend on one

    registry = workdir / ".langgraph_api"
    assert registry.is_dir()
    shutil.rmtree(registry)  # the server's own files are gone: only SQL remains

    second = start_server(sqlite_url, workdir, tmp_path / "home")
    try:
        dave = get_sync_client(url=second.url, api_key=tokens["dave"])
        dave.threads.create(thread_id=thread_id, graph_id=GRAPH)
        after = dave.threads.get_state(thread_id)
        assert after["next"] == ["needs_approval"]
        assert after["checkpoint"]["checkpoint_id"] == before["checkpoint"]["checkpoint_id"]
        payload = after["interrupts"][0]["value"]
        assert payload == before["interrupts"][0]["value"]

        alice = get_sync_client(url=second.url, api_key=tokens["alice"])
        alice.runs.wait(thread_id, GRAPH, command={"resume": {"action": "approve"}})
        final = dave.threads.get_state(thread_id)
        assert final["next"] == [] and final["values"]["audit"]["outcome"] == "paid"
        assert_paid_once(sqlite_url, payload, decided_by="alice")
    finally:
        second.stop()
