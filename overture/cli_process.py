"""`overture demo`, `overture run FILES...` and `overture show THREAD`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.orm import Session

from overture.cli_approvals import pending_table, review_table
from overture.cli_common import (
    cli_app,
    console,
    err_console,
    outcomes_table,
    report_problems,
    status_text,
    trail_table,
)
from overture.cli_supervisor import show_goal
from overture.errors import ThreadNotFound
from overture.runtime import App
from overture.service import RunOutcome, outcome, process_document, snapshot, stopped_runs
from overture.service import recover as recover_runs
from overture.workflows import WORKFLOWS, seed_workflows
from tools import audit_log, audit_trail
from tools.approval import requests as approvals
from tools.integrations import records
from tools.integrations.seed import DEFAULT_SEED, load_seed_file

RUNNABLE = [name for name in WORKFLOWS if name != "supervisor"]
"""Workflows that run one document each (the supervisor takes a goal: `overture supervise`)."""
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def demo(
    documents: Annotated[Path, typer.Option(help="Folder of sample documents.")] = EXAMPLES
    / "documents",
    seed: Annotated[Path, typer.Option(help="System-of-record seed (JSON).")] = DEFAULT_SEED,
) -> None:
    """Seed the books, run every sample document (and procurement's sample requests), show
    the outcomes."""
    files = sorted(
        _display(p) for p in documents.iterdir() if p.is_file() and not p.name.startswith(".")
    )
    requests = sorted(_display(p) for p in (EXAMPLES / "procurement").glob("0*") if p.is_file())
    with cli_app() as app:
        counts = load_seed_file(app.engine, seed)
        seed_workflows(app.engine)
        console.print(
            f"[bold]Overture demo[/] on {escape(app.engine.url.render_as_string(True))}: seeded "
            + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items())
        )
        invoices = _samples(app, files, "accounts_payable")
        console.print(outcomes_table(invoices, title="Accounts payable: sample documents"))
        ordered = _samples(app, requests, "procurement")
        console.print(outcomes_table(ordered, title="Procurement: sample requests"))
        console.print(pending_table(approvals.list_requests(app.engine)))
        console.print(review_table(audit_log.list_records(app.engine, "held_for_review")))
        console.print(
            "Approve with [bold]OVERTURE_API_KEY=... overture approve ID[/], reject with "
            "[bold]overture reject ID --reason TEXT[/] (keys: [bold]overture tokens create "
            "alice[/]); [bold]overture show THREAD[/] explains any run."
        )


def _samples(app: App, files: list[Path], workflow: str) -> list[RunOutcome]:
    """Run each sample once per database: a second demo shows the first one's runs."""
    outcomes: list[RunOutcome] = []
    with _progress() as progress:
        task = progress.add_task("processing", total=len(files))
        for path in files:
            name = path.stem if workflow == "accounts_payable" else f"{workflow}-{path.stem}"
            progress.update(task, description=path.name)
            try:
                outcomes.append(outcome(app, f"demo-{name}"))
            except ThreadNotFound:
                outcomes.append(process_document(app, path, f"demo-{name}", workflow=workflow))
            progress.advance(task)
    return outcomes


def seed(
    seed: Annotated[Path, typer.Option(help="System-of-record seed (JSON).")] = DEFAULT_SEED,
) -> None:
    """Load the sample books (vendors, purchase orders, receipts, paid invoices, approvers)
    and each workflow's own (procurement's cost centres); run nothing.

    Idempotent: seeding again merges. `overture demo` seeds too, then runs every sample.
    """
    with cli_app() as app:
        counts = load_seed_file(app.engine, seed)
        console.print(
            f"seeded {escape(app.engine.url.render_as_string(True))}: "
            + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items())
        )
        for name in seed_workflows(app.engine):
            console.print(f"seeded the {name} books")


def run(
    files: Annotated[list[Path], typer.Argument(help="Documents: PDF, .eml or text.")],
    workflow: Annotated[
        str,
        typer.Option("--workflow", "-w", help=f"Which workflow runs them: {', '.join(RUNNABLE)}."),
    ] = "accounts_payable",
) -> None:
    """Process documents; a bad file is reported and held for review, the others go on.

    Each document's thread id is printed as its run starts. A run that was killed or crashed
    is resumed with `overture recover`; running the file again pays nothing twice (it finds
    the invoice paid, or held by the first run).
    """
    if workflow not in RUNNABLE:
        err_console.print(f"[red]error:[/] no workflow {workflow!r}; choose one of {RUNNABLE}")
        raise typer.Exit(2)
    with cli_app() as app:
        with Session(app.engine) as session:
            if not records.list_vendors(session):
                err_console.print(
                    "[yellow]warning:[/] the vendor master is empty, so every invoice will be "
                    "rejected; `overture seed` loads the sample system of record"
                )
        outcomes: list[RunOutcome] = []
        with _progress() as progress:
            task = progress.add_task("processing", total=len(files))
            for path in files:
                progress.update(task, description=path.name)

                def started(thread_id: str, path: Path = path) -> None:
                    progress.console.print(f"started {thread_id} for {escape(str(path))}")

                outcomes.append(process_document(app, path, on_start=started, workflow=workflow))
                progress.advance(task)
        report_problems(outcomes)
        console.print(outcomes_table(outcomes))
        waiting = [o for o in outcomes if o.status == "awaiting_approval"]
        for item in waiting:
            console.print(f"{item.approval_id} waits for approval ({item.document_path})")
        if any(o.status == "failed" for o in outcomes):
            raise typer.Exit(1)


