"""`overture users ...`: approvers, their roles and limits, kept in the application database.

Mounted by overture/cli.py as `app.add_typer(users_app, name="users")`. Only the engine is
opened (migrated), not the graph: user management must work without the workflow loading.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from overture.cli_common import cli_engine, console
from tools.approval.approvers import Approver, add_approver, grant, list_approvers, revoke

users_app = typer.Typer(help="Approvers: add users, grant roles with limits, revoke, list.")


def _describe(approver: Approver) -> str:
    roles = ", ".join(f"{role} (limit {limit})" for role, limit in sorted(approver.roles.items()))
    state = "" if approver.active else " [red](inactive)[/]"
    return f"{escape(approver.id)}{state}: {escape(roles) or 'no roles'}"


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise typer.BadParameter(
            f"{text!r} is not an amount; write e.g. 25000 or 25000.00"
        ) from None
    if not value.is_finite() or value < 0:
        raise typer.BadParameter("the limit must be a non-negative amount")
    return value


@users_app.command("add")
def add_command(
    user: Annotated[str, typer.Argument(help="The user id approvers decide as (--as USER).")],
    name: Annotated[str, typer.Option("--name", help="Display name.")] = "",
) -> None:
    """Add a user (or re-activate one)."""
    with cli_engine() as engine:
        console.print(f"added {_describe(add_approver(engine, user, name))}")


@users_app.command("grant")
def grant_command(
    user: Annotated[str, typer.Argument(help="An existing user.")],
    role: Annotated[str, typer.Argument(help="The role, e.g. ap_approver.")],
    limit: Annotated[str, typer.Option("--limit", help="Largest amount they may approve.")],
) -> None:
    """Grant ROLE to USER with an approval limit (replaces an earlier limit)."""
    amount = _amount(limit)
    with cli_engine() as engine:
        console.print(f"granted: {_describe(grant(engine, user, role, amount))}")


@users_app.command("revoke")
def revoke_command(
    user: Annotated[str, typer.Argument(help="An existing user.")],
    role: Annotated[
        str | None, typer.Argument(help="The role to take away; omit to deactivate the user.")
    ] = None,
) -> None:
    """Take a role away, or deactivate the user (kept, so the audit trail still names them)."""
    with cli_engine() as engine:
        console.print(f"revoked: {_describe(revoke(engine, user, role))}")


@users_app.command("list")
def list_command() -> None:
    """Every user with their roles and limits."""
    with cli_engine() as engine:
        approvers = list_approvers(engine)
    table = Table(title="Approvers")
    for column in ("user", "name", "active", "roles (limit)"):
        table.add_column(column)
    for approver in approvers:
        roles = ", ".join(f"{r} ({limit})" for r, limit in sorted(approver.roles.items()))
        table.add_row(
            escape(approver.id),
            escape(approver.display_name),
            "yes" if approver.active else "no",
            escape(roles) or "-",
        )
    console.print(table)
