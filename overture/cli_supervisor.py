"""`overture supervise GOAL`: hand a goal to the supervisor and show what it did."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from overture.cli_common import cli_app, console, trail_table
from overture.runtime import App
from overture.service import GoalOutcome, goal_outcome, run_goal
from tools import audit_trail


def goal_panel(result: GoalOutcome) -> Panel:
    """The plan's results, what planning dropped, and any approval the run waits for."""
    table = Table(expand=True)
    for column in ("step", "agent", "document", "status", "detail"):
        table.add_column(column, overflow="fold")
    for r in result.results:
        table.add_row(str(r.step + 1), r.agent, r.document or "", r.status, escape(r.detail))
    lines = [f"goal: {escape(result.goal)}", f"status: {result.status}"]
    lines += [f"[yellow]plan note:[/] {escape(note)}" for note in result.plan_notes]
    lines += [
        f"waiting for approval [bold]{a}[/]: overture approve {a} --as USER"
        for a in result.approval_ids
    ]
    console.print(table)
    return Panel("\n".join(lines), title=f"supervisor thread {result.thread_id}")


def show_goal(app: App, thread: str) -> None:
    """`overture show` for a supervisor thread."""
    console.print(goal_panel(goal_outcome(app, thread)))
    console.print(trail_table(audit_trail.history(app.engine, thread_id=thread)))


def supervise(
    goal: Annotated[str, typer.Argument(help='e.g. "pay every Nordwind invoice and e-mail me"')],
) -> None:
    """Plan a goal over the inbox (OVERTURE_INBOX), delegate it to the agents, pause for
    approvals; resume with `overture approve`."""
    with cli_app() as app:
        console.print(goal_panel(run_goal(app, goal)))


def register(app: typer.Typer) -> None:
    app.command()(supervise)