def recover(
    list_only: Annotated[
        bool, typer.Option("--list", help="Only list what would be recovered.")
    ] = False,
) -> None:
    """Resume runs that stopped mid-way (killed, crashed) and reconcile approval requests.

    A run whose process is gone continues from its last checkpoint, or starts again from its
    document when it died before the first one; a request past its expiry becomes `expired`
    (its run ends unpaid) and one no run waits on becomes `stale` (`overture cancel` it).
    Payments stay exactly once: every run of an invoice shares its obligation.
    """
    with cli_app() as app:
        if list_only:
            table = Table(title="Runs that stopped mid-way")
            for column in ("thread", "document", "started"):
                table.add_column(column, overflow="fold")
            for entry in stopped_runs(app):
                table.add_row(
                    entry.thread_id, escape(entry.document_path), f"{entry.started_at:%F %T}"
                )
            console.print(table)
            return
        done = recover_runs(app)
        table = Table(title="Recovered")
        for column in ("thread", "action", "outcome", "approval"):
            table.add_column(column, overflow="fold")
        for item in done:
            table.add_row(
                item.thread_id,
                item.action,
                status_text(item.outcome.status) if item.outcome else "-",
                item.approval_id or "",
            )
        if not done:
            table.caption = "nothing to recover"
        console.print(table)
        if any(item.outcome and item.outcome.status == "failed" for item in done):
            raise typer.Exit(1)


def show(thread: Annotated[str, typer.Argument(help="Thread id.")]) -> None:
    """A run's state, the route it took and why, its story and its checkpoint history."""
    with cli_app() as app:
        if app.workflow_of(thread).name == "supervisor":
            show_goal(app, thread)
            return
        try:
            state = snapshot(app, thread)
        except ThreadNotFound as error:
            console.print(f"[bold red]error:[/] {escape(str(error))}")
            raise typer.Exit(1) from error
        result = outcome(app, thread)
        values = state.values
        facts = Table.grid(padding=(0, 2))
        facts.add_row("document", escape(result.document_path))
        facts.add_row("outcome", status_text(result.status))
        facts.add_row("route", f"{result.route or '-'}: {escape('; '.join(result.reasons))}")
        if invoice := values.get("invoice"):
            facts.add_row(
                "invoice",
                escape(
                    f"{invoice.invoice_number} from {invoice.vendor_name}, "
                    f"{invoice.total} {invoice.currency}, PO {invoice.po_number or '-'}"
                ),
            )
        for message in result.errors:
            facts.add_row("error", f"[red]{escape(message)}[/]")
        if result.approval_id:
            facts.add_row("approval", result.approval_id)
        if payment := values.get("payment"):
            facts.add_row("payment", f"{payment.payment_id} ({payment.instruction.amount})")
        if result.summary:
            facts.add_row("summary", escape(result.summary))
        console.print(Panel(facts, title=f"thread {thread}"))
        console.print(Panel("\n".join(escape(s) for s in values.get("trail", [])), title="trail"))
        console.print(trail_table(audit_trail.history(app.engine, thread_id=thread)))
        console.print(_history_table(app, thread))


def _history_table(app, thread: str) -> Table:  # noqa: ANN001 - App, kept loose for typer
    table = Table(title="checkpoint history (newest first)")
    for column in ("step", "source", "next", "checkpoint", "at"):
        table.add_column(column)
    for item in app.workflow_of(thread).graph.get_state_history(app.config(thread)):
        meta = item.metadata or {}
        table.add_row(
            str(meta.get("step", "")),
            str(meta.get("source", "")),
            ", ".join(item.next),
            item.config["configurable"].get("checkpoint_id", "")[-12:],
            (item.created_at or "")[:19],
        )
    return table


def _display(path: Path) -> Path:
    """The path relative to the working directory when under it (shorter in tables)."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def register(app: typer.Typer) -> None:
    app.command()(demo)
    app.command()(seed)
    app.command()(run)
    app.command()(recover)
    app.command()(show)
