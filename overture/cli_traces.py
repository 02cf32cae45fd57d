"""`overture traces`, `overture stats` and `overture eval`: a typer app the main CLI mounts.

Mount with `register(app)` (adds the three commands at the top level of `overture`), or
`app.add_typer(overture.cli_traces.app)`, which merges them the same way since the sub-app
has no name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import Engine

from core.db import settings_engine
from core.settings import Settings

app = typer.Typer(help="Traces, agent statistics and evaluation.", no_args_is_help=True)
console = Console()


def _engine() -> Engine:
    return settings_engine(Settings())


@app.command("traces")
def traces(
    thread: Annotated[str, typer.Argument(help="Thread id (as `overture run` printed it).")],
    html_file: Annotated[
        Path | None,
        typer.Option("--html", help="Also write a self-contained HTML page to this file."),
    ] = None,
) -> None:
    """Show every traced run of a thread as a tree with timings."""
    from observability.queries import thread_traces
    from observability.render import html_page, rich_tree

    found = thread_traces(_engine(), thread)
    if not found:
        console.print(
            f"[red]no traces stored for thread {thread!r}[/red]: run it with the trace sink on "
            "(the default; OVERTURE_TRACE_SINK=off disables it)"
        )
        raise typer.Exit(1)
    console.print(rich_tree(thread, found))
    if html_file is not None:
        html_file.write_text(html_page(thread, found), encoding="utf-8")
        console.print(f"wrote {html_file}")


@app.command("stats")
def stats(
    thread: Annotated[str | None, typer.Option("--thread", help="Only this thread's runs.")] = None,
) -> None:
    """Per agent: runs, error rate, latency p50/p95 and tokens, over the stored traces."""
    from observability.queries import agent_stats
    from observability.render import stats_table

    rows = agent_stats(_engine(), thread_id=thread)
    if not rows:
        console.print("no traces stored yet")
        return
    console.print(stats_table(rows))


def register(root: typer.Typer) -> None:
    """Add `traces` and `stats` to the main `overture` app."""
    root.command("traces")(traces)
    root.command("stats")(stats)
