"""Benchmark: documents per second through the whole accounts-payable graph (rules strategy).

Three set-ups run the same compiled graph on the 14 sample documents: the SQL checkpointer on
SQLite and on PostgreSQL, and InMemorySaver (application tables on SQLite) as the ceiling:
what the graph costs without durable checkpoints. Rounds interleave the set-ups so noise on
the shared cores spreads over all of them; the table reports the median round. Between
rounds, payments and the invoices they paid are deleted so every round takes the same routes
(otherwise round two rejects everything as duplicates).

Usage: python bench/pipeline.py [--rounds N]   (writes bench/results/pipeline.json)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from langgraph.checkpoint.memory import InMemorySaver
from rich.console import Console
from rich.table import Table
from sqlalchemy import delete

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.settings import Settings  # noqa: E402
from graphs.accounts_payable.context import Context  # noqa: E402
from graphs.accounts_payable.graph import build_graph  # noqa: E402
from overture.runtime import App, open_app  # noqa: E402
from tests.databases import throwaway_database  # noqa: E402
from tools.approval.requests import ApprovalRequestRow  # noqa: E402
from tools.audit_log import AuditRecordRow  # noqa: E402
from tools.integrations.records import InvoiceRow, PaymentRow  # noqa: E402
from tools.integrations.seed import load_seed_file  # noqa: E402
from tools.obligations import ObligationRow  # noqa: E402

DOCUMENTS = sorted((ROOT / "examples" / "documents").iterdir())
RESULTS = ROOT / "bench" / "results" / "pipeline.json"


@contextmanager
def setup(name: str, tmp: Path) -> Iterator[App]:
    backend = "postgres" if name == "postgresql" else "sqlite"
    with (
        throwaway_database(backend, tmp / name) as url,
        open_app(Settings(database_url=url, home=tmp / name)) as app,
    ):
        load_seed_file(app.engine)
        if name == "inmemory":
            context = Context(engine=app.engine, settings=app.settings)
            graph = build_graph(checkpointer=InMemorySaver())
            app = app.replacing("accounts_payable", graph=graph, context=context)
        yield app


def reset(app: App) -> None:
    with app.engine.begin() as conn:
        conn.execute(delete(InvoiceRow).where(InvoiceRow.source != "seed"))
        for table in (PaymentRow, ApprovalRequestRow, AuditRecordRow, ObligationRow):
            conn.execute(delete(table))


def one_round(app: App) -> float:
    reset(app)
    started = time.perf_counter()
    for path in DOCUMENTS:
        config = app.config(f"bench-{uuid.uuid4().hex[:12]}")
        app.workflow("accounts_payable").graph.invoke(
            {"document_path": str(path)}, config, context=app.workflow("accounts_payable").context
        )
    return len(DOCUMENTS) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    names = ["inmemory", "sqlite", "postgresql"]
    rates: dict[str, list[float]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        apps = {}
        for name in names:
            (Path(tmp) / name).mkdir()
            apps[name] = stack.enter_context(setup(name, Path(tmp)))
        for app in apps.values():
            one_round(app)  # warm-up: imports, caches, first connections
        for _ in range(args.rounds):
            for name, app in apps.items():
                rates[name].append(one_round(app))
    ceiling = statistics.median(rates["inmemory"])
    results = {
        name: {
            "docs_per_second_median": round(statistics.median(values), 2),
            "docs_per_second_rounds": [round(v, 2) for v in values],
            "share_of_ceiling": round(statistics.median(values) / ceiling, 3),
        }
        for name, values in rates.items()
    }
    table = Table(title=f"accounts payable, {len(DOCUMENTS)} documents x {args.rounds} rounds")
    for column in ("checkpointer", "docs/s (median)", "of InMemorySaver", "rounds"):
        table.add_column(column)
    for name, row in results.items():
        table.add_row(
            name,
            f"{row['docs_per_second_median']:.1f}",
            f"{row['share_of_ceiling']:.0%}",
            " ".join(f"{v:.1f}" for v in row["docs_per_second_rounds"]),
        )
    Console().print(table)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "documents": len(DOCUMENTS),
                "rounds": args.rounds,
                "strategy": "rules",
                "results": results,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
