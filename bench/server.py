"""Benchmark: invoices submitted concurrently through langgraph-sdk to 1 and to 2 Aegra replicas.

For each replica count, on a fresh PostgreSQL database (seeded, migrated once as `make cluster`
does): N distinct clean text invoices (tools/integrations/sample_invoices.py, each with its own
number and date) are submitted at once, each as its own thread; each run waits at the approval
gateway (the replicas run with `OVERTURE_APPROVAL_THRESHOLD=1000`), and is approved with a standard
HITL decision as soon as its interrupt is seen. Reported per replica count:

  throughput   invoices paid per second, from the first submission to the last payment
  interrupt    p50 / p95 seconds from submission to the approval interrupt
  completion   p50 / p95 seconds from submission to the final state (paid)
  lost         runs that did not end paid (must be 0)
  duplicates   payments beyond one per invoice, counted in SQL (must be 0)

and the 2-vs-1 throughput ratio. The replicas, their job workers and PostgreSQL share this
machine's cores (two here, shared with other work): the ratio says what a second replica buys
on one machine, not on two.

Usage: python bench/server.py [--invoices 200] [--replicas 1,2] [--quick]
Needs `.venv-cluster` (make setup-cluster), PostgreSQL and Redis (REDIS_URL).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from langgraph_sdk import get_client
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from core.settings import Settings  # noqa: E402
from overture.cluster import DEFAULT_REDIS, migrate, replica_env, start_replicas  # noqa: E402
from overture.runtime import open_engine  # noqa: E402
from tools.api_keys import create_token  # noqa: E402
from tools.approval.approvers import add_approver  # noqa: E402
from tools.integrations.records import PaymentRow  # noqa: E402
from tools.integrations.sample_invoices import load_books, sample  # noqa: E402
from tools.integrations.seed import load_seed_file  # noqa: E402

CLUSTER_PYTHON = REPO / ".venv-cluster" / "bin" / "python"
ADMIN_URL = os.environ.get(
    "OVERTURE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
GRAPH = "accounts_payable"
RESULTS = REPO / "bench" / "results" / "server.json"
TIMEOUT = 1800.0


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new, empty PostgreSQL database on the server of `ADMIN_URL`; dropped afterwards."""
    admin = make_url(ADMIN_URL)
    name = f"overture_bench_{uuid.uuid4().hex[:8]}"
    conninfo = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(url: str, invoices: int) -> dict[str, str]:
    """The sample books with an order and receipt per invoice, the demo approvers and a
    requester; an API key per user."""
    engine = open_engine(Settings(database_url=url))
    try:
        load_seed_file(engine)
        load_books(engine, range(1, invoices + 1))
        add_approver(engine, "dave", "Dave (requester)")
        return {user: create_token(engine, user, "bench")[1] for user in ("alice", "dave")}
    finally:
        engine.dispose()


def free_ports(count: int) -> list[int]:
    ports = []
    for _ in range(count):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
    return ports


async def one_invoice(
    urls: list[str], index: int, tokens: dict[str, str], started: float
) -> dict[str, Any]:
    """Submit invoice `index` to one replica, approve it through the next (round robin)."""
    number, upload = sample(index, "BENCH")
    submit_url, approve_url = urls[index % len(urls)], urls[(index + 1) % len(urls)]
    dave = get_client(url=submit_url, api_key=tokens["dave"], timeout=TIMEOUT)
    alice = get_client(url=approve_url, api_key=tokens["alice"], timeout=TIMEOUT)
    result: dict[str, Any] = {"number": number}
    try:
        thread = await dave.threads.create()
        thread_id = thread["thread_id"]
        waited = await dave.runs.wait(thread_id, GRAPH, input={"upload": upload})
        state = await dave.threads.get_state(thread_id)
        if not state["interrupts"]:
            runs = await dave.runs.list(thread_id)
            statuses = [run["status"] for run in runs]
            returned = str(waited)[:200]
            result["error"] = f"no approval interrupt (runs {statuses}; wait gave {returned})"
            return result
        result["interrupt"] = time.monotonic() - started
        decision = {"decisions": [{"type": "approve"}]}
        final = await alice.runs.wait(thread_id, GRAPH, command={"resume": decision})
        result["complete"] = time.monotonic() - started
        audit = final.get("audit") if isinstance(final, dict) else None
        result["outcome"] = audit.get("outcome") if isinstance(audit, dict) else None
    except Exception as error:  # noqa: BLE001 - a failed invoice is a lost run, reported
        result["error"] = f"{type(error).__name__}: {error}"[:300]
    return result


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def paid_counts(url: str) -> tuple[int, int]:
    """(payments, distinct invoices paid), counted in SQL."""
    engine = open_engine(Settings(database_url=url))
    try:
        with Session(engine) as session:
            total = session.scalar(select(func.count()).select_from(PaymentRow)) or 0
            distinct = session.scalar(select(func.count(func.distinct(PaymentRow.invoice_number))))
        return total, distinct or 0
    finally:
        engine.dispose()


