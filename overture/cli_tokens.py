"""`overture tokens create USER | list | revoke ID`: API keys for the LangGraph server.

A key authenticates one user of `overture users` (overture/auth.py); only its SHA-256 is kept,
so `create` prints the key once. Only the engine is opened, not the graph.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from overture.cli_common import cli_engine, console, err_console
from tools.api_keys import create_token, list_tokens, revoke_token

tokens_app = typer.Typer(help="API keys for the LangGraph server: create, list, revoke.")


@tokens_app.command("create")
def create_command(
    user: Annotated[str, typer.Argument(help="An existing user (`overture users add`).")],
    label: Annotated[str, typer.Option("--label", help="What the key is for.")] = "",
) -> None:
    """Create a key for USER and print it: it is shown only this once."""
    with cli_engine() as engine:
        key, token = create_token(engine, user, label)
    err_console.print(
        f"created {key.id} for {escape(user)}; send it as `Authorization: Bearer <key>` "
        "(it is not stored and cannot be shown again):"
    )
    print(token)  # alone on stdout, so `KEY=$(overture tokens create alice)` works


@tokens_app.command("list")
def list_command(
    user: Annotated[str | None, typer.Option("--user", help="Only this user's keys.")] = None,
) -> None:
    """Keys (never their secret): id, user, label, created, revoked."""
    with cli_engine() as engine:
        keys = list_tokens(engine, user)
    table = Table(title="API keys")
    for column in ("id", "user", "label", "created", "revoked"):
        table.add_column(column)
    for key in keys:
        table.add_row(
            key.id,
            escape(key.user_id),
            escape(key.label),
            f"{key.created_at:%Y-%m-%d %H:%M}" if key.created_at else "",
            f"{key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "-",
        )
    console.print(table)


@tokens_app.command("revoke")
def revoke_command(
    key_id: Annotated[str, typer.Argument(help="The key's id (key-...), from `tokens list`.")],
) -> None:
    """Revoke a key: the server refuses it from the next request on."""
    with cli_engine() as engine:
        revoked = revoke_token(engine, key_id)
    if not revoked:
        err_console.print(f"[bold red]error:[/] no active key {escape(key_id)}")
        raise typer.Exit(1)
    console.print(f"revoked {escape(key_id)}")


def register(app: typer.Typer) -> None:
    """Mount `overture tokens ...` on the main command."""
    app.add_typer(tokens_app, name="tokens")
