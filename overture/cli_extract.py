"""`overture extract FILE... [--json]`: extraction only. No run, no database, no writes.

Each file is read (PDF, e-invoice XML, image, .eml, text) and extracted by the rules strategy;
an incomplete extraction still shows every field found, its source and confidence, and the
missing ones. `--json` prints one JSON object per file and line, for scripts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from core.domain import SCALAR_FIELDS, InvoiceDraft
from nodes.ingestion.errors import DocumentError, ExtractionError
from nodes.ingestion.extraction import draft_of
from nodes.ingestion.ingest import read_document
from overture.cli_common import console


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def extraction_record(path: Path) -> dict[str, Any]:
    """The `--json` object for one file (the shape issue 12 specifies, plus `document_type`
    and `discrepancies`); `error` is None when every required field was found."""
    record: dict[str, Any] = {"file": str(path)}
    try:
        draft = draft_of(read_document(path))
    except (DocumentError, ExtractionError) as error:
        empty = dict.fromkeys(("invoice_number", "invoice_date", "vendor_name", "currency"))
        return {
            **record,
            **empty,
            "total": None,
            "amount_due": None,
            "lines": [],
            "fields": {},
            "missing": [],
            "error": str(error),
        }
    missing = draft.missing_required()
    return {
        **record,
        "invoice_number": draft.invoice_number,
        "invoice_date": draft.invoice_date.isoformat() if draft.invoice_date else None,
        "vendor_name": draft.vendor_name,
        "currency": draft.currency if "currency" in draft.sources else None,
        "total": _text(draft.total),
        "amount_due": _text(draft.amount_due),
        "document_type": draft.document_type,
        "lines": [{k: _text(v) for k, v in line.model_dump().items()} for line in draft.lines],
        "fields": {
            name: {"source": source, "confidence": draft.confidence.get(name)}
            for name, source in draft.sources.items()
        },
        "missing": draft.missing,
        "discrepancies": draft.discrepancies,
        "error": f"missing required field(s): {', '.join(missing)}" if missing else None,
    }


def _table(path: Path, draft: InvoiceDraft) -> Table:
    table = Table(title=escape(str(path)), title_justify="left")
    for column in ("field", "value", "source", "confidence"):
        table.add_column(column)
    for name in SCALAR_FIELDS:
        value = getattr(draft, name)
        if name in draft.sources or value not in (None, ""):
            score = draft.confidence.get(name)
            table.add_row(
                name,
                escape(str(value)),
                draft.sources.get(name, "-"),
                "-" if score is None else f"{score:.2f}",
            )
    table.add_row("lines", str(len(draft.lines)), draft.sources.get("lines", "-"), "")
    return table


def extract(
    files: Annotated[list[Path], typer.Argument(help="Documents: PDF, XML, image, .eml, text.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Extract invoices from documents and print them; nothing is run or stored."""
    failed = False
    for path in files:
        if as_json:
            record = extraction_record(path)
            failed |= record["error"] is not None
            typer.echo(json.dumps(record, ensure_ascii=False))
            continue
        try:
            draft = draft_of(read_document(path))
        except (DocumentError, ExtractionError) as error:
            console.print(f"[red]{escape(str(error))}[/]")
            failed = True
            continue
        console.print(_table(path, draft))
        if missing := draft.missing_required():
            console.print(f"[yellow]missing: {', '.join(missing)}[/]")
            failed = True
        for line in draft.discrepancies:
            console.print(f"[yellow]text vs XML: {escape(line)}[/]")
    raise typer.Exit(1 if failed else 0)


def register(app: typer.Typer) -> None:
    app.command()(extract)
