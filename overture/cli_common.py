"""Shared pieces of the CLI: the console, opening the app with clear errors, outcome tables."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy import Engine

from core.errors import OvertureError, SettingsError
from core.settings import get_settings
from observability.tracing import flush_langsmith
from overture.runtime import App, open_app, open_engine
from overture.service import RunOutcome
from tools.audit_trail import AuditEvent

console = Console()
err_console = Console(stderr=True)

STATUS_STYLE = {
    "paid": "green",
    "awaiting_approval": "yellow",
    "held_for_review": "magenta",
    "rejected": "red",
    "approval_rejected": "red",
    "failed": "bold red",
}


SETTINGS_EXIT_CODE = 2
"""A malformed `OVERTURE_*` variable is a usage error (as a bad option is for typer)."""


def _fail(error: OvertureError) -> typer.Exit:
    """Print `error` as one red line; the exit to raise: 2 for settings, 1 otherwise."""
    err_console.print(f"[bold red]error:[/] {escape(str(error))}", soft_wrap=True)
    return typer.Exit(SETTINGS_EXIT_CODE if isinstance(error, SettingsError) else 1)


@contextmanager
def cli_app() -> Iterator[App]:
    """Open the app; any `OvertureError` becomes one red line and exit code 1 (2 for a
    malformed setting)."""
    try:
        with open_app() as app:
            yield app
    except OvertureError as error:
        raise _fail(error) from error
    finally:
        flush_langsmith()  # a CLI process is short: send buffered LangSmith runs before exit


@contextmanager
def cli_engine() -> Iterator[Engine]:
    """The migrated application engine alone (for commands that need no graph); any
    `OvertureError` becomes one red line and exit code 1 (2 for a malformed setting)."""
    try:
        engine = open_engine(get_settings())
    except OvertureError as error:
        raise _fail(error) from error
    try:
        yield engine
    except OvertureError as error:
        raise _fail(error) from error
    finally:
        engine.dispose()


def status_text(status: str) -> str:
    return f"[{STATUS_STYLE.get(status, 'white')}]{status}[/]"


def outcomes_table(outcomes: list[RunOutcome], title: str = "Outcomes") -> Table:
    table = Table(title=title, show_lines=False, expand=True)
    table.add_column("document", overflow="fold")
    table.add_column("route")
    table.add_column("outcome")
    table.add_column("amount", justify="right")
    table.add_column("why", overflow="fold", ratio=3)
    table.add_column("thread", overflow="fold")
    for item in outcomes:
        amount = f"{item.amount} {item.currency or ''}".strip() if item.amount is not None else ""
        why = "; ".join(item.reasons or item.errors)
        table.add_row(
            escape(item.document_path.rsplit("/", 1)[-1]),
            item.route or "-",
            status_text(item.status),
            amount,
            escape(why),
            item.thread_id,
        )
    return table


def report_problems(outcomes: list[RunOutcome]) -> None:
    """One line per document that could not be processed normally, naming the file."""
    for item in outcomes:
        if item.status == "failed" or item.errors:
            problem = "; ".join(item.errors) or "failed"
            if item.document_path not in problem:
                problem = f"{item.document_path}: {problem}"
            err_console.print(f"[red]✗[/] {escape(problem)} [dim](thread {item.thread_id})[/]")


def trail_table(events: list[AuditEvent], title: str = "audit trail") -> Table:
    """Requests, decisions (who, when, which hash, comment), executions and refusals."""
    table = Table(title=title, expand=True)
    for column in ("at", "event", "tool", "by", "payload", "request", "code / comment"):
        table.add_column(column, overflow="fold")
    for e in events:
        note = " ".join(part for part in (e.code, e.comment) if part)
        table.add_row(
            e.at.strftime("%Y-%m-%d %H:%M:%S") if e.at else "",
            e.event,
            e.tool or "",
            e.actor or "",
            (e.payload_hash or "")[:12],
            e.request_id or "",
            escape(note),
        )
    return table
