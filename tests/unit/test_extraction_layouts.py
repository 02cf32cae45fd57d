"""Five invoice templates unlike the samples' one (examples/render_layouts.py): every labelled
field is read from the visible page."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from core.domain import InvoiceDraft
from examples.accuracy import as_text
from nodes.ingestion.extraction import draft_of
from nodes.ingestion.ingest import read_document

ROOT = Path(__file__).parents[2]
ROWS = [
    json.loads(line)
    for line in (ROOT / "examples/eval/layouts/invoices.jsonl").read_text("utf-8").splitlines()
]
CASES = [(row["document"], field, want) for row in ROWS for field, want in row["fields"].items()]


@cache
def _draft(document: str) -> InvoiceDraft:
    return draft_of(read_document(ROOT / document))


@pytest.mark.parametrize(
    ("document", "field", "want"), CASES, ids=[f"{Path(d).stem}-{f}" for d, f, _ in CASES]
)
def test_field(document: str, field: str, want: str) -> None:
    assert as_text(getattr(_draft(document), field)) == want


def test_the_credit_note_is_one() -> None:
    assert _draft("examples/layouts/fr_credit_note.pdf").document_type == "credit_note"


def test_a_balance_due_after_a_payment_is_the_amount_due() -> None:
    assert as_text(_draft("examples/layouts/us_two_pages.pdf").amount_due) == "749.69"
