"""Overhead per tool call of registry + policy + ledger + audit trail vs a direct call.

Median microseconds over N calls of a money tool (distinct arguments, so each call is a new
ledger key) on SQLite (file, WAL) and PostgreSQL; a replayed key is measured too.
Writes bench/results/tools.json.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

# This file is named like the `tools` package: run as a script, its own folder would shadow it.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from pydantic import BaseModel  # noqa: E402

from core.db import make_engine  # noqa: E402
from tests.databases import SERVER_URLS, throwaway_database  # noqa: E402
from tools.executor import CallScope, ToolExecutor  # noqa: E402
from tools.migrate import upgrade  # noqa: E402
from tools.registry import ApprovalPolicy, ToolRegistry, ToolSpec  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 300


class Args(BaseModel):
    invoice: str
    amount: str


def handler(args: Args, *, idempotency_key: str) -> dict[str, str]:
    return {"ok": args.invoice, "key": idempotency_key}


def measure(url: str) -> dict[str, float]:
    engine = make_engine(url)
    upgrade(engine)
    registry = ToolRegistry(
        [ToolSpec("bench.pay", "bench", Args, handler, "money", ApprovalPolicy.never())]
    )
    executor = ToolExecutor(registry, engine)
    scope = CallScope("bench", "execute")
    direct, governed, replayed = [], [], []
    for i in range(N):
        args = {"invoice": f"B-{i}", "amount": "10.00"}
        t = time.perf_counter()
        handler(Args(**args), idempotency_key="k")
        direct.append(time.perf_counter() - t)
        t = time.perf_counter()
        executor.execute("bench.pay", args, scope)
        governed.append(time.perf_counter() - t)
        t = time.perf_counter()
        executor.execute("bench.pay", args, scope)
        replayed.append(time.perf_counter() - t)
    engine.dispose()
    us = lambda xs: round(statistics.median(xs) * 1e6, 1)  # noqa: E731
    return {
        "direct_us": us(direct),
        "governed_us": us(governed),
        "overhead_us": round(us(governed) - us(direct), 1),
        "replay_us": us(replayed),
        "calls": N,
    }


def main() -> None:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = measure(f"sqlite:///{tmp}/bench.db")
        try:
            with throwaway_database("postgres", Path(tmp)) as url:
                results["postgres"] = measure(url)
        except BaseException as error:  # noqa: BLE001 - server down: report, keep SQLite
            print(f"postgres skipped ({SERVER_URLS['postgres']}): {error}")
    print(
        f"{'backend':10} {'direct µs':>10} {'governed µs':>12} "
        f"{'overhead µs':>12} {'replay µs':>10}"
    )
    for name, r in results.items():
        print(
            f"{name:10} {r['direct_us']:>10} {r['governed_us']:>12} "
            f"{r['overhead_us']:>12} {r['replay_us']:>10}"
        )
    out = Path(__file__).parent / "results" / "tools.json"
    out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
