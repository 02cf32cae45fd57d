"""A run started through the server on an empty vendor master says so in its state."""

from __future__ import annotations

from pathlib import Path

import pytest
from langgraph_sdk import get_sync_client

from core.settings import Settings
from overture.runtime import open_engine
from tests.databases import throwaway_database
from tests.integration.langgraph_server import start_server
from tools.api_keys import create_token
from tools.approval.approvers import add_approver
from tools.integrations.sample_invoices import sample

pytestmark = pytest.mark.integration


def test_a_server_run_on_empty_books_names_the_empty_vendor_master(tmp_path: Path) -> None:
    with throwaway_database("sqlite", tmp_path) as url:
        engine = open_engine(Settings(database_url=url))
        add_approver(engine, "dave", "Dave (requester)")  # users, but no books
        _, key = create_token(engine, "dave", "tests")
        engine.dispose()
        server = start_server(url, tmp_path / "server", tmp_path / "home")
        try:
            client = get_sync_client(url=server.url, api_key=key)
            thread = client.threads.create()
            _, invoice = sample(1, "EMPTY")
            client.runs.wait(thread["thread_id"], "accounts_payable", input={"upload": invoice})
            values = client.threads.get_state(thread["thread_id"])["values"]
        finally:
            server.stop()
    (finding,) = values["verification"]["findings"]
    assert "vendor master is empty" in finding["message"]
    assert "overture seed" in finding["message"]
