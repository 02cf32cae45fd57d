"""Through the LangGraph server with langgraph-sdk, state is not a trust boundary (issue 11):
no client steers a workflow with side effects (item 11), and documents arrive as content, a
path on the server being no way to read its files (item 10).

One server per backend (SQLite, PostgreSQL) for the module; payments are counted in SQL.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph_sdk.client import SyncLangGraphClient

from tests.integration.langgraph_server import Deployment, deployed

pytestmark = pytest.mark.integration

GRAPH = "accounts_payable"
DOCUMENTS = Path(__file__).resolve().parents[2] / "examples" / "documents"
CLEAN = DOCUMENTS / "01_clean_match.pdf"  # NW-2026-00417, under the threshold: paid at once
OVER_THRESHOLD = DOCUMENTS / "06_over_threshold.pdf"  # 14762.00 EUR: waits for approval
FORGED = {
    "vendor_id": "V002",
    "payee_iban": "GB33BUKB20201555555555",
    "amount": "4321.00",
    "currency": "EUR",
    "invoice_number": "NO-SUCH-INVOICE",
    "reference": "NO-SUCH-INVOICE",
}
"""The payment the issue's worst case made with one SDK call (item 11)."""


def upload(path: Path) -> dict[str, str]:
    return {"name": path.name, "content_base64": base64.b64encode(path.read_bytes()).decode()}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def deployment(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    tmp = tmp_path_factory.mktemp(f"hardening-{request.param}")
    with deployed(request.param, tmp) as deployment:
        yield deployment


@pytest.fixture(scope="module")
def waiting_thread(deployment: Deployment) -> str:
    """dave's thread of the over-threshold invoice, waiting at the approval gateway."""
    dave = deployment.client("dave")
    thread_id = dave.threads.create()["thread_id"]
    dave.runs.wait(thread_id, GRAPH, input={"upload": upload(OVER_THRESHOLD)})
    assert dave.threads.get_state(thread_id)["next"] == ["needs_approval"]
    return thread_id


def values_of(client: SyncLangGraphClient, thread_id: str) -> dict[str, Any]:
    """The thread's latest state values (the SDK types them as dict or list)."""
    values = client.threads.get_state(thread_id)["values"]
    assert isinstance(values, dict), values
    return values


def refusal(error: pytest.ExceptionInfo[BaseException]) -> str:
    """The 403's detail (the test fails on any other status)."""
    assert isinstance(error.value, httpx.HTTPStatusError), error.value
    assert error.value.response.status_code == 403, error.value.response.text
    return str(error.value.response.json().get("detail", ""))


@pytest.mark.parametrize("user", ["dave", "alice"])  # no approver role; an approver
def test_a_command_jumping_to_execute_with_a_forged_payment_is_refused_and_pays_nothing(
    deployment: Deployment, user: str
) -> None:
    client = deployment.client(user)
    thread_id = client.threads.create()["thread_id"]
    command: Any = {"goto": "execute", "update": {"payment_instruction": FORGED}}
    with pytest.raises(httpx.HTTPStatusError) as error:
        client.runs.wait(thread_id, GRAPH, command=command)
    detail = refusal(error)
    assert "`goto`" in detail and "`update`" in detail and "resume" in detail
    assert deployment.payments("NO-SUCH-INVOICE") == 0


def test_a_resume_that_also_updates_state_is_refused_even_to_an_approver(
    deployment: Deployment, waiting_thread: str
) -> None:
    alice = deployment.client("alice")
    command: Any = {
        "resume": {"action": "approve"},
        "update": {"payment_instruction": FORGED},
    }
    with pytest.raises(httpx.HTTPStatusError) as error:
        alice.runs.wait(waiting_thread, GRAPH, command=command)
    assert "`update`" in refusal(error)
    assert alice.threads.get_state(waiting_thread)["next"] == ["needs_approval"]
    assert deployment.payments("NO-SUCH-INVOICE") == 0


@pytest.mark.parametrize("option", ["interrupt_before", "interrupt_after"])
def test_a_client_chosen_interrupt_is_refused_and_nothing_runs(
    deployment: Deployment, option: str
) -> None:
    dave = deployment.client("dave")
    thread_id = dave.threads.create()["thread_id"]
    with pytest.raises(httpx.HTTPStatusError) as error:
        options: Any = {option: ["execute"]}
        dave.runs.wait(thread_id, GRAPH, input={"upload": upload(CLEAN)}, **options)
    assert f"`{option}`" in refusal(error)
    assert not dave.threads.get_state(thread_id)["values"]


def test_writing_thread_state_is_refused_to_its_owner(
    deployment: Deployment, waiting_thread: str
) -> None:
    dave = deployment.client("dave")
    before = dave.threads.get_state(waiting_thread)
    with pytest.raises(httpx.HTTPStatusError) as error:
        dave.threads.update_state(waiting_thread, {"payment_instruction": FORGED})
    assert "state cannot be written" in refusal(error)
    after = dave.threads.get_state(waiting_thread)
    assert after["checkpoint"] == before["checkpoint"]
    assert deployment.payments("NO-SUCH-INVOICE") == 0


def test_a_thread_created_with_state_gets_none_of_it(deployment: Deployment) -> None:
    dave = deployment.client("dave")
    thread_id = str(uuid.uuid4())
    forged: Any = [{"updates": [{"values": {"payment_instruction": FORGED}, "as_node": "verify"}]}]
    # a graph_id in the metadata is what lets the server apply supersteps to a new thread
    dave.threads.create(thread_id=thread_id, metadata={"graph_id": GRAPH}, supersteps=forged)
    assert not dave.threads.get_state(thread_id)["values"]


def test_a_run_with_a_client_context_is_refused(
    deployment: Deployment, waiting_thread: str
) -> None:
    """The server copies a run's `context` into its `configurable` (langgraph dev does it
    before auth sees the run): a `checkpoint_id` there would start the run from an earlier
    state past the checks above."""
    dave = deployment.client("dave")
    earliest = dave.threads.get_history(waiting_thread, limit=10)[-1]["checkpoint"]
    with pytest.raises(httpx.HTTPStatusError) as error:
        dave.runs.wait(
            waiting_thread, GRAPH, input=None, context={"checkpoint_id": earliest["checkpoint_id"]}
        )
    assert "`context`" in refusal(error) or "`checkpoint_id`" in refusal(error)


def test_a_run_from_an_earlier_checkpoint_is_refused(
    deployment: Deployment, waiting_thread: str
) -> None:
    dave = deployment.client("dave")
    history = dave.threads.get_history(waiting_thread, limit=10)
    earliest = history[-1]["checkpoint"]["checkpoint_id"]
    assert earliest is not None
    with pytest.raises(httpx.HTTPStatusError) as error:
        dave.runs.wait(waiting_thread, GRAPH, input=None, checkpoint_id=earliest)
    assert "`checkpoint_id`" in refusal(error)


def test_the_owner_may_still_label_their_thread(
    deployment: Deployment, waiting_thread: str
) -> None:
    dave = deployment.client("dave")
    dave.threads.update(waiting_thread, metadata={"label": "march invoices"})
    metadata = dave.threads.get(waiting_thread)["metadata"] or {}
    assert metadata["label"] == "march invoices" and metadata["owner"] == "dave"


def test_a_path_outside_the_server_inbox_is_not_read(deployment: Deployment) -> None:
    dave = deployment.client("dave")
    thread_id = dave.threads.create()["thread_id"]
    dave.runs.wait(thread_id, GRAPH, input={"document_path": "/etc/passwd"})
    values = values_of(dave, thread_id)
    assert values["document"] is None and values["audit"]["outcome"] == "held_for_review"
    assert "outside the inbox" in values["errors"][0] and "upload" in values["errors"][0]
    assert "root:" not in json.dumps(values)  # /etc/passwd's first line, anywhere in state


def test_an_uploaded_invoice_is_paid_end_to_end_and_no_bytes_stay_in_state(
    deployment: Deployment,
) -> None:
    dave = deployment.client("dave")
    thread_id = dave.threads.create()["thread_id"]
    dave.runs.wait(thread_id, GRAPH, input={"upload": upload(CLEAN)})
    values = values_of(dave, thread_id)
    assert values["payment"]["payment_id"].startswith("pay-")
    assert values["audit"]["outcome"] == "paid" and values.get("upload") is None
    assert values["document_path"] == CLEAN.name and values["document"]["kind"] == "pdf"
    assert deployment.payments("NW-2026-00417") == 1