def measure(replicas: int, invoices: int, logs: Path) -> dict[str, Any]:
    with fresh_database() as url:
        tokens = seed(url, invoices)
        base = {**os.environ, "OVERTURE_APPROVAL_THRESHOLD": "1000", "NO_COLOR": "1"}
        base["OVERTURE_TWO_PERSON_THRESHOLD"] = str(Decimal("1e9"))
        env = replica_env(url, os.environ.get("REDIS_URL", DEFAULT_REDIS), base)
        migrate(url, env, python=str(CLUSTER_PYTHON))
        ports = free_ports(replicas)
        started_replicas = start_replicas(
            ports,
            env,
            [logs / f"r{replicas}-{i}.log" for i in range(replicas)],
            python=str(CLUSTER_PYTHON),
        )
        try:
            urls = [replica.url for replica in started_replicas]
            started = time.monotonic()

            async def all_invoices() -> list[dict[str, Any]]:
                jobs = [one_invoice(urls, i, tokens, started) for i in range(1, invoices + 1)]
                return await asyncio.gather(*jobs)

            results = asyncio.run(all_invoices())
            wall = time.monotonic() - started
        finally:
            for replica in started_replicas:
                replica.stop()
        payments, distinct = paid_counts(url)
    paid = [r for r in results if r.get("outcome") == "paid"]
    interrupts = [r["interrupt"] for r in results if "interrupt" in r]
    completions = [r["complete"] for r in paid]
    errors = sorted({r["error"] for r in results if "error" in r})[:5]
    return {
        "replicas": replicas,
        "invoices": invoices,
        "wall_s": round(wall, 2),
        "throughput_per_s": round(len(paid) / wall, 3),
        "interrupt_p50_s": _round(percentile(interrupts, 50)),
        "interrupt_p95_s": _round(percentile(interrupts, 95)),
        "completion_p50_s": _round(percentile(completions, 50)),
        "completion_p95_s": _round(percentile(completions, 95)),
        "lost_runs": invoices - len(paid),
        "duplicate_payments": payments - distinct,
        "errors": errors,
    }


def _round(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def main() -> None:
    parser = argparse.ArgumentParser(description="invoices through the SDK to Aegra replicas")
    parser.add_argument("--invoices", type=int, default=200)
    parser.add_argument("--replicas", default="1,2")
    parser.add_argument("--quick", action="store_true", help="20 invoices")
    args = parser.parse_args()
    invoices = 20 if args.quick else args.invoices
    counts = [int(n) for n in args.replicas.split(",")]
    logs = Path(tempfile.mkdtemp(prefix="bench-server-"))
    rows = [measure(n, invoices, logs) for n in counts]
    header = f"{'replicas':>8} {'inv/s':>7} {'int p50':>8} {'int p95':>8} {'done p50':>9} "
    print(header + f"{'done p95':>9} {'lost':>5} {'dup':>4}")
    for row in rows:
        print(
            f"{row['replicas']:>8} {row['throughput_per_s']:>7} {row['interrupt_p50_s']:>8} "
            f"{row['interrupt_p95_s']:>8} {row['completion_p50_s']:>9} "
            f"{row['completion_p95_s']:>9} {row['lost_runs']:>5} {row['duplicate_payments']:>4}"
        )
        for error in row["errors"]:
            print(f"  error: {error}")
    by_count = {row["replicas"]: row for row in rows}
    ratio = None
    if 1 in by_count and 2 in by_count and by_count[1]["throughput_per_s"]:
        ratio = round(by_count[2]["throughput_per_s"] / by_count[1]["throughput_per_s"], 2)
        print(f"2-vs-1 replica throughput: {ratio}x (target >= 1.5x; logs in {logs})")
    report = {
        "benchmark": "server",
        "invoices": invoices,
        "cpu_count": os.cpu_count(),
        "results": rows,
        "throughput_ratio_2_vs_1": ratio,
        "target_ratio": 1.5,
        "note": "replicas, workers and PostgreSQL share the machine's cores",
    }
    if not args.quick:
        RESULTS.write_text(json.dumps(report, indent=2) + "\n")
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
