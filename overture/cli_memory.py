"""`overture memory search QUERY`: what the agents remember of past cases."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from nodes.case_memory import CASES
from overture.cli_common import cli_app, console

memory_app = typer.Typer(help="Long-term memory: the cases audit remembered.", no_args_is_help=True)


@memory_app.command("search")
def search(
    query: Annotated[str, typer.Argument(help='e.g. "supplier changed their bank account"')],
    vendor: Annotated[str | None, typer.Option(help="Only this vendor id's cases.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="How many to show.")] = 10,
) -> None:
    """Search remembered cases by meaning (vector search over their summaries)."""
    with cli_app() as app:
        namespace = (CASES, vendor) if vendor else (CASES,)
        hits = app.store.search(namespace, query=query, limit=limit)
    if not hits:
        console.print("no remembered case matches; cases are remembered when a run finishes")
        return
    table = Table(title=f"memory: {escape(query)}", expand=True)
    for column in ("score", "vendor", "thread", "invoice", "outcome", "summary"):
        table.add_column(column, overflow="fold")
    for hit in hits:
        table.add_row(
            f"{hit.score:.3f}" if hit.score is not None else "",
            hit.namespace[1] if len(hit.namespace) > 1 else "",
            hit.key,
            str(hit.value.get("invoice_number") or ""),
            str(hit.value.get("outcome") or ""),
            escape(str(hit.value.get("text") or "")),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(memory_app, name="memory")
