"""Benchmark: Overture's SQL checkpointer against InMemorySaver, SqliteSaver and PostgresSaver.

One process; every round runs every saver on every workload, in turn, so machine noise (the
cores are shared) spreads over all of them; the table reports medians over rounds. Every saver
is warmed up (untimed) first; within a round, each workload runs in slices, ours and the
official saver on the same database taking turns slice by slice (which goes first alternates),
and each timed slice starts after a full collection.

  (a) sequential  5-node linear graph, N invocations (one thread each), durability="sync"
  (b) putget      put + get_tuple pairs on one thread, a 20-message (~14 KB) state
  (c) concurrent  8 OS threads invoking the 5-node graph at once
  (d) bytes       row payload stored after 50 steps of a graph whose 10 KB channel never changes

SQLite savers run at the same settings: WAL, synchronous=NORMAL, busy_timeout (SqliteSaver's
own connection gets the PRAGMAs ours gets from core.db). PostgresSaver and ours use the same
PostgreSQL server and database, each with a pool of 8 connections that are not pinged at checkout
(psycopg_pool's default; ours built as `SQLCheckpointer.from_url` builds it, pool_pre_ping off).

Usage: python bench/checkpointer.py [--quick] [--rounds N]
"""

from __future__ import annotations

import argparse
import gc
import json
import operator
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Annotated, Any, TypedDict

# bench/memory.py (the store benchmark) would shadow the `memory` package: repo root first.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from langchain_core.messages import AIMessage, HumanMessage  # noqa: E402
from langgraph.checkpoint.base import BaseCheckpointSaver, empty_checkpoint
from langgraph.checkpoint.base.id import uuid6
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from core.db import make_engine
from memory.checkpoint import SQLCheckpointer
from tests.databases import throwaway_database

RESULTS = Path(__file__).parent / "results" / "checkpointer.json"
SYNCHRONOUS = "NORMAL"


class LinearState(TypedDict):
    count: int
    trail: Annotated[list[str], operator.add]


def linear_graph(saver: BaseCheckpointSaver) -> Any:
    builder = StateGraph(LinearState)
    names = [f"n{i}" for i in range(5)]
    for name in names:
        builder.add_node(name, lambda s, name=name: {"count": s["count"] + 1, "trail": [name]})
    builder.add_edge(START, names[0])
    for a, b in zip(names, names[1:], strict=False):
        builder.add_edge(a, b)
    builder.add_edge(names[-1], END)
    return builder.compile(checkpointer=saver)


class DocState(TypedDict):
    document: str
    count: int


def document_graph(saver: BaseCheckpointSaver, steps: int) -> Any:
    builder = StateGraph(DocState)
    builder.add_node("step", lambda s: {"count": s["count"] + 1})
    builder.add_edge(START, "step")
    builder.add_conditional_edges("step", lambda s: END if s["count"] >= steps else "step")
    return builder.compile(checkpointer=saver)


def messages_20() -> list[Any]:
    text_ = "The invoice total matches the purchase order within tolerance; " * 10
    return [
        (HumanMessage if i % 2 == 0 else AIMessage)(content=f"{i}: {text_}", id=str(i))
        for i in range(20)
    ]


# --- workloads: each returns operations per second (or bytes) ---------------------------------


def run_sequential(saver: BaseCheckpointSaver, n: int) -> float:
    graph = linear_graph(saver)
    start = time.perf_counter()
    for _ in range(n):
        config = {"configurable": {"thread_id": str(uuid.uuid4())}}
        graph.invoke({"count": 0, "trail": []}, config, durability="sync")
    return n / (time.perf_counter() - start)


def run_concurrent(saver: BaseCheckpointSaver, n: int, threads: int = 8) -> float:
    graph = linear_graph(saver)

    def worker(count: int) -> None:
        for _ in range(count):
            config = {"configurable": {"thread_id": str(uuid.uuid4())}}
            graph.invoke({"count": 0, "trail": []}, config, durability="sync")

    per_thread = max(1, n // threads)
    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(worker, [per_thread] * threads))
    return per_thread * threads / (time.perf_counter() - start)


