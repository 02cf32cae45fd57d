"""Per-field accuracy of an extractor over the sample documents, against expected.json.

    .venv/bin/python -m examples.accuracy

A field counts as correct when its string form equals the expected string; `lines` is
correct when every row (sku, description, quantity, unit price, amount) matches in order.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from core.domain import Invoice
from nodes.ingestion.errors import DocumentError, ExtractionError
from nodes.ingestion.extraction import Extractor, RulesExtractor
from nodes.ingestion.ingest import read_document

EXAMPLES = Path(__file__).parent
Expected = dict[str, dict[str, object]]


def load_expected() -> Expected:
    return json.loads((EXAMPLES / "expected.json").read_text("utf-8"))


def as_text(value: object) -> str | None:
    """The contract's string form: ISO dates, plain decimals, None stays None."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def row_text(row: dict[str, object]) -> tuple[str | None, ...]:
    """A line row with numbers normalised (`40` and `40.00` are the same quantity)."""
    return tuple(
        as_text(Decimal(str(row[k])).normalize())
        if k in ("quantity", "unit_price", "amount")
        else as_text(row[k])
        for k in ("sku", "description", "quantity", "unit_price", "amount")
    )


def compare(invoice: Invoice | None, entry: dict[str, object]) -> dict[str, bool]:
    """Field -> correct?, for every expected field plus `lines`."""
    fields: dict[str, str | None] = entry["fields"]  # type: ignore[assignment]
    got = invoice.model_dump() if invoice else {}
    result = {name: as_text(got.get(name)) == want for name, want in fields.items()}
    if fields:
        rows = [row_text(r) for r in got.get("lines", [])]
        result["lines"] = rows == [row_text(r) for r in entry["lines"]]  # type: ignore[union-attr]
    return result


def accuracy(extractor: Extractor | None = None) -> dict[str, tuple[int, int]]:
    """Field -> (correct, total) over every sample document with a text layer."""
    extractor = extractor or RulesExtractor()
    scores: dict[str, tuple[int, int]] = {}
    for name, entry in load_expected().items():
        try:
            invoice: Invoice | None = extractor.extract(
                read_document(EXAMPLES / "documents" / name)
            )
        except (DocumentError, ExtractionError):
            invoice = None
        for field, ok in compare(invoice, entry).items():
            right, total = scores.get(field, (0, 0))
            scores[field] = (right + ok, total + 1)
    return scores


def main() -> None:
    scores = accuracy()
    print(f"{'field':<16}{'correct':>8}{'total':>7}{'accuracy':>10}")
    for field, (right, total) in scores.items():
        print(f"{field:<16}{right:>8}{total:>7}{right / total:>10.0%}")


if __name__ == "__main__":
    main()
