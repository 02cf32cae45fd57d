"""The graphs through the LangGraph server (`langgraph dev` on langgraph.json), with langgraph-sdk.

One server per backend (SQLite, PostgreSQL) for the module: authentication, thread scoping,
the approval interrupt read from thread state, and a resume decided as the authenticated user.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.settings import Settings
from overture.runtime import open_engine
from tests.integration.langgraph_server import Deployment, deployed
from tools.approval import requests as approvals
from tools.integrations.payments import PaymentRow

pytestmark = pytest.mark.integration

GRAPH = "accounts_payable"
DOCUMENTS = Path(__file__).resolve().parents[2] / "examples" / "documents"
OVER_THRESHOLD = str(DOCUMENTS / "06_over_threshold.pdf")  # clean, 14762.00 EUR: needs approval
CLEAN = str(DOCUMENTS / "01_clean_match.pdf")  # under the threshold: paid automatically


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def deployment(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    tmp = tmp_path_factory.mktemp(f"server-{request.param}")
    with deployed(request.param, tmp) as deployment:
        yield deployment


def start_to_approval(deployment: Deployment, user: str) -> tuple[str, dict[str, Any]]:
    """Run the over-threshold invoice as `user`; return the thread and interrupt payload."""
    client = deployment.client(user)
    thread = client.threads.create()
    client.runs.wait(thread["thread_id"], GRAPH, input={"document_path": OVER_THRESHOLD})
    state = client.threads.get_state(thread["thread_id"])
    assert state["next"] == ["needs_approval"], deployment.server.log_tail(10)
    (interrupt,) = state["interrupts"]
    return thread["thread_id"], interrupt["value"]


def status_of(error: pytest.ExceptionInfo[BaseException]) -> int:
    assert isinstance(error.value, httpx.HTTPStatusError), error.value
    return error.value.response.status_code


def test_requests_without_a_valid_key_get_401(deployment: Deployment) -> None:
    url = f"{deployment.server.url}/threads/search"
    assert httpx.post(url, json={}).status_code == 401
    bad = httpx.post(url, json={}, headers={"Authorization": "Bearer ovt_not-a-key"})
    assert bad.status_code == 401
    with pytest.raises(httpx.HTTPStatusError) as error:
        deployment.client(None).threads.search()
    assert status_of(error) == 401
    ok = httpx.post(url, json={}, headers={"Authorization": f"Bearer {deployment.tokens['dave']}"})
    assert ok.status_code == 200


def test_interrupt_read_from_state_and_resumed_only_by_an_authorised_approver(
    deployment: Deployment,
) -> None:
    """One thread (the sample invoice can be paid once per database): refused resumes first."""
    thread_id, payload = start_to_approval(deployment, "dave")
    assert payload["tool"] == "payments.pay"
    assert payload["amount"] == "14762.00" and payload["currency"] == "EUR"
    assert payload["required_role"] == "ap_approver"
    assert len(payload["payload_hash"]) == 64
    decide_as_alice = {"resume": {"action": "approve", "approver": "alice"}}

    # dave holds no approver role (and submitted it): the server refuses his resume
    with pytest.raises(httpx.HTTPStatusError) as error:
        deployment.client("dave").runs.wait(thread_id, GRAPH, command=decide_as_alice)
    assert status_of(error) == 403
    # erin holds the role under too low a limit: refused at the door (403, not a new wait)
    erin = deployment.client("erin")
    with pytest.raises(httpx.HTTPStatusError) as error:
        erin.runs.wait(thread_id, GRAPH, command=decide_as_alice)
    assert status_of(error) == 403
    refusal = error.value.response.text
    assert "erin" in refusal and "limit" in refusal

    # alice claims to be bob: the decision is recorded as hers, whatever the client wrote
    alice = deployment.client("alice")
    assert alice.threads.get_state(thread_id)["next"] == ["needs_approval"]
    final = alice.runs.wait(
        thread_id, GRAPH, command={"resume": {"action": "approve", "approver": "bob"}}
    )
    assert final["payment"]["payment_id"].startswith("pay-")
    state = deployment.client("dave").threads.get_state(thread_id)
    assert state["next"] == [] and state["values"]["audit"]["outcome"] == "paid"
    assert state["values"]["approval"]["approver"] == "alice"
    assert_paid_once(deployment.database_url, payload, decided_by="alice")
    # having decided, alice may still see how it ended
    assert alice.threads.get_state(thread_id)["values"]["audit"]["outcome"] == "paid"


def assert_paid_once(database_url: str, payload: dict[str, Any], decided_by: str) -> None:
    """The request is approved by `decided_by` in SQL and its invoice was paid exactly once."""
    engine = open_engine(Settings(database_url=database_url))
    try:
        request = approvals.get_request(engine, payload["approval_id"])
        assert request is not None and request.status == "approved"
        assert request.decided_by == decided_by
        with Session(engine) as session:
            paid = session.scalar(
                select(func.count())
                .select_from(PaymentRow)
                .where(PaymentRow.invoice_number == payload["arguments"]["invoice_number"])
            )
        assert paid == 1
    finally:
        engine.dispose()


def test_a_user_cannot_read_another_users_thread(deployment: Deployment) -> None:
    carol, dave, alice = (deployment.client(u) for u in ("carol", "dave", "alice"))
    thread = carol.threads.create()
    carol.runs.wait(thread["thread_id"], GRAPH, input={"document_path": CLEAN})
    assert carol.threads.get_state(thread["thread_id"])["values"]["audit"]["outcome"] == "paid"

    for other in (dave, alice):  # alice approves, but this thread never waited for approval
        with pytest.raises(httpx.HTTPStatusError) as error:
            other.threads.get(thread["thread_id"])
        assert status_of(error) == 404
        with pytest.raises(httpx.HTTPStatusError) as error:
            other.threads.get_state(thread["thread_id"])
        assert status_of(error) in (403, 404)
        assert thread["thread_id"] not in {t["thread_id"] for t in other.threads.search(limit=100)}
    # nor can anyone take it over by registering its id as theirs
    with pytest.raises(httpx.HTTPStatusError) as error:
        dave.threads.create(thread_id=thread["thread_id"], if_exists="do_nothing")
    assert status_of(error) in (403, 409)


def test_procurement_is_served_and_its_manager_approves_as_the_authenticated_user(
    deployment: Deployment,
) -> None:
    form = {
        "number": "PR-SRV-1",
        "requester": "dana",
        "requester_email": "dana@example.com",
        "cost_centre": "CC-100",
        "vendor_id": "V004",
        "category": "it",
        "description": "Docking stations",
        "quantity": "10",
        "unit_price": "180.00",
    }
    dana, mike = deployment.client("dana"), deployment.client("mike")
    thread = dana.threads.create()
    dana.runs.wait(thread["thread_id"], "procurement", input={"form": form})
    state = dana.threads.get_state(thread["thread_id"])
    assert state["next"] == ["manager_approval"], deployment.server.log_tail(10)
    (interrupt,) = state["interrupts"]
    assert interrupt["value"]["tool"] == "erp.create_purchase_order"
    assert interrupt["value"]["required_role"] == "procurement_manager"
    # the resume names alice; the server decides as the user it authenticated: mike
    resume = {"resume": {"action": "approve", "approver": "alice"}}
    mike.runs.wait(thread["thread_id"], "procurement", command=resume)
    final = mike.threads.get_state(thread["thread_id"])["values"]
    assert final["outcome"] == "ordered", deployment.server.log_tail(10)
    assert [d["approver"] for d in final["approvals"]] == ["mike"]
