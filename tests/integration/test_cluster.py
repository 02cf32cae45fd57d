"""The graphs on two Aegra replicas over one PostgreSQL database and Redis, with langgraph-sdk.

A run started on one replica is approved through the other; a replica SIGKILLed while a run
executes leaves the run to the other; every invoice is paid exactly once (counted in SQL).
The approver's SDK client code is the same against `langgraph dev` and the cluster.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_sync_client
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.settings import Settings
from observability.schema import trace_runs
from overture.runtime import open_engine
from tests.databases import throwaway_database
from tests.integration.aegra_cluster import Cluster, start_cluster
from tests.integration.langgraph_server import seed_users, start_server
from tools.integrations.records import PaymentRow
from tools.integrations.sample_invoices import Upload, load_books, sample

pytestmark = pytest.mark.integration

GRAPH = "accounts_payable"
LOW_THRESHOLD = {"OVERTURE_APPROVAL_THRESHOLD": "1000"}  # each sample invoice needs approval
RECOVERY_TIMEOUT = 180.0


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    with throwaway_database("postgres", tmp_path_factory.mktemp("cluster-db")) as url:
        tokens = seed_users(url)
        engine = open_engine(Settings(database_url=url))
        try:
            load_books(engine, range(1, 30))  # an order and a receipt per sample invoice
        finally:
            engine.dispose()
        yield url, tokens


@pytest.fixture(scope="module")
def crash_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Disarmed while it exists (tools/crashpoints.py `OVERTURE_CRASH_ONCE`)."""
    path = tmp_path_factory.mktemp("crash") / "crashed-once"
    path.touch()
    return path


