"""The supervisor graph through the LangGraph server: a goal, one approval, a summary e-mail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from langgraph_sdk import get_sync_client

from core.settings import Settings
from overture.runtime import open_engine
from tests.databases import throwaway_database
from tests.integration.langgraph_server import seed_users, start_server
from tools.approval import requests as approvals
from tools.integrations.outbox import sent_emails

pytestmark = pytest.mark.integration
GOAL = "Pay invoice 06_over_threshold.pdf and e-mail me a summary"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, dict]]:
    tmp = tmp_path_factory.mktemp("server-supervisor")
    with throwaway_database("sqlite", tmp) as url:
        tokens = seed_users(url)
        server = start_server(url, tmp / "server", tmp / "home")
        try:
            yield server.url, url, tokens
        finally:
            server.stop()


def test_a_goal_pauses_at_the_subgraphs_approval_and_completes_as_the_approver(
    deployment: tuple[str, str, dict],
) -> None:
    server_url, database_url, tokens = deployment
    dave = get_sync_client(url=server_url, api_key=tokens["dave"])
    thread = dave.threads.create()
    dave.runs.wait(thread["thread_id"], "supervisor", input={"goal": GOAL})

    state = dave.threads.get_state(thread["thread_id"])
    assert state["interrupts"], state["values"].get("results")
    (interrupt,) = state["interrupts"]
    assert interrupt["value"]["tool"] == "payments.pay"
    assert [s["agent"] for s in state["values"]["plan"]] == ["accounts_payable", "notify"]

    alice = get_sync_client(url=server_url, api_key=tokens["alice"])
    decision = {"resume": {"action": "approve", "approver": "bob"}}
    final = alice.runs.wait(thread["thread_id"], "supervisor", command=decision)

    assert [(r["agent"], r["status"]) for r in final["results"]] == [
        ("accounts_payable", "paid"),
        ("notify", "sent"),
    ]
    engine = open_engine(Settings(database_url=database_url))
    try:
        request = approvals.get_request(engine, interrupt["value"]["approval_id"])
        assert request is not None and request.decided_by == "alice"
        [email] = sent_emails(engine)
        assert "06_over_threshold.pdf: paid" in email.email.body
    finally:
        engine.dispose()
    assert Path(database_url.removeprefix("sqlite:///")).exists()