def run_putget(saver: BaseCheckpointSaver, n: int) -> float:
    messages = messages_20()
    thread_id = str(uuid.uuid4())
    config: dict[str, Any] = {"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}}
    version: str | None = None
    start = time.perf_counter()
    for i in range(n):
        version = saver.get_next_version(version, None)
        checkpoint = empty_checkpoint()
        checkpoint["id"] = str(uuid6(clock_seq=i))
        checkpoint["channel_values"] = {"messages": messages, "step": i}
        checkpoint["channel_versions"] = {"messages": version, "step": version}
        config = saver.put(
            config,
            checkpoint,
            {"source": "loop", "step": i},
            {"messages": version, "step": version},
        )
        assert saver.get_tuple(config) is not None
    return n / (time.perf_counter() - start)


def document_10k() -> str:
    """10 KB of invoice-like text; not one repeated character, which TOAST would compress away."""
    rng = random.Random(7)
    words = ["invoice", "total", "vendor", "net", "EUR", "due", "PO", "line", "qty", "tax"]
    out: list[str] = []
    while sum(len(w) + 1 for w in out) < 10_240:
        out.append(f"{rng.choice(words)}-{rng.randrange(10**6)}")
    return " ".join(out)[:10_240]


def run_bytes(saver: BaseCheckpointSaver, measure: Callable[[], int], steps: int = 50) -> int:
    before = measure()
    graph = document_graph(saver, steps)
    config = {"configurable": {"thread_id": str(uuid.uuid4())}}
    graph.invoke({"document": document_10k(), "count": 0}, config, durability="sync")
    return measure() - before


WORKLOADS: dict[str, Callable[[Any, int], float]] = {
    "sequential": run_sequential,
    "putget": run_putget,
    "concurrent": run_concurrent,
}
#: Each workload runs in this many slices per round, the savers of a database taking turns.
SLICES = 5


def interleaved(
    run: Callable[[Any, int], float], group: list[BaseCheckpointSaver], n: int, rnd: int
) -> list[float]:
    """Throughput of each saver of `group` over `n` operations run in alternating slices.

    Ours and the official saver take turns slice by slice (which goes first alternates too),
    so a burst of load from other users of the shared cores lands on both, not on whichever
    ran its whole workload at that moment.
    """
    per_slice = n // SLICES
    spent = [0.0] * len(group)
    for i in range(SLICES):
        turn = list(enumerate(group))
        for k, saver in turn if (i + rnd) % 2 == 0 else reversed(turn):
            spent[k] += per_slice / timed(run, saver, per_slice)
    return [per_slice * SLICES / t for t in spent]


def warm_up(saver: BaseCheckpointSaver) -> None:
    """Untimed: connections opened, statements prepared and code paths warm on every saver."""
    run_sequential(saver, 10)
    run_putget(saver, 50)
    run_concurrent(saver, 16)


def timed(workload: Callable[[BaseCheckpointSaver, int], float], saver: Any, n: int) -> float:
    """`workload(saver, n)` after a full collection, so no saver pays another's garbage."""
    gc.collect()
    return workload(saver, n)


# --- savers ------------------------------------------------------------------------------------


def sqlite_payload(conn_factory: Callable[[], Any], tables: list[str]) -> Callable[[], int]:
    """Sum of the stored length of every column of every row of `tables` (SQLite)."""

    def measure() -> int:
        conn = conn_factory()
        total = 0
        for table in tables:
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})").fetchall()]
            expr = " + ".join(f"COALESCE(LENGTH(CAST({c} AS BLOB)), 0)" for c in cols)
            total += conn.execute(f"SELECT COALESCE(SUM({expr}), 0) FROM {table}").fetchone()[0]
        return int(total)

    return measure


def pg_payload(url: str, tables: list[str]) -> Callable[[], int]:
    """Sum of `pg_column_size` of every row of `tables` (values as stored, after TOAST)."""
    engine = create_engine(url)

    def measure() -> int:
        with engine.connect() as conn:
            return sum(
                int(
                    conn.execute(
                        text(f"SELECT COALESCE(SUM(pg_column_size(t.*)), 0) FROM {t} t")
                    ).scalar()
                )
                for t in tables
            )

    return measure


OURS = ["overture_checkpoints", "overture_checkpoint_blobs", "overture_checkpoint_writes"]