@pytest.fixture(scope="module")
def cluster(
    database: tuple[str, dict[str, str]], crash_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    extra = {
        **LOW_THRESHOLD,
        "OVERTURE_CRASH_AT": "execute.after_payment",
        "OVERTURE_CRASH_ONCE": str(crash_file),
        "OVERTURE_HOME": str(tmp_path_factory.mktemp("cluster-home")),
    }
    started = start_cluster(database[0], tmp_path_factory.mktemp("cluster-logs"), 2, extra)
    try:
        yield started
    finally:
        started.stop()


def payments(database_url: str, number: str) -> int:
    """Payments of invoice `number`, counted in SQL."""
    engine = open_engine(Settings(database_url=database_url))
    try:
        with Session(engine) as session:
            query = select(func.count()).select_from(PaymentRow)
            return session.scalar(query.where(PaymentRow.invoice_number == number)) or 0
    finally:
        engine.dispose()


def traced_runs(database_url: str, thread_id: str) -> set[str]:
    """The names of the runs the SQL trace sink holds for a thread."""
    engine = open_engine(Settings(database_url=database_url))
    try:
        with engine.connect() as connection:
            query = select(trace_runs.c.name).where(trace_runs.c.thread_id == thread_id)
            return set(connection.execute(query).scalars())
    finally:
        engine.dispose()


def run(url: str, key: str, invoice: tuple[str, Upload]) -> tuple[str, dict[str, Any]]:
    """The requester's client: upload an invoice; return the thread and its state after."""
    client = get_sync_client(url=url, api_key=key)
    thread = client.threads.create()
    client.runs.wait(thread["thread_id"], GRAPH, input={"upload": invoice[1]})
    return thread["thread_id"], client.threads.get_state(thread["thread_id"])


def submit(url: str, key: str, invoice: tuple[str, Upload]) -> tuple[str, dict[str, Any]]:
    """As `run`, for an invoice that waits on approval: the thread and its approval request."""
    thread_id, state = run(url, key, invoice)
    (interrupt,) = state["interrupts"]
    return thread_id, interrupt["value"]


def approve(url: str, key: str, thread_id: str, request: dict[str, Any]) -> dict[str, Any]:
    """The approver's client: answer the standard HITL request with an `approve` decision."""
    (action,) = request["action_requests"]
    assert action["name"] == "payments.pay"
    assert "approve" in request["review_configs"][0]["allowed_decisions"]
    client = get_sync_client(url=url, api_key=key)
    decision = {"decisions": [{"type": "approve"}]}
    return client.runs.wait(thread_id, GRAPH, command={"resume": decision})


def test_a_run_started_on_one_replica_is_approved_through_the_other_and_paid_once(
    cluster: Cluster, database: tuple[str, dict[str, str]]
) -> None:
    url, tokens = database
    first, second = cluster.urls
    number, invoice = sample(1, "CLUSTER")  # each test its own index: distinct dates too
    thread_id, request = submit(first, tokens["dave"], (number, invoice))
    assert payments(url, number) == 0
    final = approve(second, tokens["alice"], thread_id, request)
    assert final["audit"]["outcome"] == "paid"
    state = get_sync_client(url=first, api_key=tokens["dave"]).threads.get_state(thread_id)
    assert state["values"]["approval"]["approver"] == "alice"
    assert payments(url, number) == 1


def test_verification_cites_past_cases_from_overtures_store_on_the_cluster(
    cluster: Cluster, database: tuple[str, dict[str, str]]
) -> None:
    """Aegra hands graphs its own store, without a vector index: case memory is Overture's.
    A rejected invoice is a notable case (nodes/case_memory.py); the vendor's next cites it."""
    _, tokens = database
    first, second = cluster.urls
    rejected = sample(2, "CLUSTER")
    thread_id, _ = submit(first, tokens["dave"], rejected)
    alice = get_sync_client(url=second, api_key=tokens["alice"])
    no = {"decisions": [{"type": "reject", "message": "not ordered by us"}]}
    assert alice.runs.wait(thread_id, GRAPH, command={"resume": no})["audit"]["outcome"] == (
        "approval_rejected"
    )
    _, state = run(second, tokens["dave"], sample(3, "CLUSTER"))
    cited = {case["invoice_number"] for case in state["values"]["verification"]["past_cases"]}
    assert rejected[0] in cited


def test_a_replica_killed_while_a_run_executes_leaves_the_run_to_the_other_paid_once(
    cluster: Cluster, database: tuple[str, dict[str, str]], crash_file: Path
) -> None:
    url, tokens = database
    first, second = cluster.urls
    number, invoice = sample(4, "CLUSTER")
    thread_id, _ = submit(first, tokens["dave"], (number, invoice))
    crash_file.unlink()  # armed: the replica whose worker pays first dies right after paying
    alice = get_sync_client(url=second, api_key=tokens["alice"])
    alice.runs.create(thread_id, GRAPH, command={"resume": {"decisions": [{"type": "approve"}]}})
    dead = wait_for_one_death(cluster)
    survivor = cluster.replicas[1 - dead].url
    try:
        state = wait_until_final(survivor, tokens["dave"], thread_id)
        assert state["values"]["audit"]["outcome"] == "paid"
        assert payments(url, number) == 1
    finally:
        cluster.restart(dead)


def test_a_threads_state_is_read_by_its_owner_and_approvers_only_and_written_by_nobody(
    cluster: Cluster, database: tuple[str, dict[str, str]]
) -> None:
    """Aegra's state routes call no auth handler: overture/aegra_app.py guards them."""
    _, tokens = database
    first, second = cluster.urls
    thread_id, request = submit(first, tokens["dave"], sample(5, "CLUSTER"))
    approve(second, tokens["alice"], thread_id, request)

    def client(user: str) -> Any:
        return get_sync_client(url=second, api_key=tokens[user])

    for reader in ("dave", "alice"):  # the owner; the approver who decided
        assert client(reader).threads.get_state(thread_id)["values"]["audit"]["outcome"] == "paid"
    for stranger in ("carol", "erin"):  # approvers, but of nothing on this thread
        with pytest.raises(httpx.HTTPStatusError) as error:
            client(stranger).threads.get_state(thread_id)
        assert error.value.response.status_code == 404
    with pytest.raises(httpx.HTTPStatusError) as error:
        client("dave").threads.update_state(thread_id, {"payment_instruction": None})
    assert error.value.response.status_code == 403


def wait_for_one_death(cluster: Cluster) -> int:
    """The index of the replica that died (at the crash point); fail if none does."""
    deadline = time.monotonic() + RECOVERY_TIMEOUT
    while time.monotonic() < deadline:
        dead = [i for i, r in enumerate(cluster.replicas) if r.process.poll() is not None]
        if dead:
            assert len(dead) == 1, "both replicas died"
            return dead[0]
        time.sleep(0.2)
    pytest.fail("no replica reached the crash point")


def wait_until_final(url: str, key: str, thread_id: str) -> dict[str, Any]:
    """The thread's state once its run has ended (reaped and resumed by `url`'s replica)."""
    client = get_sync_client(url=url, api_key=key)
    deadline = time.monotonic() + RECOVERY_TIMEOUT
    while time.monotonic() < deadline:
        try:
            state = client.threads.get_state(thread_id)
        except httpx.HTTPError:
            state = None
        if state is not None and state["values"].get("audit") is not None:
            return state
        time.sleep(0.5)
    pytest.fail(f"thread {thread_id} did not finish on the surviving replica {url}")


@pytest.fixture(scope="module", params=["langgraph-dev", "aegra-cluster"])
def server_urls(
    request: pytest.FixtureRequest,
    database: tuple[str, dict[str, str]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, str, str]]:
    """(name, submit URL, approve URL): one `langgraph dev`, or two replicas of the cluster."""
    if request.param == "aegra-cluster":
        cluster: Cluster = request.getfixturevalue("cluster")
        yield request.param, cluster.urls[0], cluster.urls[1]
        return
    tmp = tmp_path_factory.mktemp("dev")
    server = start_server(database[0], tmp / "server", tmp / "home", LOW_THRESHOLD)
    try:
        yield request.param, server.url, server.url
    finally:
        server.stop()


def test_the_same_sdk_client_code_approves_on_langgraph_dev_and_on_aegra(
    server_urls: tuple[str, str, str], database: tuple[str, dict[str, str]]
) -> None:
    url, tokens = database
    name, submit_url, approve_url = server_urls
    number, invoice = sample(10 if name == "langgraph-dev" else 11, f"SDK-{name}")
    thread_id, request = submit(submit_url, tokens["dave"], (number, invoice))
    final = approve(approve_url, tokens["alice"], thread_id, request)
    assert final["audit"]["outcome"] == "paid"
    assert payments(url, number) == 1


def test_server_runs_are_in_the_sql_trace_sink_like_cli_runs(
    server_urls: tuple[str, str, str], database: tuple[str, dict[str, str]]
) -> None:
    url, tokens = database
    name, submit_url, _ = server_urls
    thread_id, _ = submit(submit_url, tokens["dave"], sample(20 if "dev" in name else 21, name))
    assert {"accounts_payable", "verify", "needs_approval"} <= traced_runs(url, thread_id)
