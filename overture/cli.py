"""The `overture` command. Thin: each group of commands lives in its own module and
registers itself here.
"""

from __future__ import annotations

import typer

from overture import (
    cli_approvals,
    cli_eval,
    cli_extract,
    cli_memory,
    cli_process,
    cli_supervisor,
    cli_tokens,
    cli_traces,
)
from overture.cli_users import users_app
from overture.cli_vendors import vendors_app

app = typer.Typer(
    name="overture",
    help="Agent orchestration on LangGraph: accounts payable with approvals, on SQL.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

cli_process.register(app)
cli_approvals.register(app)
cli_supervisor.register(app)
cli_memory.register(app)
cli_traces.register(app)
app.command("eval")(cli_eval.eval_command)
app.add_typer(users_app, name="users")
app.add_typer(vendors_app, name="vendors")
cli_tokens.register(app)
cli_extract.register(app)


if __name__ == "__main__":
    app()
