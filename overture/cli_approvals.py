"""`overture approvals`, `overture approve ID`, `overture reject ID`, `overture cancel ID`.

Any process may decide: requests are read from SQL and the waiting thread is resumed through
the SQL checkpointer, so the process that started the run may be long gone. The decider is
the owner of `OVERTURE_API_KEY` (overture/cli_identity.py).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Literal

import typer
from rich.markup import escape

from nodes.ingestion.drafts import parse_assignments
from overture.cli_common import (
    Records,
    cli_app,
    console,
    err_console,
    status_text,
    trail_table,
)
from overture.cli_identity import decider
from overture.service import cancel_request, decision, resume_approval
from overture.service import review as review_run
from tools import audit_log, audit_trail
from tools.approval import requests as approvals
from tools.approval.requests import ApprovalRequest
from tools.audit_log import AuditRecord


def pending_table(requests: list[ApprovalRequest]) -> Records:
    columns = ("id", "amount", "pay to", "invoice", "payload", "why", "thread")
    rows = [
        (
            request.id,
            f"{request.amount} {request.currency}",
            escape(f"{args.get('vendor_id')} {args.get('payee_iban') or ''}".strip()),
            escape(str(args.get("invoice_number") or args.get("request_id") or "")),
            f"{request.call.tool} {request.payload_hash[:12]}",
            escape("; ".join(request.reasons)),
            request.thread_id,
        )
        for request in requests
        for args in [request.call.arguments]
    ]
    table = Records("Waiting for approval", columns, rows)
    if not requests:
        table.caption = "nothing waits for approval"
    return table


def review_table(records: list[AuditRecord]) -> Records:
    rows = [
        (escape(r.document_path), escape("; ".join(r.reasons or r.errors)), r.thread_id)
        for r in records
    ]
    table = Records("Held for human review", ("document", "why", "thread"), list(rows))
    if not records:
        table.caption = "nothing is held for review"
    return table


def approvals_command(
    all_: Annotated[bool, typer.Option("--all", "--history", help="Decided requests too.")] = False,
) -> None:
    """Pending approval requests with what exactly would run, and runs held for review."""
    with cli_app() as app:
        console.print(
            pending_table(approvals.list_requests(app.engine, None if all_ else "pending"))
        )
        if not all_ and (stale := approvals.list_requests(app.engine, "stale")):
            table = pending_table(stale)
            table.title = "Stale: no run waits on these (`overture cancel ID --reason ...`)"
            console.print(table)
        console.print(review_table(audit_log.list_records(app.engine, "held_for_review")))
        if all_:
            console.print(trail_table(audit_trail.history(app.engine)))


AS_HELP = (
    "Single-user demo mode only (OVERTURE_SINGLE_USER=true, SQLite): decide as NAME, unproven. "
    "Otherwise the decider is the owner of OVERTURE_API_KEY."
)


def approve(
    approval_id: Annotated[str, typer.Argument(help="Approval request id (apr-...).")],
    as_: Annotated[str | None, typer.Option("--as", help=AS_HELP)] = None,
    comment: Annotated[str, typer.Option(help="Note for the audit trail.")] = "",
    amount: Annotated[
        Decimal | None,
        typer.Option(help="Edit: pay this lower amount instead (never more).", parser=Decimal),
    ] = None,
) -> None:
    """Approve (or, with --amount, lower and approve) a request; the run resumes.

    The payee is always the vendor master's account: a new bank account is a vendor-master
    change (`overture vendors propose-iban`), confirmed by a second person.
    """
    edits: dict[str, Any] = {}
    if amount is not None:
        edits["amount"] = str(amount)
    action: Literal["approve", "edit"] = "edit" if edits else "approve"
    _decide(approval_id, as_, lambda who: decision(action, who, comment, edits))


def reject(
    approval_id: Annotated[str, typer.Argument(help="Approval request id (apr-...).")],
    reason: Annotated[str, typer.Option(help="Why; kept in the audit record.")],
    as_: Annotated[str | None, typer.Option("--as", help=AS_HELP)] = None,
) -> None:
    """Reject a request; the run resumes, pays nothing and writes its audit record."""
    _decide(approval_id, as_, lambda who: decision("reject", who, reason))


def cancel(
    approval_id: Annotated[str, typer.Argument(help="A stale or pending request (apr-...).")],
    reason: Annotated[str, typer.Option(help="Why; kept in the request.")],
    as_: Annotated[str | None, typer.Option("--as", help=AS_HELP)] = None,
) -> None:
    """Withdraw a request no run waits on any more (`overture recover` marks those stale)."""
    with cli_app() as app:  # an OvertureError becomes one red line, exit 1
        who, _ = decider(app.engine, as_)
        cancel_request(app, approval_id, who, reason)
        console.print(f"{approval_id}: cancelled by {who}")


def _decide(approval_id: str, as_: str | None, value_for: Callable[[str], dict[str, Any]]) -> None:
    with cli_app() as app:  # an OvertureError becomes one red line, exit 1
        who, unproven = decider(app.engine, as_)
        if unproven:
            err_console.print(
                f"[yellow]single-user mode:[/] deciding as {escape(who)} without proof of "
                "identity (OVERTURE_SINGLE_USER=true, local SQLite only)"
            )
        result = resume_approval(app, approval_id, value_for(who))
        console.print(f"{approval_id}: {status_text(result.status)} (thread {result.thread_id})")
        if result.summary:
            console.print(escape(result.summary))


def review(
    thread: Annotated[str, typer.Argument(help="A thread held for review.")],
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="FIELD=VALUE to complete or correct (repeatable)."),
    ] = None,
    confirm: Annotated[
        bool, typer.Option(help="Take the fields read by OCR as they are, as yours.")
    ] = False,
    as_: Annotated[str | None, typer.Option("--as", help=AS_HELP)] = None,
) -> None:
    """Complete a run held for review (missing or wrong fields, a new vendor onboarded, an
    OCR reading confirmed); it continues into verification from the extraction it kept."""
    with cli_app() as app:  # an OvertureError becomes one red line, exit 1
        who, _ = decider(app.engine, as_)
        result = review_run(app, thread, parse_assignments(set_ or []), who, confirm=confirm)
        console.print(f"{thread}: {status_text(result.status)}")
        for line in result.errors or result.reasons:
            console.print(f"  {escape(line)}")


def register(app: typer.Typer) -> None:
    app.command("approvals")(approvals_command)
    app.command()(approve)
    app.command()(reject)
    app.command()(cancel)
    app.command()(review)
