"""`overture vendors`: the vendor master's bank details, changed only by two people.

`propose-iban` records a new IBAN (validated by schwifty); `confirm` applies it, by a different
authenticated user. Payments always go to the vendor master's account
(tools/integrations/vendor_changes.py).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from core.domain import Vendor
from overture.cli_approvals import AS_HELP
from overture.cli_common import cli_app, console
from overture.cli_identity import decider
from tools.integrations import records, vendor_changes

vendors_app = typer.Typer(help="The vendor master: list vendors, change bank details (2 people).")


@vendors_app.callback(invoke_without_command=True)
def vendors(ctx: typer.Context) -> None:
    """List vendors with their master IBAN, and the bank-detail changes."""
    if ctx.invoked_subcommand is not None:
        return
    with cli_app() as app:
        with Session(app.engine) as session:
            table = Table(title="Vendor master")
            for column in ("id", "name", "iban"):
                table.add_column(column)
            for vendor in records.list_vendors(session):
                table.add_row(vendor.id, escape(vendor.name), vendor.iban)
        console.print(table)
        changes = Table(title="Bank-detail changes")
        for column in ("id", "vendor", "new iban", "status", "proposed by", "confirmed by"):
            changes.add_column(column)
        for change in vendor_changes.list_changes(app.engine):
            changes.add_row(
                change.id,
                change.vendor_id,
                change.new_iban,
                change.status,
                change.proposed_by,
                change.confirmed_by or "",
            )
        console.print(changes)


@vendors_app.command("add")
def add(
    vendor_id: Annotated[str, typer.Argument(help="New vendor id (e.g. V006).")],
    name: Annotated[str, typer.Argument(help="Legal name, as on its invoices.")],
    iban: Annotated[str, typer.Argument(help="The IBAN the vendor confirmed.")],
    country: Annotated[str, typer.Option(help="ISO 3166 country code.")],
    currency: Annotated[str, typer.Option(help="ISO 4217 currency.")] = "EUR",
    alias: Annotated[list[str] | None, typer.Option(help="Another name it uses.")] = None,
    as_: Annotated[str | None, typer.Option("--as", help=AS_HELP)] = None,
) -> None:
    """Onboard a vendor (a run held as "new vendor" then continues with `overture review`)."""
    with cli_app() as app:
        who, _ = decider(app.engine, as_)
        vendor = Vendor(
            id=vendor_id,
            name=name,
            iban=iban,
            country=country.upper(),
            currency=currency.upper(),
            aliases=list(alias or []),
        )
        added = vendor_changes.onboard(app.engine, vendor, who)
        console.print(f"{added.id}: {escape(added.name)} added by {who}, pays to {added.iban}")


@vendors_app.command("propose-iban")
def propose_iban(
    vendor_id: Annotated[str, typer.Argument(help="Vendor id (V001...).")],
    iban: Annotated[str, typer.Argument(help="The new IBAN, as the vendor confirmed it.")],
    as_: Annotated[str | None, typer.Option("--as", help=AS_HELP)] = None,
) -> None:
    """Propose a new IBAN for a vendor; a second person must confirm it."""
    with cli_app() as app:  # an OvertureError becomes one red line, exit 1
        who, _ = decider(app.engine, as_)
        change = vendor_changes.propose(app.engine, vendor_id, iban, who)
        console.print(
            f"{change.id}: {vendor_id} -> {change.new_iban} proposed by {who}; "
            f"a different person confirms with `overture vendors confirm {change.id}`"
        )


@vendors_app.command("confirm")
def confirm(
    change_id: Annotated[str, typer.Argument(help="The change id (bcr-...).")],
    as_: Annotated[str | None, typer.Option("--as", help=AS_HELP)] = None,
) -> None:
    """Confirm (and apply) a bank-detail change proposed by someone else."""
    with cli_app() as app:
        who, _ = decider(app.engine, as_)
        change = vendor_changes.confirm(app.engine, change_id, who)
        console.print(f"{change.id}: {change.vendor_id} now pays to {change.new_iban}")
