"""Overhead of the local SQL trace sink per graph node (median), against no tracing.

Two graphs: a chain of trivial nodes (the worst case: the sink's cost is all there is) and
the accounts-payable graph (rules strategy, one document that goes to human review, so every
run takes the same path and pays nothing). Variants are interleaved run by run so that load
from other work on a shared machine hits both alike.

    .venv/bin/python bench/tracing.py [--runs 200] [--postgres URL]

Prints a table and writes bench/results/tracing.json.
"""

from __future__ import annotations

import argparse
import json
import operator
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypedDict

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from langchain_core.tracers.base import BaseTracer  # noqa: E402
from langgraph.graph import END, START, StateGraph  # noqa: E402
from sqlalchemy import text  # noqa: E402

from core.db import make_engine  # noqa: E402
from observability.tracing import tracing_config  # noqa: E402

CHAIN_NODES = 10


class _NoopTracer(BaseTracer):
    """LangChain's tracer machinery with nothing stored: what any tracer costs."""

    def _persist_run(self, run: Any) -> None:
        return None


class ChainState(TypedDict, total=False):
    document_path: str
    text: str
    notes: Annotated[list[str], operator.add]


def chain_graph() -> Any:
    builder = StateGraph(ChainState)
    previous = START
    for i in range(CHAIN_NODES):
        name = f"agent_{i}"

        def node(state: ChainState, i: int = i) -> dict[str, Any]:
            return {"notes": [f"step {i} saw {len(state.get('text', ''))} chars"]}

        builder.add_node(name, node)
        builder.add_edge(previous, name)
        previous = name
    builder.add_edge(previous, END)
    return builder.compile()


def measure(
    invoke: Callable[[dict[str, Any]], Any], variants: dict[str, Callable[[int], dict]], runs: int
) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {name: [] for name in variants}
    for i in range(runs):
        for name, make_config in variants.items():
            config = make_config(i)
            started = time.perf_counter()
            invoke(config)
            timings[name].append((time.perf_counter() - started) * 1000)
    return timings


def bench_graph(
    label: str, invoke: Callable[[dict], Any], nodes: int, url: str, runs: int
) -> dict[str, Any]:
    engine = make_engine(url)

    def sink(i: int) -> dict:
        return tracing_config(f"bench-{label}-{i}", label, engine=engine)

    def off(i: int) -> dict:
        return {"configurable": {"thread_id": f"off-{i}"}}

    def noop(i: int) -> dict:
        return {"configurable": {"thread_id": f"noop-{i}"}, "callbacks": [_NoopTracer()]}

    for i in range(5):  # warm up: imports, table creation, connection pool
        invoke(off(i))
        invoke(sink(-1 - i))
    timings = measure(invoke, {"off": off, "noop": noop, "sink": sink}, runs)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT COUNT(*) FROM trace_runs")).scalar_one()
    engine.dispose()
    off_ms = statistics.median(timings["off"]) / nodes
    noop_ms = statistics.median(timings["noop"]) / nodes
    sink_ms = statistics.median(timings["sink"]) / nodes
    return {
        "graph": label,
        "backend": url.split(":", 1)[0].split("+")[0],
        "median_ms_per_node_noop_tracer": round(noop_ms, 4),
        "nodes_per_run": nodes,
        "runs": runs,
        "median_ms_per_node_off": round(off_ms, 4),
        "median_ms_per_node_sink": round(sink_ms, 4),
        "overhead_ms_per_node": round(sink_ms - off_ms, 4),
        "overhead_pct": round(100 * (sink_ms - off_ms) / off_ms, 1),
        "rows_written_per_run": round(rows / (runs + 5), 1),
    }


def ap_invoker(url: str) -> tuple[Callable[[dict], Any], int]:
    from graphs.accounts_payable.context import Context
    from graphs.accounts_payable.graph import build_graph
    from tools.integrations.seed import load_seed_file
    from tools.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)
    load_seed_file(engine)
    graph = build_graph()
    context = Context(engine=engine)
    document = str(ROOT / "examples/documents/05_bank_change.pdf")

    def invoke(config: dict) -> Any:
        return graph.invoke({"document_path": document}, config, context=context)

    return invoke, 5  # ingest, verify, route, human_review, audit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument(
        "--postgres",
        help="also measure the sink on this PostgreSQL URL (a scratch database: the bench "
        "creates trace_runs there)",
    )
    args = parser.parse_args()

    results = []
    with tempfile.TemporaryDirectory() as folder:
        targets = [("sqlite", f"sqlite:///{folder}/sink.db")]
        if args.postgres:
            targets.append(("postgresql", args.postgres))
        graph = chain_graph()
        payload = {"document_path": "x", "text": "lorem ipsum " * 200}
        for _, url in targets:
            results.append(
                bench_graph(
                    f"chain{CHAIN_NODES}",
                    lambda config: graph.invoke(payload, config),
                    CHAIN_NODES,
                    url,
                    args.runs,
                )
            )
        invoke, nodes = ap_invoker(f"sqlite:///{folder}/ap.db")
        for _, url in targets:
            results.append(bench_graph("accounts_payable", invoke, nodes, url, args.runs // 2))

    header = f"{'graph':<18}{'sink db':<12}{'off ms/node':>12}{'noop tracer':>12}"
    header += f"{'sink ms/node':>14}{'overhead':>10}{'%':>8}{'rows/run':>10}"
    print(header)
    for r in results:
        print(
            f"{r['graph']:<18}{r['backend']:<12}{r['median_ms_per_node_off']:>12.3f}"
            f"{r['median_ms_per_node_noop_tracer']:>12.3f}"
            f"{r['median_ms_per_node_sink']:>14.3f}{r['overhead_ms_per_node']:>10.3f}"
            f"{r['overhead_pct']:>8.1f}{r['rows_written_per_run']:>10.1f}"
        )
    out = ROOT / "bench/results/tracing.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "python": platform.python_version(),
                "machine": platform.machine(),
                "note": "median wall time per invocation / nodes executed; variants interleaved",
                "results": results,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
