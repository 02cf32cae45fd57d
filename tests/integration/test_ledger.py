"""The execution ledger on every backend: a side effect runs once per key, even under races."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.tool_world import migrated
from tools.ledger import ExecutionLedger, idempotency_key

pytestmark = pytest.mark.integration
RACERS = 6


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    with migrated(db_url) as engine:
        yield engine


def run(ledger: ExecutionLedger, key: str, call: object) -> object:
    return ledger.run_once(
        key=key, thread_id="t1", node="execute", tool="pay", payload_hash="h", call=call
    )


def test_a_succeeded_key_returns_the_recorded_result_without_calling_again(
    engine: Engine,
) -> None:
    ledger = ExecutionLedger(engine)
    calls: list[int] = []
    key = idempotency_key("t1", "execute", "pay", {"amount": "1.00"})

    first = run(ledger, key, lambda: calls.append(1) or {"payment": "p1", "amount": "1.00"})
    again = run(ledger, key, lambda: calls.append(2) or {"payment": "p2"})

    assert calls == [1]
    assert (first.replayed, again.replayed) == (False, True)
    assert again.result == {"payment": "p1", "amount": "1.00"}
    entry = ledger.get(key)
    assert entry is not None and (entry.status, entry.attempts) == ("succeeded", 1)


def test_a_failed_call_is_recorded_and_a_retry_calls_again_with_the_same_key(
    engine: Engine,
) -> None:
    ledger = ExecutionLedger(engine)

    def broken() -> None:
        raise ConnectionError("payment API timed out")

    with pytest.raises(ConnectionError):
        run(ledger, "k-fail", broken)
    entry = ledger.get("k-fail")
    assert entry is not None
    assert (entry.status, entry.error) == ("failed", "ConnectionError: payment API timed out")

    retried = run(ledger, "k-fail", lambda: "paid")
    assert (retried.result, retried.replayed, retried.attempts) == ("paid", False, 2)
    assert [e.status for e in ledger.entries("t1")] == ["succeeded"]


def test_threads_racing_on_one_key_make_exactly_one_call(engine: Engine) -> None:
    ledger = ExecutionLedger(engine)
    calls: list[str] = []
    start = threading.Barrier(RACERS)
    results: list[object] = []

    def slow_call() -> str:
        calls.append(threading.current_thread().name)
        time.sleep(0.2)  # a wide window: the others arrive while the call is in flight
        return "paid once"

    def racer() -> None:
        start.wait()
        results.append(run(ledger, "k-race", slow_call))

    threads = [threading.Thread(target=racer) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(calls) == 1
    assert sorted(r.replayed for r in results) == [False] + [True] * (RACERS - 1)
    assert {r.result for r in results} == {"paid once"}


def _process_racer(url: str, log: str, start_at: float) -> None:
    from tests.tool_world import migrated

    with migrated(url) as engine:
        ledger = ExecutionLedger(engine)

        def call() -> str:
            with open(log, "a") as handle:
                handle.write(f"{os.getpid()}\n")
            time.sleep(0.2)
            return "paid once"

        time.sleep(max(0.0, start_at - time.time()))
        run(ledger, "k-process-race", call)


def test_processes_racing_on_one_key_make_exactly_one_call(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "calls.log"
    log.touch()
    context = multiprocessing.get_context("fork")
    start_at = time.time() + 1.5  # after every worker has started
    workers = [
        context.Process(target=_process_racer, args=(db_url, str(log), start_at)) for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    assert len(log.read_text().split()) == 1
    entry = ExecutionLedger(engine).get("k-process-race")
    assert entry is not None and (entry.status, entry.attempts) == ("succeeded", 1)