@contextmanager
def savers(
    workdir: Path, with_mariadb: bool
) -> Iterator[dict[str, tuple[BaseCheckpointSaver, Callable[[], int] | None]]]:
    """name -> (saver, bytes-measure); official savers paired with ours on the same database."""
    result: dict[str, tuple[BaseCheckpointSaver, Callable[[], int] | None]] = {}
    result["memory"] = (InMemorySaver(), None)

    official_path = workdir / "official.db"
    lite = sqlite3.connect(official_path, check_same_thread=False, isolation_level=None)
    for pragma in ("journal_mode=WAL", f"synchronous={SYNCHRONOUS}", "busy_timeout=30000"):
        lite.execute(f"PRAGMA {pragma}")
    lite.isolation_level = ""  # SqliteSaver's default transaction handling, after the PRAGMAs
    official_sqlite = SqliteSaver(lite)
    official_sqlite.setup()
    result["sqlite/official"] = (
        official_sqlite,
        sqlite_payload(lambda: sqlite3.connect(official_path), ["checkpoints", "writes"]),
    )

    ours_path = workdir / "ours.db"
    ours_engine = make_engine(f"sqlite:///{ours_path}", sqlite_synchronous=SYNCHRONOUS)
    ours_sqlite = SQLCheckpointer(ours_engine)
    ours_sqlite.setup()
    result["sqlite/ours"] = (ours_sqlite, sqlite_payload(lambda: sqlite3.connect(ours_path), OURS))

    with throwaway_database("postgres", workdir) as pg_url, ExitStack() as stack:
        conninfo = make_url(pg_url).set(drivername="postgresql")
        dsn = conninfo.render_as_string(hide_password=False)
        pool = ConnectionPool(
            dsn,
            min_size=1,
            max_size=8,
            open=True,
            kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
        )
        stack.callback(pool.close)
        official_pg = PostgresSaver(pool)
        official_pg.setup()
        result["postgres/official"] = (
            official_pg,
            pg_payload(pg_url, ["checkpoints", "checkpoint_blobs", "checkpoint_writes"]),
        )
        pg_engine = make_engine(pg_url, pool_size=8, pool_pre_ping=False)
        stack.callback(pg_engine.dispose)
        ours_pg = SQLCheckpointer(pg_engine)
        ours_pg.setup()
        result["postgres/ours"] = (ours_pg, pg_payload(pg_url, OURS))
        if with_mariadb:
            my_url = stack.enter_context(throwaway_database("mariadb", workdir))
            my_engine = make_engine(my_url, pool_size=8, pool_pre_ping=False)
            stack.callback(my_engine.dispose)
            ours_my = SQLCheckpointer(my_engine)
            ours_my.setup()
            result["mariadb/ours"] = (ours_my, None)
        try:
            yield result
        finally:
            lite.close()
            ours_engine.dispose()


# --- main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smaller workloads, for a smoke run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-mariadb", action="store_true")
    args = parser.parse_args()
    n_seq, n_pairs, n_conc = (100, 400, 80) if args.quick else (500, 2000, 400)

    sizes = {"sequential": n_seq, "putget": n_pairs, "concurrent": n_conc}
    samples: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as tmp, savers(Path(tmp), not args.no_mariadb) as all_savers:
        for saver, _ in all_savers.values():
            warm_up(saver)
        groups: dict[str, list[str]] = {}  # savers on one database: official and ours
        for name in all_savers:
            groups.setdefault(name.split("/")[0], []).append(name)
        for rnd in range(args.rounds):
            for workload, run in WORKLOADS.items():
                for group in groups.values():
                    members = [all_savers[n][0] for n in group]
                    rates = interleaved(run, members, sizes[workload], rnd)
                    for name, rate in zip(group, rates, strict=True):
                        samples.setdefault(name, {}).setdefault(workload, []).append(rate)
            for name, (saver, measure) in all_savers.items():
                row = samples[name]
                if measure is not None and rnd == 0:
                    row["bytes"] = [run_bytes(saver, measure)]
                print(
                    f"round {rnd + 1}/{args.rounds} {name}: "
                    + ", ".join(f"{k}={v[-1]:.1f}" for k, v in row.items()),
                    flush=True,
                )

    medians = {
        name: {k: statistics.median(v) for k, v in row.items()} for name, row in samples.items()
    }
    ratios: dict[str, float] = {}
    for db in ("sqlite", "postgres"):
        ours, official = medians[f"{db}/ours"], medians[f"{db}/official"]
        for workload in ("sequential", "putget", "concurrent"):
            ratios[f"{db}_{workload}"] = round(ours[workload] / official[workload], 3)
        ratios[f"{db}_bytes"] = round(official["bytes"] / ours["bytes"], 3)

    print_table(medians, ratios)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "ratios": ratios,
                "medians": medians,
                "samples": samples,
                "settings": {
                    "rounds": args.rounds,
                    "sequential_invocations": n_seq,
                    "putget_pairs": n_pairs,
                    "concurrent_invocations": n_conc,
                    "concurrent_threads": 8,
                    "sqlite_synchronous": SYNCHRONOUS,
                    "units": "invocations/s, pairs/s, bytes of row payload",
                },
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {RESULTS}")


def print_table(medians: dict[str, dict[str, float]], ratios: dict[str, float]) -> None:
    cols = ["sequential", "putget", "concurrent", "bytes"]
    print(f"\n{'saver':20}" + "".join(f"{c:>14}" for c in cols))
    for name, row in medians.items():
        cells = "".join(f"{row[c]:>14.1f}" if c in row else f"{'-':>14}" for c in cols)
        print(f"{name:20}{cells}")
    print("\nratios (ours/official throughput; bytes: official/ours)")
    for key, value in ratios.items():
        print(f"  {key:22} {value:>7.2f}")


if __name__ == "__main__":
    main()
