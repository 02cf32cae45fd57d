"""The `overture` command. Thin: each group of commands lives in its own module and
registers itself here; other pillars (traces, stats, eval, memory, users) mount the same way.
"""

from __future__ import annotations

import typer

from overture import cli_approvals, cli_process

app = typer.Typer(
    name="overture",
    help="Agent orchestration on LangGraph: accounts payable with approvals, on SQL.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

cli_process.register(app)
cli_approvals.register(app)


if __name__ == "__main__":
    app()
