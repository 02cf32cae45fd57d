"""Shared pieces of the CLI: the console, opening the app with clear errors, outcome tables."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import typer
from rich.console import Console, ConsoleOptions, RenderResult
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
    "ordered": "green",
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


WIDE_ENOUGH = 110
"""Below this many terminal columns a table of records is printed stacked: a block per record,
a line per field. Side by side, six columns in 80 left the reasons one letter wide."""


@dataclass
class Records:
    """Records printed as a table that fits the console it is printed on: side by side when
    it is wide enough, else stacked. Cells are markup (escape what is not)."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    caption: str | None = None

    def table(self, width: int) -> Table:
        if width >= WIDE_ENOUGH:
            table = Table(title=self.title, caption=self.caption, expand=True)
            for column in self.columns:
                table.add_column(column, overflow="fold")
            for row in self.rows:
                table.add_row(*row)
            return table
        table = Table(title=self.title, caption=self.caption, show_header=False, expand=True)
        table.add_column("field", style="bold", no_wrap=True)
        table.add_column("value", overflow="fold")
        for row in self.rows:
            for index, (column, value) in enumerate(zip(self.columns, row, strict=True)):
                table.add_row(column, value, end_section=index == len(self.columns) - 1)
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.table(options.max_width)


def outcomes_table(outcomes: list[RunOutcome], title: str = "Outcomes") -> Records:
    rows: list[Sequence[str]] = []
    for item in outcomes:
        amount = f"{item.amount} {item.currency or ''}".strip() if item.amount is not None else ""
        rows.append(
            (
                escape(item.document_path.rsplit("/", 1)[-1]),
                item.route or "-",
                status_text(item.status),
                amount,
                escape("; ".join(item.reasons or item.errors)),
                item.thread_id,
            )
        )
    columns = ("document", "route", "outcome", "amount", "why", "thread")
    return Records(title, columns, rows)


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
