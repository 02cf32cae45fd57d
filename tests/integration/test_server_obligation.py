"""One invoice through the server and the CLI at once, and a hostile decision through the
server: still one approval request, one payment, to the vendor master's account, decided by
whom the server authenticated (issue 11, items 2 and 5). The hostile decision is refused at the
door (403, issue 14: a refusal must not look like success), so it never becomes a fact that a
replay could misattribute. SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.settings import Settings
from overture.runtime import open_app
from overture.service import process_document
from tests.integration.langgraph_server import Deployment, deployed
from tests.integration.test_server_hardening import GRAPH, OVER_THRESHOLD, upload
from tools.approval import facts as decision_facts
from tools.approval import requests as approvals
from tools.integrations.records import PaymentRow

pytestmark = pytest.mark.integration

PLAIN = OVER_THRESHOLD.parent / "13_plain_text.txt"  # clean, 1,335.84 EUR: paid at once
MASTER_IBAN = "ES9121000418450200051332"  # Meridian's account in the vendor master
FOREIGN_IBAN = "DE89370400440532013000"


@pytest.fixture(params=["sqlite", "postgres"])
def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    with deployed(request.param, tmp_path) as deployment:
        yield deployment


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
    with pytest.raises(httpx.HTTPStatusError) as refused:
        erin.runs.wait(thread_id, GRAPH, command={"resume": hostile})
    assert refused.value.response.status_code == 403
    assert "payee cannot be changed" in refused.value.response.text
    assert dave.threads.get_state(thread_id)["interrupts"]  # still waiting on the request

    alice.runs.wait(thread_id, GRAPH, command={"resume": {"action": "approve", "comment": "ok"}})
    with open_app(settings) as app:
        with Session(app.engine) as session:
            (payment,) = session.scalars(select(PaymentRow)).all()
        assert payment.payee_iban == MASTER_IBAN
        (request,) = approvals.list_requests(app.engine, None)
        assert (request.status, request.decided_by) == ("approved", "alice")
        (accepted,) = decision_facts.facts_for(app.engine, approval_id)
        assert (accepted.approver, accepted.verdict) == ("alice", "accepted")


def test_a_reviewer_completes_a_held_run_through_the_server(
    deployment: Deployment, tmp_path: Path
) -> None:
    text = PLAIN.read_text().replace("Invoice No.:      MPP-F-2026-0322\n", "")
    partial = tmp_path / "no-number.txt"
    partial.write_text(text)
    dave = deployment.client("dave")
    thread_id = dave.threads.create()["thread_id"]
    dave.runs.wait(thread_id, GRAPH, input={"upload": upload(partial)})
    held = dave.threads.get_state(thread_id)["values"]
    assert isinstance(held, dict) and held["route"] == "human_review"

    completion = {"values": {"invoice_number": "MPP-F-2026-0322"}, "reviewer": "alice"}
    dave.runs.wait(thread_id, GRAPH, input={"review": completion})
    done = dave.threads.get_state(thread_id)["values"]
    assert isinstance(done, dict) and done["payment"] is not None
    assert done["reviewed_by"] == "dave"  # the authenticated caller, not the name sent
    assert deployment.payments() == 1
