"""One invoice through the server and the CLI at once, and a refused decision replayed through
the server: still one approval request, one payment, to the vendor master's account, decided by
whom the server authenticated (issue 11, items 2 and 5). SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from overture.runtime import open_app
from overture.service import process_document
from overture.settings import Settings
from tests.databases import throwaway_database
from tests.integration.langgraph_server import seed_users, start_server
from tests.integration.test_server_hardening import GRAPH, OVER_THRESHOLD, Deployment, upload
from tools import approvals, decision_facts
from tools.records import PaymentRow

pytestmark = pytest.mark.integration

MASTER_IBAN = "ES9121000418450200051332"  # Meridian's account in the vendor master
FOREIGN_IBAN = "DE89370400440532013000"


@pytest.fixture(params=["sqlite", "postgres"])
def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    with throwaway_database(request.param, tmp_path) as url:
        tokens = seed_users(url)
        server = start_server(url, tmp_path / "server", tmp_path / "home")
        try:
            yield Deployment(server, url, tokens)
        finally:
            server.stop()


def test_a_server_thread_and_a_cli_run_of_one_invoice_pay_once_to_the_master(
    deployment: Deployment, tmp_path: Path
) -> None:
    dave, erin, alice = (deployment.client(u) for u in ("dave", "erin", "alice"))
    thread_id = dave.threads.create()["thread_id"]
    dave.runs.wait(thread_id, GRAPH, input={"upload": upload(OVER_THRESHOLD)})
    (interrupt,) = dave.threads.get_state(thread_id)["interrupts"]
    approval_id = interrupt["value"]["approval_id"]

    settings = Settings(database_url=deployment.database_url, home=tmp_path / "cli")
    with open_app(settings) as app:
        from_cli = process_document(app, OVER_THRESHOLD)
    assert from_cli.status == "held_for_review" and approval_id in " ".join(from_cli.reasons)

    hostile = {"action": "edit", "approver": "alice", "edits": {"payee_iban": FOREIGN_IBAN}}
    erin.runs.wait(thread_id, GRAPH, command={"resume": hostile})
    waiting = erin.threads.get_state(thread_id)["interrupts"]
    assert waiting and "payee cannot be changed" in waiting[0]["value"]["error"]

    alice.runs.wait(thread_id, GRAPH, command={"resume": {"action": "approve", "comment": "ok"}})
    with open_app(settings) as app:
        with Session(app.engine) as session:
            (payment,) = session.scalars(select(PaymentRow)).all()
        assert payment.payee_iban == MASTER_IBAN
        (request,) = approvals.list_requests(app.engine, None)
        assert (request.status, request.decided_by) == ("approved", "alice")
        refused, accepted = decision_facts.facts_for(app.engine, approval_id)
        assert (refused.approver, refused.verdict) == ("erin", "refused")
        assert (accepted.approver, accepted.verdict) == ("alice", "accepted")
